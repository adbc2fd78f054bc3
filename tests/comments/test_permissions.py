"""Who may do what with a comment: a cast of author, other user, staff, anonymous and unverified.

Every action is tried through the real URLs by every member of the cast; the database says whether
it happened, the response says why not.
"""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Flag
from tests.comments.conftest import PARTIAL, signed_in

CAST = ["author", "other", "staff", "anonymous", "unverified"]


@pytest.fixture
def cast(user, other_user, staff_user, unverified_user):
    """A client per role; "author" is `user`, who writes the comment under test."""
    return {
        "author": signed_in(user),
        "other": signed_in(other_user),
        "staff": signed_in(staff_user),
        "anonymous": Client(),
        "unverified": signed_in(unverified_user),
    }


@pytest.fixture
def comment(make_comment, user):
    return make_comment(user, "The original text.")


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- posting ---

POSTING = {"author": True, "other": True, "staff": True, "anonymous": False, "unverified": False}


@pytest.mark.parametrize("role", CAST)
def test_posting_needs_a_signed_in_account_with_a_verified_email(cast, role, lesson):
    response = cast[role].post(reverse("comments:create", args=[lesson.pk]), {"body": "Hello from " + role})
    assert Comment.objects.filter(body="Hello from " + role).exists() is POSTING[role]
    if POSTING[role]:
        assert response.status_code == 302
    elif role == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == 403


def test_unverified_users_are_told_why_with_a_resend_link_and_keep_their_text(cast, lesson):
    response = cast["unverified"].post(reverse("comments:create", args=[lesson.pk]), {"body": "My unsent thoughts"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "verify your email address" in html
    assert f'href="{reverse("account_email")}"' in html
    assert "My unsent thoughts</textarea>" in html


def test_unverified_users_see_the_verification_notice_instead_of_the_form(cast, lesson):
    html = cast["unverified"].get(lesson.get_absolute_url()).content.decode()
    assert "verify your email address" in html
    assert f'href="{reverse("account_email")}"' in html
    assert 'name="body"' not in html


def test_anonymous_visitors_are_invited_to_log_in(cast, lesson):
    html = cast["anonymous"].get(lesson.get_absolute_url()).content.decode()
    assert "Log in</a> to leave a comment." in html
    assert "Reply notifications (login required)" in html
    assert 'name="body"' not in html


def test_replying_through_script_as_unverified_answers_with_the_message(cast, lesson, comment):
    url = reverse("comments:create", args=[lesson.pk])
    response = cast["unverified"].post(url, {"body": "reply", "parent": comment.pk}, **PARTIAL)
    assert response.status_code == 403
    assert "verify your email address" in response.content.decode()
    assert comment.replies.count() == 0


# --- editing ---

EDITING = {"author": True, "other": False, "staff": False, "anonymous": False, "unverified": False}


@pytest.mark.parametrize("role", CAST)
def test_only_the_author_edits_within_fifteen_minutes(cast, role, comment):
    response = cast[role].post(reverse("comments:edit", args=[comment.pk]), {"body": "Changed by " + role})
    comment.refresh_from_db()
    assert (comment.body == "Changed by " + role) is EDITING[role]
    if EDITING[role]:
        assert response.status_code == 302
        assert comment.edited_at is not None
    elif role == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == 403
        assert comment.body == "The original text."


def test_editing_after_fifteen_minutes_is_refused_with_a_reason(cast, comment):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=15, seconds=1))
    response = cast["author"].post(reverse("comments:edit", args=[comment.pk]), {"body": "Too late"})
    comment.refresh_from_db()
    assert response.status_code == 403
    assert "15 minutes" in response.content.decode()
    assert comment.body == "The original text."
    assert comment.edited_at is None


def test_the_edit_page_is_refused_after_the_window_too(cast, comment):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    assert cast["author"].get(reverse("comments:edit", args=[comment.pk])).status_code == 403


def test_editing_just_before_the_deadline_works(cast, comment):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=14, seconds=50))
    cast["author"].post(reverse("comments:edit", args=[comment.pk]), {"body": "Just in time"})
    comment.refresh_from_db()
    assert comment.body == "Just in time"


def test_an_edited_comment_is_marked_edited_and_rerendered(cast, comment, lesson):
    cast["author"].post(reverse("comments:edit", args=[comment.pk]), {"body": "Now *emphasised*"})
    comment.refresh_from_db()
    assert comment.body_html == "<p>Now <em>emphasised</em></p>"
    html = cast["other"].get(lesson.get_absolute_url()).content.decode()
    assert "(edited)" in html
    assert "<p>Now <em>emphasised</em></p>" in html


# --- deleting ---

DELETING = {"author": True, "other": False, "staff": False, "anonymous": False, "unverified": False}


