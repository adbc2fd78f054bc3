"""Signed-in learners' own copies of their pages (``infra.page_cache.cached_page(learners=True)``):
the lesson page, the dashboard and ``GET /api/progress/`` are kept per learner under the content
version and the learner's own version; every write that changes what a learner sees shows on their
next request, and nobody is ever served another person's copy."""

import json
import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from comments import services as comment_services
from comments.models import Comment, LessonSubscription
from infra import page_cache
from progress import services as progress_services
from progress.models import Achievement, Completion, EarnedAchievement, Profile
from tests.conftest import make_user

# the session and the two versions (one cache read): what a kept page costs; no user is loaded
KEPT_PAGE_QUERIES = 2


@pytest.fixture(autouse=True)
def _cache_on(settings, db):
    settings.PAGE_CACHE_SECONDS = 60  # off in tests by default; on in production
    settings.PAGE_CACHE_VERSION_SECONDS = 60
    _forget_this_process()
    yield
    _forget_this_process()


def _forget_this_process():
    page_cache._local.version_read_at = float("-inf")
    page_cache._local.pages.clear()
    page_cache._local.learner_pages.clear()
    page_cache._local.learner_values.clear()
    page_cache._local.shared.clear()


@pytest.fixture
def reader(client, user):
    client.force_login(user)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_learner_is_served_their_own_copy_after_the_first_render(reader, lesson, django_assert_num_queries):
    url = lesson.get_absolute_url()
    first = page(reader, url)
    with django_assert_num_queries(KEPT_PAGE_QUERIES):
        response = reader.get(url)
    kept = response.content.decode()
    assert "no-store" in response["Cache-Control"]  # still private to the browser
    assert _stable(kept) == _stable(first)
    # This request's own nonce and CSRF token, not the first one's.
    assert kept != first


def test_the_copy_carries_fresh_tokens_that_the_post_accepts(reader, lesson):
    url = lesson.get_absolute_url()
    page(reader, url)
    kept = page(reader, url)
    token = kept.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    reader.handler.enforce_csrf_checks = True
    response = reader.post(
        reverse("comments:subscription", args=[lesson.pk]), {"csrfmiddlewaretoken": token, "mode": "all"}
    )
    assert response.status_code in (200, 302)
    assert LessonSubscription.objects.filter(lesson=lesson, mode="all").exists()


def test_two_learners_never_share_a_copy(client, user, other_user, lesson):
    mine = comment_services.comment_create(author=user, lesson=lesson, body="Mine").comment
    edit = reverse("comments:edit", args=[mine.pk])
    url = lesson.get_absolute_url()
    client.force_login(user)
    page(client, url)
    assert edit in page(client, url)  # the author's copy: their Edit link
    client.force_login(other_user)
    page(client, url)
    assert edit not in page(client, url)
    assert len(page_cache._local.learner_pages) == 2


def _unverify(user, lesson, other):
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save()


