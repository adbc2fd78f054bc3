"""Learner state: profile and preferences (completions, levels and achievements come with the progress issue)."""

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def valid_time_zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Profile(models.Model):
    """One per learner, created on first use by ``Profile.for_user``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    email_on_reply = models.BooleanField(_("email me when someone replies to my comment"), default=True)

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What other learners see: the display name, or the part of the email before the @."""
        return self.display_name or self.user.email.split("@")[0] or self.user.get_username()

    @classmethod
    def for_user(cls, user) -> "Profile":
        profile, _ = cls.objects.get_or_create(user=user)
        return profile
