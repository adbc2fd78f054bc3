"""What production needs from the database comes from `migrate`; each cache has one job."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services as comments
from infra import page_cache
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SIGN_UP_AND_NOT_FOUND = """
from django.test import Client
client = Client()
signup = client.post("/accounts/signup/", {"email": "new@example.com", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}, secure=True)
missing = client.get("/no-such-page/", secure=True)
print(signup.status_code, missing.status_code)
"""


def test_a_database_prepared_by_migrate_alone_signs_up_and_shows_the_404_page(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_TESTING": "1",  # static files from the finders; nothing else differs for this
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput", "--verbosity=0")
    assert "CREATE TABLE" not in manage("createcachetable", "--dry-run")  # nothing left for it to create
    assert manage("shell", "-c", SIGN_UP_AND_NOT_FOUND).split()[-2:] == ["302", "404"]


def test_page_entries_and_limit_counters_live_in_separate_tables(db):
    assert caches["default"]._table != caches["pages"]._table
    assert {caches["default"]._table, caches["pages"]._table} <= set(connection.introspection.table_names())


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_VERSION_SECONDS = 0


def cache_rows(alias: str, *, excluding: str = "") -> int:
    """Rows in this alias's table, without those whose key contains ``excluding``."""
    table = connection.ops.quote_name(caches[alias]._table)
    with connection.cursor() as cursor:
        query = f"SELECT COUNT(*) FROM {table} WHERE %s = '' OR cache_key NOT LIKE %s"  # noqa: S608
        cursor.execute(query, [excluding, f"%{excluding}%"])
        return cursor.fetchone()[0]


def test_filling_the_page_cache_wipes_no_limit(page_cache_on, user, other_user, quest, monkeypatch):
    """The measured fault: 400 home-page views with distinct ?utm_source= culled the shared
    database cache, allauth's failed-login counter with it, and the next wrong password was
    checked again instead of refused."""
    login = reverse("account_login")
    for _ in range(5):  # allauth: 5 failed logins per account in 5 minutes
        Client().post(login, {"login": user.email, "password": "wrong"})
    writer = Client()
    writer.force_login(other_user)
    lesson = quest.lessons.first()
    # The 800 requests below can take over a minute on a busy machine; the limiter's clock stands
    # still so that the comment window cannot simply expire in between.
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    for number in range(5):  # ours: 5 comments a minute
        comments.comment_create(author=other_user, lesson=lesson, body=f"comment {number}")

    for number in range(400):
        assert Client().get(f"/?utm_source=campaign-{number}&fbclid={number}").status_code == 200
    # The version and one page (beside the learners' versions): the parameters made no entries.
    assert cache_rows("pages", excluding=page_cache.LEARNER_KEY) <= 2
    pages = caches["pages"]
    pages._max_entries, pages._cull_frequency = 300, 3  # and when pages do overflow their table…
    for number in range(400):
        pages.set(f"filler-{number}", "x" * 100, 60)
    assert cache_rows("pages") < 400  # …culling happened there

    refused = Client().post(login, {"login": user.email, "password": PASSWORD})
    assert "Too many failed login attempts" in refused.content.decode()  # even the right password, for now
    with pytest.raises(comments.RateLimited):
        comments.comment_create(author=other_user, lesson=lesson, body="one too many")
