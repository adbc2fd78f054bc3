"""Settings refuse values they do not understand; test mode and HSTS preload are stated, not guessed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_choice, env_float, env_int

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-this-test-0123456789",
    "DJANGO_ALLOWED_HOSTS": "stream.example.com",
    "DATABASE_URL": "sqlite:////tmp/stream-settings-check.sqlite3",
}


def setting(name: str, **env: str) -> subprocess.CompletedProcess:
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("off", False)]
)
def test_yes_no_words_are_understood(monkeypatch, value, expected):
    monkeypatch.setenv("STREAM_TEST_FLAG", value)
    assert env_bool("STREAM_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("value", ["ture", "flase", "2", "enabled", "y"])
def test_a_misspelled_yes_no_value_is_an_error_not_off(monkeypatch, value):
    monkeypatch.setenv("STREAM_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="STREAM_TEST_FLAG"):
        env_bool("STREAM_TEST_FLAG", True)


def test_numbers_and_choices_are_checked(monkeypatch):
    monkeypatch.setenv("STREAM_TEST_NUMBER", "sixty")
    with pytest.raises(ImproperlyConfigured):
        env_int("STREAM_TEST_NUMBER", 60)
    monkeypatch.setenv("STREAM_TEST_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured):
        env_int("STREAM_TEST_NUMBER", 0)
    with pytest.raises(ImproperlyConfigured):
        env_float("STREAM_TEST_NUMBER", 1.0)
    monkeypatch.setenv("STREAM_TEST_NUMBER", "redis")
    with pytest.raises(ImproperlyConfigured):
        env_choice("STREAM_TEST_NUMBER", "immediate", ("immediate", "database"))
    monkeypatch.delenv("STREAM_TEST_NUMBER")
    assert env_int("STREAM_TEST_NUMBER", 60) == 60


def test_the_site_refuses_to_start_on_a_misspelled_security_setting():
    result = setting("SECURE_SSL_REDIRECT", DJANGO_SECURE_SSL_REDIRECT="ture")
    assert result.returncode != 0
    assert "DJANGO_SECURE_SSL_REDIRECT='ture' is not a yes/no value" in result.stderr


def test_test_mode_is_stated_by_the_test_run():
    assert os.environ["DJANGO_TESTING"] == "1"
    assert settings.TESTING is True
    result = setting("TESTING")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_hsts_preload_only_when_the_operator_opts_in():
    default = setting("SECURE_HSTS_PRELOAD")
    assert default.stdout.strip().splitlines()[-1] == "False"
    opted_in = setting("SECURE_HSTS_PRELOAD", DJANGO_SECURE_HSTS_PRELOAD="1")
    assert opted_in.stdout.strip().splitlines()[-1] == "True"


def test_the_trusted_proxy_count_is_a_whole_number():
    assert setting("TRUSTED_PROXY_COUNT", DJANGO_TRUSTED_PROXY_COUNT="1").stdout.strip().splitlines()[-1] == "1"
    assert setting("TRUSTED_PROXY_COUNT", DJANGO_TRUSTED_PROXY_COUNT="one").returncode != 0


def test_with_redis_only_pages_move_there_and_limits_and_sessions_stay_in_the_database():
    code = (
        "from django.conf import settings; c = settings.CACHES; "
        "print(c['default']['BACKEND'], c['pages']['BACKEND'], c['pages']['LOCATION'], settings.SESSION_ENGINE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**PRODUCTION_ENV, "REDIS_URL": "redis://redis.internal:6379/0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == [
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
        "redis://redis.internal:6379/0",
        "django.contrib.sessions.backends.db",
    ]
