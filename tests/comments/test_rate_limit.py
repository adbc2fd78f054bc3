"""At most 5 comments a minute and 50 a day per account, counted in the shared database."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests.comments.conftest import PARTIAL, signed_in

NOON = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The services' clock, set by the test (the window a comment counts in depends on it)."""

    class Clock:
        now = NOON

        def advance(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr("comments.services.timezone.now", lambda: clock.now)
    return clock


def post(client, lesson, body, **extra):
    return client.post(reverse("comments:create", args=[lesson.pk]), {"body": body}, **extra)


def test_the_sixth_comment_in_a_minute_is_refused_and_the_text_kept(user, lesson, clock):
    # Two browsers (two sessions) of one account: the limit is the account's, not the session's.
    browsers = [signed_in(user), signed_in(user)]
    for i in range(5):
        assert post(browsers[i % 2], lesson, f"comment {i}").status_code == 302
    response = post(browsers[1], lesson, "the one too many")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Please wait a minute" in html
    assert "the one too many</textarea>" in html
    assert Comment.objects.count() == 5


def test_script_posts_get_the_message_in_place(user, lesson, clock):
    client = signed_in(user)
    for i in range(5):
        post(client, lesson, f"comment {i}", **PARTIAL)
    response = post(client, lesson, "too many", **PARTIAL)
    assert response.status_code == 429
    assert "Please wait a minute" in response.content.decode()


def test_the_next_minute_opens_again_and_refusals_do_not_count(user, lesson, clock):
    client = signed_in(user)
    for i in range(5):
        post(client, lesson, f"comment {i}")
    for _ in range(3):
        assert post(client, lesson, "refused").status_code == 429
    clock.advance(minutes=1)
    for i in range(5):
        assert post(client, lesson, f"next minute {i}").status_code == 302
    assert Comment.objects.count() == 10


def test_the_limit_is_per_account(user, other_user, lesson, clock):
    for i in range(5):
        post(signed_in(user), lesson, f"mine {i}")
    assert post(signed_in(other_user), lesson, "someone else").status_code == 302


def test_fifty_a_day(user, lesson, clock):
    for i in range(50):
        services.comment_create(author=user, lesson=lesson, body=f"comment {i}")
        if i % 5 == 4:
            clock.advance(minutes=1)
    response = post(signed_in(user), lesson, "number fifty-one")
    assert response.status_code == 429
    assert "50 comments today" in response.content.decode()
    assert "number fifty-one</textarea>" in response.content.decode()
    clock.advance(days=1)
    assert post(signed_in(user), lesson, "a new day").status_code == 302


def test_the_counters_live_in_the_database_every_process_shares(user, lesson, clock):
    from django.core.cache import caches

    from infra.models import RateCounter

    services.comment_create(author=user, lesson=lesson, body="counted")
    minute = int(NOON.timestamp()) // 60 * 60
    counter = RateCounter.objects.get(key=f"comments:minute:user:{user.pk}", window_start=minute)
    assert counter.count == 1
    # Another process counts in the same row: emulate it by writing it as it would.
    RateCounter.objects.filter(pk=counter.pk).update(count=5)
    for alias in caches:  # no cache flush lifts a limit
        caches[alias].clear()
    with pytest.raises(services.RateLimited):
        services.comment_create(author=user, lesson=lesson, body="refused")


# --- preview, edit and flag are limited too (issue 12): counted first, refused past the limit ---


def test_previews_are_limited_and_the_refusal_keeps_the_text(user, lesson, clock):
    client = signed_in(user)
    url = reverse("comments:preview")
    limit = services.PREVIEW_RATE_LIMITS[0][2]
    for i in range(limit):
        assert client.post(url, {"body": f"*draft* {i}"}, **PARTIAL).status_code == 200
    refused = client.post(url, {"body": "*one too many*"}, **PARTIAL)
    assert refused.status_code == 429
    assert "previewing very quickly" in refused.content.decode()
    assert "<em>" not in refused.content.decode()  # not rendered
    assert client.post(url, {"body": ""}, **PARTIAL).status_code == 200  # nothing to render counts nothing
    clock.advance(minutes=1)
    assert client.post(url, {"body": "*again*"}, **PARTIAL).status_code == 200


def test_edits_are_limited_and_the_form_comes_back_with_the_text(user, lesson, clock):
    comment = services.comment_create(author=user, lesson=lesson, body="first words").comment
    client = signed_in(user)
    url = reverse("comments:edit", args=[comment.pk])
    limit = services.EDIT_RATE_LIMITS[0][2]
    for i in range(limit):
        assert client.post(url, {"body": f"edit {i}"}).status_code == 302
    response = client.post(url, {"body": "the edit too many"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "editing very quickly" in html
    assert "the edit too many</textarea>" in html
    comment.refresh_from_db()
    assert comment.body == f"edit {limit - 1}"
    in_place = client.post(url, {"body": "by script"}, **PARTIAL)
    assert in_place.status_code == 429
    assert "editing very quickly" in in_place.content.decode()
    clock.advance(minutes=1)
    assert client.post(url, {"body": "a minute later"}).status_code == 302


def test_flags_are_limited(user, other_user, lesson, clock, no_rate_limit):
    limit = services.FLAG_RATE_LIMITS[0][2]
    comments = [services.comment_create(author=user, lesson=lesson, body=f"c{i}").comment for i in range(limit + 1)]
    client = signed_in(other_user)
    for comment in comments[:limit]:
        assert client.post(reverse("comments:flag", args=[comment.pk])).status_code == 302
    response = client.post(reverse("comments:flag", args=[comments[-1].pk]))
    assert response.status_code == 429
    assert "flagging very quickly" in response.content.decode()
    assert not Comment.objects.get(pk=comments[-1].pk).flags.exists()
    clock.advance(minutes=1)
    assert client.post(reverse("comments:flag", args=[comments[-1].pk])).status_code == 302


def test_the_daily_limits_of_the_other_actions_say_so(user, other_user, lesson, clock, monkeypatch):
    monkeypatch.setattr("comments.services.FLAG_RATE_LIMITS", (("minute", 60, 100), ("day", 86400, 2)))
    comments = [services.comment_create(author=user, lesson=lesson, body=f"c{i}").comment for i in range(3)]
    for comment in comments[:2]:
        services.comment_flag(comment=comment, user=other_user)
    with pytest.raises(services.RateLimited) as refused:
        services.comment_flag(comment=comments[2], user=other_user)
    assert "flagged 2 comments today" in str(refused.value.message)


def test_flagging_needs_a_verified_email(user, unverified_user, lesson):
    comment = services.comment_create(author=user, lesson=lesson, body="words").comment
    response = signed_in(unverified_user).post(reverse("comments:flag", args=[comment.pk]))
    assert response.status_code == 403
    assert "verify your email address before flagging" in response.content.decode()
    assert not comment.flags.exists()
