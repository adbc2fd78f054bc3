"""The comments views' edge: who may reach a comment, how refusals become status codes, fragment or page.

Visibility has one home (``Lesson.objects.visible_to``; comments and notifications are built on it),
services refuse without knowing HTTP, and every view answers the page's script and a plain browser
through ``infra.fragments``, saying ``Vary`` each time.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from comments import services
from comments.models import Comment, Notification
from comments.services import CommentRefused
from comments.views import REFUSAL_STATUS
from lessons.models import Status
from tests.comments.conftest import PARTIAL, signed_in

# --- visibility: one rule, on lessons ---


@pytest.mark.parametrize("drafted", ["lesson", "quest"])
def test_comments_on_a_draft_are_visible_to_staff_only(make_comment, user, staff_user, lesson, drafted):
    comment = make_comment(user)
    target = lesson if drafted == "lesson" else lesson.quest
    target.status = Status.DRAFT
    target.save()
    assert list(Comment.objects.visible_to(user)) == []
    assert list(Comment.objects.visible_to(AnonymousUser())) == []
    assert list(Comment.objects.visible_to(staff_user)) == [comment]


def test_notifications_from_a_draft_stop_for_learners_but_not_for_staff(make_comment, user, staff_user, lesson):
    for reader in (user, staff_user):
        parent = make_comment(reader, f"by {reader}")
        services.comment_create(author=staff_user if reader == user else user, lesson=lesson, body="re", parent=parent)
    lesson.quest.status = Status.DRAFT
    lesson.quest.save()
    assert not Notification.objects.filter(recipient=user).visible_to(user).exists()
    assert Notification.objects.filter(recipient=staff_user).visible_to(staff_user).exists()
    assert '<span class="bell-count" data-unread-count>0</span>' in signed_in(user).get("/").content.decode()


# --- one write for hiding and showing ---


def test_hiding_is_one_write_for_the_page_and_the_admin(make_comment, user, other_user, staff_user):
    shown, deleted = make_comment(user, "shown"), make_comment(other_user, "deleted", is_deleted=True)
    comments = Comment.objects.filter(pk__in=[shown.pk, deleted.pk])
    assert services.comments_visibility_set(comments=comments, user=staff_user, hidden=True) == 1
    assert services.comments_visibility_set(comments=comments, user=staff_user, hidden=True) == 0  # already hidden
    assert list(Comment.objects.filter(is_hidden=True)) == [shown]  # the deleted one is left as it is
    with pytest.raises(services.NotAllowed):
        services.comments_visibility_set(comments=comments, user=user, hidden=False)
    assert services.comments_visibility_set(comments=comments, user=staff_user, hidden=False) == 1
    shown.refresh_from_db()
    assert not shown.is_hidden
    assert shown.hidden_at is None


# --- refusals to status codes, at the edge ---


def _refusals(kind: type[CommentRefused]) -> list[type[CommentRefused]]:
    return [kind, *(sub for child in kind.__subclasses__() for sub in _refusals(child))]


def test_refusals_know_nothing_of_http_and_each_has_a_status_at_the_edge():
    for refusal in _refusals(CommentRefused):
        assert not hasattr(refusal, "status"), refusal
        if refusal is not CommentRefused:
            assert refusal in REFUSAL_STATUS, f"{refusal.__name__} needs a status in comments.views"
    assert REFUSAL_STATUS[services.RateLimited] == 429


# --- one way to answer fragment or page ---


def _answers(make_comment, user, other_user, staff_user, lesson):
    """(client, method, url, data) for each comment view that answers a script and a browser differently."""
    mine = make_comment(user, "mine")
    theirs = make_comment(other_user, "theirs")
    author, other, staff = signed_in(user), signed_in(other_user), signed_in(staff_user)
    return [
        (author, "post", reverse("comments:create", args=[lesson.pk]), {"body": "hello"}),
        (author, "post", reverse("comments:create", args=[lesson.pk]), {"body": ""}),
        (author, "get", reverse("comments:edit", args=[mine.pk]), {}),
        (author, "post", reverse("comments:edit", args=[mine.pk]), {"body": "changed"}),
        (other, "post", reverse("comments:edit", args=[mine.pk]), {"body": "not mine"}),
        (other, "post", reverse("comments:flag", args=[mine.pk]), {}),
        (author, "post", reverse("comments:flag", args=[mine.pk]), {}),
        (staff, "post", reverse("comments:hide", args=[theirs.pk]), {}),
        (staff, "post", reverse("comments:unhide", args=[theirs.pk]), {}),
        (author, "post", reverse("comments:delete", args=[mine.pk]), {}),
        (author, "post", reverse("comments:subscription", args=[lesson.pk]), {"mode": "all"}),
        (author, "post", reverse("comments:subscription", args=[lesson.pk]), {"mode": "loud"}),
    ]


@pytest.mark.parametrize("script", [True, False], ids=["script", "browser"])
def test_every_answer_that_depends_on_the_script_header_says_so(
    make_comment, user, other_user, staff_user, lesson, no_rate_limit, script
):
    for client, method, url, data in _answers(make_comment, user, other_user, staff_user, lesson):
        response = getattr(client, method)(url, data, **(PARTIAL if script else {}))
        assert "X-Requested-With" in response.get("Vary", ""), (method, url, data)


def test_a_signed_out_script_is_told_to_sign_in_in_place(client, lesson):
    response = client.post(reverse("comments:create", args=[lesson.pk]), {"body": "x"}, **PARTIAL)
    assert response.status_code == 403
    assert "Please sign in first." in response.content.decode()
    assert "X-Requested-With" in response["Vary"]


def test_android_webview_navigations_get_pages_not_fragments(author_client, lesson):
    """Android's WebView sends X-Requested-With: <the app's package> on every navigation."""
    webview = {"HTTP_X_REQUESTED_WITH": "com.example.reader"}
    response = author_client.post(reverse("comments:create", args=[lesson.pk]), {"body": "from an app"}, **webview)
    assert response.status_code == 302
    assert response["Location"].startswith(lesson.get_absolute_url())
