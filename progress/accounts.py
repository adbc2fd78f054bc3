"""allauth's account adapter: every account mail in the recipient's language, and the language kept.

allauth renders its mails in whatever language the current request happens to use: a Korean
learner who asks for a password reset from an English browser, or whose address a staff member
types, would get English. Mails are written in the language kept on the learner's profile
(``Profile.language``), which is recorded from the language they use the site in when they sign
up or sign in and which they can change in settings.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation

from infra.accounts import AccountAdapter as SiteAccountAdapter
from progress.models import Profile


def language_for_email(email: str) -> str:
    """The kept language of the account that owns ``email``; the site's default for strangers.

    Costs one query."""
    language = (
        Profile.objects.filter(user__email__iexact=email)
        .exclude(language="")
        .values_list("language", flat=True)
        .first()
    )
    return language or translation.get_language() or settings.LANGUAGE_CODE


def _verification_sent_key(email: str) -> str:
    return f"account:verification-sent:{email.lower()}"


def verification_wait_seconds(email: str) -> int:
    """How long until allauth will send another verification mail to ``email`` (0: now).

    allauth silently skips a verification mail inside its cooldown (ACCOUNT_RATE_LIMITS
    "confirm_email"); this is what lets the pages say so, and when."""
    sent_at = cache.get(_verification_sent_key(email))
    if sent_at is None:
        return 0
    return max(0, math.ceil(sent_at + settings.VERIFICATION_RESEND_SECONDS - time.time()))


def profile_language_keep(*, user, language: str | None) -> None:
    """Record the language a learner uses the site in, unless they already have one."""
    supported = {code for code, _name in settings.LANGUAGES}
    code = translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    if code not in supported:
        return
    profile, _created = Profile.objects.get_or_create(user=user, defaults={"language": code})
    if not profile.language:
        Profile.objects.filter(pk=profile.pk, language="").update(language=code)


class AccountAdapter(SiteAccountAdapter):
    """The site's adapter (client addresses behind proxies) plus the learner's language."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {"site_url": settings.SITE_URL, "email": email, **context}
        with translation.override(language_for_email(email)):
            super().send_mail(template_prefix, email, context)

    def send_confirmation_mail(self, request: HttpRequest, emailconfirmation, signup: bool) -> None:
        super().send_confirmation_mail(request, emailconfirmation, signup)
        email = emailconfirmation.email_address.email
        cache.set(_verification_sent_key(email), time.time(), settings.VERIFICATION_RESEND_SECONDS)

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_language_keep(user=user, language=translation.get_language())
        return user

    def login(self, request: HttpRequest, user) -> None:
        super().login(request, user)
        profile_language_keep(user=user, language=translation.get_language())
