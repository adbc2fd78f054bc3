"""The skeleton: settings, security headers, health, accounts, languages, error pages."""

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import dj_database_url
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import DatabaseError
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "stream.example.com",
    "DATABASE_URL": "sqlite:////tmp/stream-deploy-check.sqlite3",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_database_url_is_parsed_into_settings():
    config = dj_database_url.parse("postgres://stream:secret@db.example.com:6543/streamdb")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.example.com",
        6543,
        "streamdb",
        "stream",
    )
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
        env={**PRODUCTION_ENV, "DATABASE_URL": "postgres://u:p@h:5432/from_env"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "from_env"


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_check_deploy_with_production_settings_has_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, db):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_every_page_has_a_csp_header_with_a_nonce_matching_its_script(client, db):
    response = client.get("/")
    header = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    assert "script-src 'self' 'nonce-" in header
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_sign_up_sends_verification_then_log_in_and_log_out(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": "a-strong-pass-123", "password2": "a-strong-pass-123"},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    client.post(reverse("account_logout"))
    confirm_path = link.split("testserver", 1)[1]
    assert client.post(confirm_path).status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": "a-strong-pass-123"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_sign_in_is_allowed_before_the_email_is_verified(client, unverified_user):
    response = client.post(
        reverse("account_login"), {"login": "unverified@example.com", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_password_reset_answers_unknown_addresses_exactly_like_known_ones(client, user):
    known = client.post(reverse("account_reset_password"), {"email": "learner@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    # allauth tells the unknown address that it has no account, so both receive one email.
    assert sorted(m.to[0] for m in mail.outbox) == ["learner@example.com", "nobody@example.com"]


def test_admin_is_staff_only(client, user, staff_user):
    response = client.get("/admin/")
    assert response.status_code == 302
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ko", "로그인"), ("en", "Sign in")],
)
def test_interface_language_follows_the_browser(client, db, language, expected):
    response = client.get("/", headers={"accept-language": language})
    assert response.headers["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()
    assert expected in response.content.decode()


def test_not_found_page_uses_the_site_layout(client, db):
    response = client.get("/quests/no-such-quest/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert "Back to the quests" in body


def test_signup_page_is_styled_with_the_site_layout(client, db):
    body = client.get(reverse("account_signup")).content.decode()
    assert 'class="site-header"' in body
    assert 'name="password1"' in body


def test_user_model_signs_in_by_email(db):
    user = get_user_model().objects.create_user(username="u", email="u@example.com", password="pw-123456789")
    assert user.email == "u@example.com"


def test_a_sign_in_provider_is_switched_on_from_the_environment_alone():
    env = {
        **PRODUCTION_ENV,
        "DJANGO_SOCIALACCOUNT_PROVIDERS": "github",
        "DJANGO_SOCIALACCOUNT_GITHUB_CLIENT_ID": "client",
        "DJANGO_SOCIALACCOUNT_GITHUB_SECRET": "secret",
    }
    result = run_manage(
        "shell", "-c", "from django.urls import reverse; print(reverse('github_login'))", env=env
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "/accounts/github/login/"
