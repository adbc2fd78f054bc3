"""The anonymous page cache: a hit serves fresh tokens, any relevant write makes it stale."""

import re
import time

import pytest
from django.core.cache import caches
from django.test import Client

from infra import page_cache
from lessons.models import Status
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60  # off in tests by default; on in production
    settings.PAGE_CACHE_VERSION_SECONDS = 0  # read the shared version on every request
    page_cache._local.pages.clear()
    page_cache._local.version_read_at = float("-inf")


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


# --- Correct across processes, cache loss and time (issue 11) ---------------------------------


def test_a_local_copy_expires_with_its_entry(client, lesson, settings, monkeypatch):
    settings.PAGE_CACHE_VERSION_SECONDS = 3600  # this process trusts its version for an hour
    client.get(lesson.get_absolute_url())
    lesson.__class__.objects.filter(pk=lesson.pk).update(title="Retitled by a write that skips invalidation")
    later = time.time() + settings.PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr("infra.page_cache.time.time", lambda: later)
    assert "Retitled by a write" in Client().get(lesson.get_absolute_url()).content.decode()


def test_after_the_shared_cache_is_flushed_no_old_copy_comes_back(client, lesson, django_capture_on_commit_callbacks):
    """A version counter restarted from nothing would reach the old numbers again; a random one never does."""
    client.get(lesson.get_absolute_url())  # this process keeps a copy under the current version
    caches["pages"].clear()  # Redis flushed
    with django_capture_on_commit_callbacks(execute=True):
        lesson.__class__.objects.filter(pk=lesson.pk).update(title="Hidden since")  # lost with the flush, say
        page_cache.invalidate()
    assert "Hidden since" in Client().get(lesson.get_absolute_url()).content.decode()
    caches["pages"].clear()
    lesson.__class__.objects.filter(pk=lesson.pk).update(title="Changed again")
    assert "Changed again" in Client().get(lesson.get_absolute_url()).content.decode()  # missing version: render


def test_a_missing_version_is_never_one_seen_before(db):
    seen = set()
    for _ in range(20):
        caches["pages"].clear()
        page_cache._local.version_read_at = float("-inf")
        seen.add(page_cache._local.current_version())
    assert len(seen) == 20


def test_text_a_learner_writes_is_never_taken_for_a_token(client, lesson, user):
    from comments.models import Comment

    written = '`__stream_csp_nonce__ __stream_csrf_token__ name="csrfmiddlewaretoken" value="mine"`'
    Comment.objects.create(lesson=lesson, author=user, body=written)
    client.get(lesson.get_absolute_url())
    served = Client().get(lesson.get_absolute_url())  # from the cache
    html = served.content.decode()
    assert "__stream_csp_nonce__ __stream_csrf_token__" in html
    assert 'name="csrfmiddlewaretoken" value="mine"' in html
    assert html.count(nonce(served)) == html.count("nonce=")


def test_a_sign_in_and_a_time_zone_change_keep_the_cached_pages(
    client, lesson, user, other_user, django_assert_max_num_queries
):
    from progress.models import Profile

    client.get(lesson.get_absolute_url())
    reader = Client()
    assert reader.login(username=other_user.username, password=PASSWORD)  # updates last_login
    profile = Profile.for_user(other_user)
    profile.time_zone = "Asia/Seoul"
    profile.save()
    with django_assert_max_num_queries(1):  # the version only: still a hit
        assert Client().get(lesson.get_absolute_url()).status_code == 200


def test_a_new_public_name_makes_cached_pages_stale(client, lesson, user, django_capture_on_commit_callbacks):
    from comments.models import Comment
    from progress.models import Profile

    Comment.objects.create(lesson=lesson, author=user, body="Hello")
    client.get(lesson.get_absolute_url())
    profile = Profile.for_user(user)
    with django_capture_on_commit_callbacks(execute=True):
        profile.display_name = "Ada L."
        profile.save()
    assert "Ada L." in Client().get(lesson.get_absolute_url()).content.decode()


def test_tagging_a_lesson_makes_cached_pages_stale(client, lesson, django_capture_on_commit_callbacks):
    from lessons.models import Tag

    client.get(lesson.get_absolute_url())
    tag = Tag.objects.create(name="Backpropagation", slug="backpropagation")
    with django_capture_on_commit_callbacks(execute=True):
        lesson.tags.add(tag)
    assert "Backpropagation" in Client().get(lesson.get_absolute_url()).content.decode()


def test_unknown_query_parameters_share_one_entry_and_never_reach_the_page(
    client, lesson, django_assert_max_num_queries
):
    client.get(lesson.get_absolute_url() + "?utm_source=newsletter")
    with django_assert_max_num_queries(1):  # the version only: the same entry
        html = Client().get(lesson.get_absolute_url() + "?fbclid=abc&gclid=def&utm_medium=x").content.decode()
    assert "fbclid" not in html
    assert "utm_" not in html  # the sign-in and report links carry the page without them


def test_the_parameters_a_page_uses_still_change_it(client, lesson, user):
    from comments.models import Comment

    Comment.objects.create(lesson=lesson, author=user, body="First comment")
    Comment.objects.create(lesson=lesson, author=user, body="Second comment")
    oldest = client.get(lesson.get_absolute_url()).content.decode()
    newest = Client().get(lesson.get_absolute_url() + "?comments=newest").content.decode()
    assert oldest.index("First comment") < oldest.index("Second comment")
    assert newest.index("Second comment") < newest.index("First comment")