@pytest.mark.parametrize("role", CAST)
def test_only_the_author_deletes(cast, role, comment):
    response = cast[role].post(reverse("comments:delete", args=[comment.pk]))
    assert (not Comment.objects.filter(pk=comment.pk).exists()) is DELETING[role]
    if role == "anonymous":
        assert _is_login_redirect(response)
    elif not DELETING[role]:
        assert response.status_code == 403


def test_the_author_deletes_at_any_time(cast, comment):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=400))
    cast["author"].post(reverse("comments:delete", args=[comment.pk]))
    assert not Comment.objects.filter(pk=comment.pk).exists()


# --- hiding ---

HIDING = {"author": False, "other": False, "staff": True, "anonymous": False, "unverified": False}


@pytest.mark.parametrize("role", CAST)
def test_only_staff_hide_and_unhide(cast, role, comment):
    response = cast[role].post(reverse("comments:hide", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.is_hidden is HIDING[role]
    if role == "anonymous":
        assert _is_login_redirect(response)
    elif not HIDING[role]:
        assert response.status_code == 403
    if HIDING[role]:
        cast[role].post(reverse("comments:unhide", args=[comment.pk]))
        comment.refresh_from_db()
        assert comment.is_hidden is False


@pytest.mark.parametrize("role", ["author", "other", "unverified"])
def test_non_staff_cannot_unhide(cast, role, comment):
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    assert cast[role].post(reverse("comments:unhide", args=[comment.pk])).status_code == 403
    comment.refresh_from_db()
    assert comment.is_hidden


# --- flagging ---

FLAGGING = {"author": False, "other": True, "staff": True, "anonymous": False, "unverified": False}


@pytest.mark.parametrize("role", CAST)
def test_any_signed_in_reader_flags_others_comments(cast, role, comment):
    response = cast[role].post(reverse("comments:flag", args=[comment.pk]))
    comment.refresh_from_db()
    assert (comment.flag_count == 1) is FLAGGING[role]
    assert Flag.objects.filter(comment=comment).exists() is FLAGGING[role]
    if role == "anonymous":
        assert _is_login_redirect(response)
    elif not FLAGGING[role]:
        assert response.status_code == 403


def test_flagging_twice_counts_once_and_says_so(cast, comment):
    cast["other"].post(reverse("comments:flag", args=[comment.pk]))
    response = cast["other"].post(reverse("comments:flag", args=[comment.pk]), **PARTIAL)
    comment.refresh_from_db()
    assert response.status_code == 400
    assert "already flagged" in response.content.decode()
    assert comment.flag_count == 1
    assert Flag.objects.filter(comment=comment).count() == 1


# --- what each role is shown ---

BUTTONS = {
    # role: (edit, delete, flag, hide)
    "author": (True, True, False, False),
    "other": (False, False, True, False),
    "staff": (False, False, True, True),
    "anonymous": (False, False, False, False),
    "unverified": (False, False, False, False),  # flagging needs a verified email, like posting
}


@pytest.mark.parametrize("role", CAST)
def test_each_role_sees_only_the_buttons_it_may_use(cast, role, comment, lesson):
    html = cast[role].get(lesson.get_absolute_url()).content.decode()
    shown = tuple(
        reverse(f"comments:{action}", args=[comment.pk]) in html for action in ("edit", "delete", "flag", "hide")
    )
    assert shown == BUTTONS[role]
    assert (reverse("comments:reply", args=[comment.pk]) in html) is POSTING[role]


def test_the_edit_button_goes_away_after_fifteen_minutes(cast, comment, lesson):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    html = cast["author"].get(lesson.get_absolute_url()).content.decode()
    assert reverse("comments:edit", args=[comment.pk]) not in html
    assert reverse("comments:delete", args=[comment.pk]) in html


# --- drafts ---


def test_comments_on_a_draft_lesson_are_out_of_reach_for_learners(cast, comment, lesson):
    lesson.status = "draft"
    lesson.save()
    assert cast["other"].post(reverse("comments:create", args=[lesson.pk]), {"body": "x"}).status_code == 404
    assert cast["other"].post(reverse("comments:flag", args=[comment.pk])).status_code == 404
    assert cast["author"].get(reverse("comments:permalink", args=[comment.pk])).status_code == 404
    assert cast["staff"].get(reverse("comments:permalink", args=[comment.pk])).status_code == 302


@pytest.mark.parametrize(
    ("role", "action"),
    [("other", "delete"), ("staff", "delete"), ("author", "flag"), ("author", "hide"), ("other", "unhide")],
)
def test_confirmation_pages_are_refused_to_those_who_may_not_act(cast, comment, role, action):
    response = cast[role].get(reverse(f"comments:{action}", args=[comment.pk]))
    assert response.status_code == 403
    assert "can't do that" in html.unescape(response.content.decode())
