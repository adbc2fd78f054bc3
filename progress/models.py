"""Learner state: profile and preferences, completions, the level table, achievements.

XP is never stored: it is derived from the completed lessons (``progress.rules``, applied by ``progress.selectors``),
so nothing a client sends can set it.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from infra.icons import ACHIEVEMENT_ICONS
from infra.icons import FALLBACK as ICON_FALLBACK
from progress import names


def valid_time_zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Profile(models.Model):
    """One per learner, created on its first write (``progress.services``) or by ``Profile.for_user``.

    Its row is also the per-learner lock: services that change a learner's progress
    take it with ``select_for_update`` so that concurrent syncs of one learner queue up."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    email_on_reply = models.BooleanField(_("email me when someone replies to my comment"), default=True)
    # Every mail to the learner is written in this language (progress.accounts); empty until
    # they first sign up or sign in, then what they chose in settings.
    language = models.CharField(
        _("language for emails"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What other learners see: the chosen display name, or a neutral "Learner 4821" (progress.names).

        Never anything derived from the email address."""
        return self.public_name(display_name=self.display_name, user_id=self.user_id)

    @staticmethod
    def public_name(*, display_name: str | None, user_id: int) -> str:
        """``name`` from plain values, for pages that read rows rather than instances (the comment thread)."""
        return names.public_name(display_name=display_name, user_id=user_id)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_or_utc(self.time_zone)

    @classmethod
    def for_user(cls, user) -> "Profile":
        """The learner's profile, created if missing (a write: not for a GET)."""
        profile, _ = cls.objects.get_or_create(user=user)
        return profile

    @classmethod
    def saved_or_default(cls, user) -> "Profile":
        """The learner's saved profile, or an unsaved one with the defaults (1 query, no write)."""
        return cls.objects.filter(user=user).first() or cls(user=user)


def zone_or_utc(name: str) -> zoneinfo.ZoneInfo:
    """The named zone; UTC when the name is unknown (a zone removed from tzdata, say)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class Completion(models.Model):
    """A learner completed a lesson: one row per learner and lesson, whatever the number of devices."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            # Concurrent syncs and double clicks meet here: a lesson counts once per learner.
            models.UniqueConstraint(fields=["user", "lesson"], name="completion_unique_per_learner"),
        ]
        indexes = [
            # The dashboard's recent completions and the streak walk, newest first.
            models.Index(fields=["user", "-completed_at"], name="completion_user_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id}"


class Level(models.Model):
    """A threshold in the level table; a learner's level is the highest one their XP reaches."""

    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=50)
    xp_required = models.PositiveIntegerField(_("XP required"))

    class Meta:
        ordering = ["xp_required"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="level_number_unique"),
            models.UniqueConstraint(fields=["xp_required"], name="level_xp_required_unique"),
            models.CheckConstraint(condition=~Q(number=0) | Q(xp_required=0), name="level_zero_starts_at_zero_xp"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"

    @property
    def display_name(self) -> str:
        """The shipped names are in the translation catalogue; names staff write show as written."""
        return gettext(self.name) if self.name else ""

    def clean(self) -> None:
        """Higher levels need more XP: a threshold must sit between its neighbours'."""
        others = Level.objects.exclude(pk=self.pk)
        if self.number is None or self.xp_required is None:
            return
        lower = others.filter(number__lt=self.number).order_by("-number").first()
        higher = others.filter(number__gt=self.number).order_by("number").first()
        if lower and lower.xp_required >= self.xp_required:
            raise ValidationError(
                {"xp_required": _("Level %(number)s needs %(xp)s XP; this level must need more.")
                 % {"number": lower.number, "xp": lower.xp_required}}
            )  # fmt: skip
        if higher and higher.xp_required <= self.xp_required:
            raise ValidationError(
                {"xp_required": _("Level %(number)s needs %(xp)s XP; this level must need less.")
                 % {"number": higher.number, "xp": higher.xp_required}}
            )  # fmt: skip


class AchievementKind(models.TextChoices):
    """The rules an achievement can follow. Each is checked against a count ("value")
    that the service causing the event computes: see ``progress.services.achievements_award``."""

    LESSONS_COMPLETED = "lessons_completed", _("lessons completed ≥ N")
    QUEST_COMPLETED = "quest_completed", _("quests with every lesson completed ≥ N")
    ALL_LESSONS_COMPLETED = "all_lessons_completed", _("every published lesson completed")
    STREAK_DAYS = "streak_days", _("a streak of N days")
    COMMENTS_POSTED = "comments_posted", _("comments posted ≥ N")
    REPORT_SUBMITTED = "report_submitted", _("reports submitted ≥ N")


class Achievement(models.Model):
    code = models.SlugField(_("code"), max_length=50, help_text=_("Stable identifier, used in the API."))
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, help_text=_("How to earn it, for learners."))
    # A named inline SVG (infra.icons), never an emoji: emoji need a font many systems lack.
    icon = models.CharField(
        _("icon"), max_length=20, choices=ACHIEVEMENT_ICONS, default=ICON_FALLBACK, help_text=_("Shown with its name.")
    )
    kind = models.CharField(_("rule"), max_length=30, choices=AchievementKind.choices)
    threshold = models.PositiveIntegerField(
        _("threshold (N)"), default=1, help_text=_("Earned when the learner's count for the rule reaches N.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="achievement_code_unique"),
            models.CheckConstraint(condition=Q(threshold__gte=1), name="achievement_threshold_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=[value for value, _label in AchievementKind.choices]),
                name="achievement_kind_known",
            ),
        ]
        indexes = [
            # achievements_award: the rules of one kind whose threshold a count reaches.
            models.Index(fields=["kind", "threshold"], name="achievement_kind_threshold_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return gettext(self.name) if self.name else ""

    @property
    def display_description(self) -> str:
        return gettext(self.description) if self.description else ""


class EarnedAchievement(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="earned_achievements")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="earned")
    earned_at = models.DateTimeField(_("earned at"))

    class Meta:
        ordering = ["earned_at", "pk"]
        verbose_name = _("earned achievement")
        verbose_name_plural = _("earned achievements")
        constraints = [
            # Awarded once: a second award (another device, a retried request) is a no-op.
            models.UniqueConstraint(fields=["user", "achievement"], name="earned_achievement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.achievement_id}"
