"""Everything the site holds about a learner, for "download my data" (SPEC section 7).

Each app that stores personal data says what it holds in its own ``privacy.py``, with a
``personal_data(user) -> dict`` function; Django's ``autodiscover_modules`` finds them
the way the admin finds ``admin.py``, so no app imports another to build the export and
a new app only has to add the module. The sign-in account itself is kept by Django's
auth and allauth, which offer no such module, so it is collected here.
"""

import sys
from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from infra.timestamps import iso

MODULE = "privacy"


def _collectors() -> list[tuple[str, Callable[..., dict]]]:
    """(app label, its ``personal_data``) for every installed app with a privacy module.

    An app without one is skipped; a module that exists but fails to import raises
    (``autodiscover_modules`` re-raises), so a broken one is seen, never silently left out."""
    autodiscover_modules(MODULE)
    found = []
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.{MODULE}")
        collect = getattr(module, "personal_data", None)
        if callable(collect):
            found.append((config.label, collect))
    return found


def _account_data(user) -> dict:
    return {
        "username": user.get_username(),
        "email": user.email,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Accounts at sign-in providers, with what the provider sent about the learner. Access
        # tokens are not included: they are credentials, not information about the learner.
        "social_accounts": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "date_joined": iso(account.date_joined),
                "last_login": iso(account.last_login),
                "extra_data": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
    }


def export_personal_data(user) -> dict:
    """The export: when it was made, the account, then each app's part under its label.

    (Not named ``personal_data``: this module is an installed app's privacy module too,
    and would find itself.)"""
    data: dict = {"exported_at": iso(timezone.now()), "account": _account_data(user)}
    for label, collect in _collectors():
        data[label] = collect(user)
    return data
