"""Third-party sign-in is switched on and off from the environment alone (issue 12, SPEC 7).

The browser journey (tests/e2e/test_social_login.py) follows the redirect to the provider;
these tests hold the settings that make it possible."""

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter
from django.conf import settings
from django.test import RequestFactory, override_settings

ROOT = Path(__file__).resolve().parents[2]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("provider", sorted(settings.SOCIAL_AUTHORIZE_ORIGINS))
def test_the_origin_table_matches_each_providers_authorize_url(db, provider):
    """If allauth moves a provider's authorization page, this fails before a learner's browser refuses it."""
    with override_settings(
        INSTALLED_APPS=[*settings.INSTALLED_APPS, f"allauth.socialaccount.providers.{provider}"],
        SOCIALACCOUNT_PROVIDERS={provider: {"APPS": [{"client_id": "id", "secret": "secret"}]}},
    ):
        views = importlib.import_module(f"allauth.socialaccount.providers.{provider}.views")
        adapters = [
            cls
            for _name, cls in inspect.getmembers(views, inspect.isclass)
            if issubclass(cls, OAuth2Adapter) and cls.__module__ == views.__name__
        ]
        assert len(adapters) == 1, adapters
        authorize_url = adapters[0](RequestFactory().get("/")).authorize_url
    assert _origin(authorize_url) == settings.SOCIAL_AUTHORIZE_ORIGINS[provider]


def test_socialaccount_is_installed_and_migrated_with_no_provider_switched_on(db):
    assert settings.SOCIAL_PROVIDERS == []
    assert "allauth.socialaccount" in settings.INSTALLED_APPS
    assert SocialApp.objects.count() == 0  # the table exists: migrate made it
    assert settings.SECURE_CSP["form-action"] == ["'self'"]  # nothing opened that is not used


def _settings_with(**env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_TESTING": "1",
        "DATABASE_URL": "sqlite:////tmp/stream-social-settings.sqlite3",
        **env,
    }
    code = "from django.conf import settings; print(' '.join(map(str, settings.SECURE_CSP['form-action'])))"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_form_action_allows_exactly_the_enabled_providers():
    result = _settings_with(DJANGO_SOCIALACCOUNT_PROVIDERS="github,microsoft")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'self'", "https://github.com", "https://login.microsoftonline.com"]


def test_an_operator_can_name_the_origin_of_a_self_hosted_provider():
    result = _settings_with(
        DJANGO_SOCIALACCOUNT_PROVIDERS="gitlab",
        DJANGO_SOCIALACCOUNT_GITLAB_AUTHORIZE_ORIGIN="https://git.example.org/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'self'", "https://git.example.org"]


def test_a_provider_without_a_known_origin_stops_the_start_with_a_clear_message():
    result = _settings_with(DJANGO_SOCIALACCOUNT_PROVIDERS="discord")
    assert result.returncode != 0
    assert "DJANGO_SOCIALACCOUNT_DISCORD_AUTHORIZE_ORIGIN" in result.stderr
