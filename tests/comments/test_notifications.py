"""Reply notifications: in the app, by email (after commit, through django.tasks), and unsubscribing."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment, LessonSubscription, Notification
from comments.tasks import send_reply_email
from comments.tokens import unsubscribe_token
from progress.models import Profile
from progress.names import default_name
from tests.comments.conftest import PARTIAL, signed_in
from tests.conftest import make_user


def reply_through_the_form(client, lesson, parent, body="I disagree, politely.", capture=None):
    """Post a reply as a browser would, running the after-commit callbacks (the email task)."""
    url = reverse("comments:create", args=[lesson.pk])
    with capture(execute=True) as callbacks:
        response = client.post(url, {"body": body, "parent": parent.pk if parent else ""})
    assert response.status_code == 302, response.content
    return callbacks


def test_a_reply_gives_the_parent_author_one_notification_and_one_email(
    make_comment, user, other_user, other_client, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    parent = make_comment(user, "What do you think?")
    reply_through_the_form(other_client, lesson, parent, capture=django_capture_on_commit_callbacks)
    reply = parent.replies.get()

    notification = Notification.objects.get()
    assert (notification.recipient, notification.comment, notification.kind) == (user, reply, "reply")
    assert notification.read_at is None
    assert notification.emailed_at is not None

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["learner@example.com"]
    assert f"{default_name(other_user.pk)} replied to your comment" in email.subject
    link = f"{settings.SITE_URL}{lesson.get_absolute_url()}#comment-{reply.pk}"
    assert link in email.body
    assert "I disagree, politely." in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    unsubscribe = re.search(r"(http://\S+/notifications/unsubscribe/[^/\s]+/)", email.body)[1]
    assert unsubscribe in html
    assert email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_email_goes_out_only_after_the_transaction_commits(
    make_comment, user, other_user, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    parent = make_comment(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.comment_create(author=other_user, lesson=lesson, body="reply", parent=parent)
    assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


def test_replying_to_yourself_notifies_nobody(
    make_comment, user, author_client, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    parent = make_comment(user)
    reply_through_the_form(author_client, lesson, parent, capture=django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_a_hidden_reply_stops_notifying_in_the_app_and_sends_no_email(
    make_comment, user, other_user, staff_user, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    parent = make_comment(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = services.comment_create(author=other_user, lesson=lesson, body="spam", parent=parent).comment
    services.comments_visibility_set(
        comments=Comment.objects.filter(pk=reply.pk), user=staff_user, hidden=True
    )  # before the worker gets to the email
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    client = signed_in(user)
    page = client.get(reverse("comments:notifications")).content.decode()
    assert "spam" not in page
    assert "No notifications yet" in page
    assert '<span class="bell-count" data-unread-count>0</span>' in page


def test_a_reply_deleted_before_it_is_seen_disappears_from_the_inbox(make_comment, user, other_user, lesson):
    parent = make_comment(user)
    reply = services.comment_create(author=other_user, lesson=lesson, body="oops", parent=parent).comment
    make_comment(user, "keeps the reply as a placeholder", parent=reply)
    services.comment_delete(comment=reply, user=other_user)
    assert "oops" not in signed_in(user).get(reverse("comments:notifications")).content.decode()


def test_replies_to_hidden_or_deleted_comments_are_refused(make_comment, user, other_user, lesson, staff_user):
    hidden = make_comment(user, "hidden")
    services.comments_visibility_set(comments=Comment.objects.filter(pk=hidden.pk), user=staff_user, hidden=True)
    with pytest.raises(services.InvalidComment):
        services.comment_create(author=other_user, lesson=lesson, body="x", parent=hidden)
    assert Notification.objects.count() == 0


def test_with_email_off_the_reply_notifies_in_the_app_only(
    make_comment, user, other_client, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    profile = Profile.for_user(user)
    profile.email_on_reply = False
    profile.save()
    parent = make_comment(user)
    reply_through_the_form(other_client, lesson, parent, capture=django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=user).count() == 1
    assert mailoutbox == []


def test_following_a_lesson_notifies_of_every_new_comment_without_email(
    make_comment, user, other_user, staff_client, staff_user, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    services.subscription_set(user=user, lesson=lesson, mode="all")
    reply_through_the_form(staff_client, lesson, None, body="A new thread", capture=django_capture_on_commit_callbacks)
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (user, "comment")
    assert mailoutbox == []
    # The follower's own comments do not notify the follower.
    services.comment_create(author=user, lesson=lesson, body="mine")
    assert Notification.objects.filter(recipient=user).count() == 1


def test_a_follower_who_is_also_the_parent_author_is_notified_once(
    make_comment, user, other_user, other_client, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    services.subscription_set(user=user, lesson=lesson, mode="all")
    parent = make_comment(user)
    reply_through_the_form(other_client, lesson, parent, capture=django_capture_on_commit_callbacks)
    assert list(Notification.objects.values_list("recipient", "kind")) == [(user.pk, "reply")]
    assert len(mailoutbox) == 1


def test_muting_a_lesson_silences_even_replies(
    make_comment, user, other_client, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    services.subscription_set(user=user, lesson=lesson, mode="muted")
    parent = make_comment(user)
    reply_through_the_form(other_client, lesson, parent, capture=django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_muting_other_lessons_does_not_silence_this_one(make_comment, user, other_user, quest, lesson):
    other_lesson = quest.lessons.exclude(pk=lesson.pk).first()
    services.subscription_set(user=user, lesson=other_lesson, mode="muted")
    parent = make_comment(user)
    services.comment_create(author=other_user, lesson=lesson, body="reply", parent=parent)
    assert Notification.objects.filter(recipient=user).count() == 1


def test_the_bell_toggle_sets_and_clears_the_lesson_setting(author_client, user, lesson):
    url = reverse("comments:subscription", args=[lesson.pk])
    author_client.post(url, {"mode": "all"})
    assert LessonSubscription.objects.get(user=user, lesson=lesson).mode == "all"
    response = author_client.post(url, {"mode": "muted"}, **PARTIAL)
    assert 'value="muted" class="button-small button-secondary" aria-pressed="true"' in response.content.decode()
    assert LessonSubscription.objects.get(user=user, lesson=lesson).mode == "muted"
    author_client.post(url, {"mode": "replies"})
    assert not LessonSubscription.objects.exists()
    response = author_client.post(url, {"mode": "everything!"})
    assert response.status_code == 302
    assert not LessonSubscription.objects.exists()


def test_the_bell_toggle_needs_an_account(client, lesson):
    response = client.post(reverse("comments:subscription", args=[lesson.pk]), {"mode": "all"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not LessonSubscription.objects.exists()


def test_the_email_task_sends_once_even_if_run_twice(make_comment, user, other_user, lesson, mailoutbox):
    parent = make_comment(user)
    services.comment_create(author=other_user, lesson=lesson, body="reply", parent=parent)
    notification = Notification.objects.get()
    assert send_reply_email.call(notification.pk) == 1
    assert send_reply_email.call(notification.pk) == 0
    assert len(mailoutbox) == 1


# --- unsubscribing ---


def test_the_unsubscribe_link_works_signed_out(user, mailoutbox):
    Profile.for_user(user)
    url = reverse("comments:unsubscribe", args=[unsubscribe_token(user)])
    asked = Client().get(url)
    assert asked.status_code == 200
    assert Profile.objects.get(user=user).email_on_reply is True  # a GET (a mail scanner) changes nothing
    response = Client().post(url)  # the page's confirm button
    assert response.status_code == 200
    assert "unsubscribed" in response.content.decode()
    assert Profile.objects.get(user=user).email_on_reply is False


def test_one_click_unsubscribe_by_post_needs_no_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    url = reverse("comments:unsubscribe", args=[unsubscribe_token(user)])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Profile.objects.get(user=user).email_on_reply is False


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: "eyJ1Ijo5OTl9" + token[token.index(":") :],  # payload swapped for another account
        lambda token: "not-a-token",
        lambda token: "",
    ],
)
def test_a_tampered_unsubscribe_link_is_rejected(user, other_user, tamper):
    for account in (user, other_user):
        Profile.for_user(account)
    token = tamper(unsubscribe_token(user))
    url = f"/notifications/unsubscribe/{token}/"
    response = Client().get(url)
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert "not valid" in response.content.decode()
    assert Client().post(url).status_code in {400, 404}
    assert set(Profile.objects.values_list("email_on_reply", flat=True)) == {True}


def test_a_token_for_a_deleted_account_is_rejected(db):
    gone = make_user("gone@example.com")
    token = unsubscribe_token(gone)
    gone.delete()
    assert Client().get(reverse("comments:unsubscribe", args=[token])).status_code == 400
    assert Client().post(reverse("comments:unsubscribe", args=[token])).status_code == 400


def test_undo_turns_reply_emails_back_on(user):
    client = Client()
    token = unsubscribe_token(user)
    client.post(reverse("comments:unsubscribe", args=[token]))
    assert Profile.objects.get(user=user).email_on_reply is False
    response = client.post(reverse("comments:resubscribe", args=[token]))
    assert response.status_code == 200
    assert Profile.objects.get(user=user).email_on_reply is True


def test_after_unsubscribing_replies_send_no_email(
    make_comment, user, other_client, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    Client().post(reverse("comments:unsubscribe", args=[unsubscribe_token(user)]))
    parent = make_comment(user)
    reply_through_the_form(other_client, lesson, parent, capture=django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=user).count() == 1


# --- the notifications page and the header bell ---


def test_the_header_bell_shows_the_unread_count_and_the_page_marks_them_read(
    make_comment, user, other_user, lesson, author_client
):
    parent = make_comment(user, "question")
    for text in ("first answer", "second answer"):
        services.comment_create(author=other_user, lesson=lesson, body=text, parent=parent)
    home = author_client.get("/").content.decode()
    assert f'href="{reverse("comments:notifications")}" class="has-unread"' in home
    assert '<span class="bell-count" data-unread-count>2</span>' in home

    page = author_client.get(reverse("comments:notifications")).content.decode()
    assert page.index("second answer") < page.index("first answer")  # newest first
    assert page.count('class="notification is-unread"') == 2  # shown as new this once
    assert f"{lesson.get_absolute_url()}#comment-" in page
    assert f"{default_name(other_user.pk)} replied to your comment on “Lesson 1”" in page
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert '<span class="bell-count" data-unread-count>0</span>' in author_client.get("/").content.decode()


def test_mark_all_read(make_comment, user, other_user, lesson, author_client):
    parent = make_comment(user)
    services.comment_create(author=other_user, lesson=lesson, body="reply", parent=parent)
    response = author_client.post(reverse("comments:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_notifications_page_is_paginated_and_marks_only_what_it_shows(
    make_comment, user, other_user, lesson, author_client, no_rate_limit
):
    parent = make_comment(user)
    for i in range(25):
        services.comment_create(author=other_user, lesson=lesson, body=f"answer {i}", parent=parent)
    first = author_client.get(reverse("comments:notifications")).content.decode()
    assert "answer 24" in first
    assert "answer 5" in first
    assert "answer 4" not in first
    assert 'href="?page=2"' in first
    assert Notification.objects.filter(read_at__isnull=True).count() == 5
    second = author_client.get(reverse("comments:notifications") + "?page=2").content.decode()
    assert "answer 4" in second
    assert "answer 0" in second
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    for junk in ("abc", "-3", "99999999999999999999"):
        assert author_client.get(reverse("comments:notifications") + f"?page={junk}").status_code == 200


def test_the_notifications_page_needs_an_account(client):
    response = client.get(reverse("comments:notifications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_nobody_sees_anyone_elses_notifications(make_comment, user, other_user, lesson, staff_client):
    parent = make_comment(user)
    services.comment_create(author=other_user, lesson=lesson, body="private reply", parent=parent)
    assert "private reply" not in staff_client.get(reverse("comments:notifications")).content.decode()
