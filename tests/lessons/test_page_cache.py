"""The anonymous page cache: a hit serves fresh tokens, any relevant write makes it stale."""

import re

import pytest
from django.test import Client

from lessons import page_cache
from lessons.models import Status
from tests.conftest import make_quest


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60  # off in tests by default; on in production
    settings.PAGE_CACHE_VERSION_SECONDS = 0  # read the shared version on every request
    page_cache._local.pages.clear()


@pytest.fixture
def lesson(db):
    return make_quest("cached", lessons=3).lessons.get(position=2)


def nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def test_a_repeat_visit_is_served_from_the_cache_without_queries_to_content(
    client, lesson, django_assert_max_num_queries
):
    first = client.get(lesson.get_absolute_url())
    with django_assert_max_num_queries(1):  # the version number; the page is in this process's memory
        second = Client().get(lesson.get_absolute_url())
    assert second.status_code == 200
    assert nonce(first) != nonce(second)
    assert f'nonce="{nonce(second)}"' in second.content.decode()
    assert "__stream_csp_nonce__" not in second.content.decode()
    assert "__stream_csrf_token__" not in second.content.decode()
    assert 'name="csrfmiddlewaretoken" value="' in second.content.decode()
    assert "csrftoken" in second.cookies


def test_a_cached_page_still_accepts_its_forms(lesson):
    reader = Client(enforce_csrf_checks=True)
    Client().get(lesson.get_absolute_url())  # fill the cache
    page = reader.get(lesson.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = reader.post("/i18n/setlang/", {"language": "ko", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_saving_a_lesson_makes_cached_pages_stale(client, lesson, django_capture_on_commit_callbacks):
    client.get(lesson.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title = "A new title"
        lesson.save()
    assert "A new title" in Client().get(lesson.get_absolute_url()).content.decode()


def test_publishing_changes_the_cached_quest_page(client, lesson, django_capture_on_commit_callbacks):
    quest_url = lesson.quest.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        lesson.status = Status.DRAFT
        lesson.save()
    assert lesson.title not in client.get(quest_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        lesson.status = Status.PUBLISHED
        lesson.save()
    assert lesson.title in Client().get(quest_url).content.decode()


def test_signed_in_readers_and_pending_messages_bypass_the_cache(client, lesson, user):
    Client().get(lesson.get_absolute_url())
    client.force_login(user)
    body = client.get(lesson.get_absolute_url()).content.decode()
    assert "Sign out" in body


def test_languages_are_cached_separately(lesson):
    Client().get(lesson.get_absolute_url(), headers={"accept-language": "en"})
    korean = Client().get(lesson.get_absolute_url(), headers={"accept-language": "ko"})
    assert '<html lang="ko">' in korean.content.decode()


def test_a_write_inside_the_same_transaction_is_seen_at_once(client, lesson):
    client.get(lesson.get_absolute_url())
    lesson.title = "Changed in this transaction"
    lesson.save()
    assert "Changed in this transaction" in Client().get(lesson.get_absolute_url()).content.decode()


def test_hiding_a_comment_in_bulk_makes_cached_pages_stale(client, lesson, user, staff_user):
    from comments.models import Comment
    from comments.services import comments_visibility_set

    comment = Comment.objects.create(lesson=lesson, author=user, body="Visible for now")
    assert "Visible for now" in client.get(lesson.get_absolute_url()).content.decode()
    comments_visibility_set(comments=Comment.objects.filter(pk=comment.pk), user=staff_user, hidden=True)
    assert "Visible for now" not in Client().get(lesson.get_absolute_url()).content.decode()


def test_the_cache_is_off_when_configured_off(client, lesson, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(lesson.get_absolute_url())
    lesson.__class__.objects.filter(pk=lesson.pk).update(title="Updated behind its back")
    assert "Updated behind its back" in Client().get(lesson.get_absolute_url()).content.decode()


def test_another_process_finds_the_page_in_the_shared_cache(client, lesson, django_assert_max_num_queries):
    client.get(lesson.get_absolute_url())
    page_cache._local.pages.clear()  # as if served by another worker
    with django_assert_max_num_queries(2):  # the version number and the page
        assert Client().get(lesson.get_absolute_url()).status_code == 200


def test_a_process_reads_the_shared_version_at_most_once_a_period(client, lesson, settings, django_assert_num_queries):
    settings.PAGE_CACHE_VERSION_SECONDS = 3600
    page_cache._local.version_read_at = float("-inf")
    client.get(lesson.get_absolute_url())
    with django_assert_num_queries(0):
        Client().get(lesson.get_absolute_url())