WRITES = {
    # what the learner does, or what happens to them: (write, what their page shows afterwards)
    "completes the lesson": lambda user, lesson, other: progress_services.lesson_complete(user=user, lesson=lesson),
    "syncs progress from this browser": lambda user, lesson, other: progress_services.progress_merge(
        user=user, completed={lesson.key: timezone.now()}
    ),
    "chooses a public name": lambda user, lesson, other: Profile.objects.update_or_create(
        user=user, defaults={"display_name": "Brand New Name"}
    ),
    "is replied to": lambda user, lesson, other: comment_services.comment_create(
        author=other, lesson=lesson, body="A reply", parent=Comment.objects.filter(author=user).first()
    ),
    "follows the lesson": lambda user, lesson, other: comment_services.subscription_set(
        user=user, lesson=lesson, mode="all"
    ),
    "flags a comment": lambda user, lesson, other: comment_services.comment_flag(
        comment=Comment.objects.filter(author=other).first(), user=user, reason="spam"
    ),
    "loses their verified address": _unverify,
    "posts a comment": lambda user, lesson, other: comment_services.comment_create(
        author=user, lesson=lesson, body="Fresh words"
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_a_learner_sees_shows_on_their_next_request(reader, user, other_user, lesson, write):
    comment_services.comment_create(author=user, lesson=lesson, body="My first comment")
    comment_services.comment_create(author=other_user, lesson=lesson, body="Someone else's comment")
    url = lesson.get_absolute_url()
    # What the page would be without any copy: rendered with the cache off.
    page(reader, url)
    before = page(reader, url)  # served from the learner's copy
    WRITES[write](user, lesson, other_user)
    after = page(reader, url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(page_cache, "enabled", lambda: False)
        fresh = page(reader, url)
    assert _stable(after) == _stable(fresh), write
    assert _stable(after) != _stable(before), write


def _stable(html: str) -> str:
    """The page without what differs per request (nonce, CSRF tokens)."""
    html = re.sub(r'nonce="[^"]+"', 'nonce=""', html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'data-csrf="[^"]+"', "", html)


def test_notifications_read_elsewhere_clear_the_bell(reader, user, other_user, lesson):
    mine = comment_services.comment_create(author=user, lesson=lesson, body="Ask me").comment
    comment_services.comment_create(author=other_user, lesson=lesson, body="An answer", parent=mine)
    url = reverse("progress:dashboard")
    page(reader, url)
    assert "has-unread" in page(reader, url)
    comment_services.notifications_mark_read(user=user)
    assert "has-unread" not in page(reader, url)


def test_the_dashboard_and_the_progress_api_follow_a_completion(reader, user, lesson, django_assert_num_queries):
    api = reverse("progress:api_state")
    page(reader, api)
    with django_assert_num_queries(KEPT_PAGE_QUERIES):
        kept = reader.get(api)
    assert kept["Content-Type"] == "application/json"
    assert json.loads(kept.content)["completed"] == {}
    page(reader, reverse("progress:dashboard"))
    progress_services.lesson_complete(user=user, lesson=lesson)
    assert lesson.key in json.loads(reader.get(api).content)["completed"]
    assert lesson.title in page(reader, reverse("progress:dashboard"))


def test_a_write_in_another_process_shows_at_once(reader, user, lesson):
    """The learner's version lives in the shared cache: another process's write is seen next request."""
    url = reverse("progress:api_state")
    page(reader, url)
    Completion.objects.bulk_create([Completion(user=user, lesson=lesson, completed_at=timezone.now())])
    assert json.loads(reader.get(url).content)["completed"] == {}  # no signal, no new version: the copy
    page_cache._pages().set(f"{page_cache.LEARNER_KEY}{user.pk}", "written-by-another-process", None)
    assert lesson.key in json.loads(reader.get(url).content)["completed"]


def test_staff_are_always_rendered(client, staff_user, lesson):
    client.force_login(staff_user)
    url = lesson.get_absolute_url()
    page(client, url)
    page(client, url)
    assert not page_cache._local.learner_pages


def test_a_waiting_message_is_shown_not_a_copy(reader, lesson):
    """A message waits (in its cookie) for the next page: that page is rendered, not the kept copy,
    even though nothing the learner sees was written."""
    url = lesson.get_absolute_url()
    page(reader, url)
    page(reader, url)
    response = reader.post(reverse("progress:lesson_mark"), {"lesson": "no-such-lesson", "done": "1", "next": url})
    assert response.status_code == 302
    assert "Only published lessons can be completed. Nothing was changed." in page(reader, url)
    assert "Only published lessons can be completed" not in page(reader, url)  # shown once, then the copy again


def test_a_copy_is_kept_no_longer_than_an_edit_link_lives(reader, user, lesson):
    posted = comment_services.comment_create(author=user, lesson=lesson, body="Just posted").comment
    Comment.objects.filter(pk=posted.pk).update(created_at=timezone.now() - timedelta(minutes=14, seconds=30))
    page(reader, lesson.get_absolute_url())
    (entry,) = page_cache._local.learner_pages.values()
    assert entry[0] - time.time() <= 31  # the Edit link goes at 15 minutes, not in a minute


def test_signed_out_visitors_and_other_learners_get_no_learner_copy(client, lesson):
    learner = make_user("third@example.com")
    client.force_login(learner)
    page(client, lesson.get_absolute_url())
    client.logout()
    html = page(client, lesson.get_absolute_url())
    assert "third" not in html


def test_a_session_from_before_a_password_change_is_signed_out_not_served(client, user, lesson):
    """A kept page is found without loading the user: the key holds the session's authentication
    hash, so a session the password change ended never finds the new session's copy."""
    url = lesson.get_absolute_url()
    old_session = client
    old_session.force_login(user)
    page(old_session, url)
    user.set_password("a-new-password-42")
    user.save()
    new_session = type(client)()
    new_session.force_login(user)
    page(new_session, url)
    assert "data-logout-form" in page(new_session, url)  # kept for the new session
    assert "data-logout-form" not in page(old_session, url)  # the old one is signed out


def test_a_deactivated_account_is_not_served_its_copy(reader, user, lesson):
    url = lesson.get_absolute_url()
    page(reader, url)
    assert "data-logout-form" in page(reader, url)
    user.is_active = False
    user.save()
    assert "data-logout-form" not in page(reader, url)


def test_the_api_answers_with_the_standing_its_own_write_made(reader, user, lessons):
    """The learner's standing is kept per learner version; a write in the same request forgets it."""
    first, second = lessons[0], lessons[1]
    sync = reverse("progress:api_sync")
    body = json.dumps({"completed": {first.key: timezone.now().isoformat()}})
    assert first.key in reader.post(sync, body, content_type="application/json").json()["completed"]
    assert first.key in reader.post(sync, body, content_type="application/json").json()["completed"]  # kept
    complete = reader.post(reverse("progress:api_complete"), json.dumps({"lesson": second.key}), "application/json")
    assert set(complete.json()["completed"]) == {first.key, second.key}
    undo = reader.post(reverse("progress:api_uncomplete"), json.dumps({"lesson": first.key}), "application/json")
    assert set(undo.json()["completed"]) == {second.key}
    assert set(reader.get(reverse("progress:api_state")).json()["completed"]) == {second.key}


def test_a_row_given_to_another_learner_changes_what_both_see(client, user, other_user, lesson):
    """Staff can move a row to another account in the admin: the learner who lost it sees that too."""
    EmailAddress.objects.filter(user=other_user).delete()
    achievement = Achievement.objects.order_by("pk").first()
    earned = EarnedAchievement.objects.create(user=user, achievement=achievement, earned_at=timezone.now())
    client.force_login(user)
    url, api = lesson.get_absolute_url(), reverse("progress:api_state")
    page(client, url)
    assert 'id="comment-body-new"' in page(client, url)  # verified: the comment form
    page(client, api)
    address = EmailAddress.objects.get(user=user)
    address.user = other_user
    address.save()
    earned.user = other_user
    earned.save()
    assert 'id="comment-body-new"' not in page(client, url)
    assert json.loads(page(client, api))["achievements"] == []


def test_a_page_drawn_from_a_kept_standing_is_kept_no_longer_than_the_standing(reader, user, monkeypatch):
    """The standing holds the streak, which time moves on: kept 60 s, and a page drawn from it 30 s
    later is kept the remaining 30 s, not another 60."""
    clock = {"now": time.time()}
    monkeypatch.setattr(page_cache.time, "time", lambda: clock["now"])
    page(reader, reverse("progress:dashboard"))  # builds and keeps the standing
    clock["now"] += 30
    page(reader, reverse("progress:api_state"))  # drawn from the kept standing
    (api_entry,) = [entry for entry in page_cache._local.learner_pages.values() if "json" in entry[3]]
    assert api_entry[0] <= clock["now"] + 30


def test_a_learner_value_built_while_the_content_changed_is_not_kept(rf, user):
    """As shared values: a value read from rows of the old content is not kept under the new version."""
    request = rf.get("/api/progress/")
    request.user = user
    setattr(request, page_cache._LEARNER_VERSION, (str(user.pk), "learner-version"))
    page_cache._local.set_version("before", page_cache.time.monotonic())

    def build_while_another_thread_writes():
        page_cache._local.set_version("after", page_cache.time.monotonic())
        return "read from the old rows"

    page_cache.learner_value(request, "probe", build_while_another_thread_writes)
    assert page_cache.learner_value(request, "probe", lambda: "read from the new rows") == "read from the new rows"
