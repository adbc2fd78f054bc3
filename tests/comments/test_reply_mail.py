"""Reply emails as mail clients and their readers get them: plain List-Unsubscribe headers (RFC 2369,
RFC 8058), a link that asks before it unsubscribes, the recipient's own language, the site's name and
subject prefix, every link on a line of its own, and no mail about a lesson the reader can't see."""

import email
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Notification
from comments.tokens import unsubscribe_token
from lessons.models import Lesson, Status
from progress.models import Profile
from tests.comments.conftest import signed_in

URL = re.compile(r"https?://\S+")


def as_received(message) -> email.message.Message:
    """The message as a mail client parses the bytes it receives."""
    return email.message_from_bytes(message.message().as_bytes())


def reply(*, parent, author, lesson, capture, language="en", body="A reply with *emphasis*."):
    """Post a reply through the form in ``language``, running the after-commit email task."""
    client = signed_in(author)
    with capture(execute=True):
        response = client.post(
            reverse("comments:create", args=[lesson.pk]),
            {"body": body, "parent": parent.pk},
            headers={"accept-language": language},
        )
    assert response.status_code == 302, response.content


def link_lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if URL.search(line)]


def test_the_unsubscribe_headers_are_plain_and_the_link_asks_before_it_unsubscribes(
    make_comment, user, other_user, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    reply(parent=make_comment(user), author=other_user, lesson=lesson, capture=django_capture_on_commit_callbacks)
    [message] = mailoutbox
    received = as_received(message)

    header = received["List-Unsubscribe"]
    assert "=?" not in header  # not an RFC 2047 encoded word
    url = re.fullmatch(r"<(https?://[^<>\s]+)>", header)[1]
    assert len(f"List-Unsubscribe: {header}") > 78  # long enough that the email package would fold it
    assert f"\nList-Unsubscribe: <{url}>\n".encode() in message.message().as_bytes()  # on one line
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body

    path = url.removeprefix(settings.SITE_URL)
    page = Client().get(path)  # a mail scanner, or the reader, opens the link
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<form method="post" action="{path}">' in html
    assert "Unsubscribe from reply emails</button>" in html
    assert Profile.saved_or_default(user).email_on_reply is True

    # The mail client's one-click POST (RFC 8058): that body, no cookie, no CSRF token.
    clicked = Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert clicked.status_code == 200
    assert Profile.objects.get(user=user).email_on_reply is False


def test_the_confirm_button_on_the_page_unsubscribes(user):
    path = reverse("comments:unsubscribe", args=[unsubscribe_token(user)])
    browser = Client(enforce_csrf_checks=True)
    browser.get(path)
    response = browser.post(path)
    assert response.status_code == 200
    assert "You're unsubscribed" in response.content.decode()
    assert Profile.objects.get(user=user).email_on_reply is False


def test_no_email_about_a_reply_on_a_lesson_taken_back_to_draft(
    make_comment, user, other_user, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    parent = make_comment(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.comment_create(author=other_user, lesson=lesson, body="reply", parent=parent)
    Lesson.objects.filter(pk=lesson.pk).update(status=Status.DRAFT)  # before the worker gets to it
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    assert Notification.objects.get().emailed_at is None


@pytest.mark.parametrize(
    ("kept", "replier_language", "expected"),
    [
        (
            "ko",
            "en",
            {
                "subject": "답글을 달았어요",
                "lines": [
                    "여기에서 읽고 답글을 달 수 있어요:",
                    "답글 이메일 수신 거부 (클릭 한 번, 로그인 필요 없음):",
                    "Stream이 보낼 이메일은 여기에서 고를 수 있어요:",
                ],
                "lang": '<html lang="ko">',
            },
        ),
        (
            "en",
            "ko",
            {
                "subject": "replied to your comment on “Lesson 1”",
                "lines": [
                    "Read and answer it here:",
                    "Unsubscribe from reply emails (one click, no sign-in needed):",
                    "Choose which emails Stream sends you:",
                ],
                "lang": '<html lang="en">',
            },
        ),
        (
            "",  # no language kept yet: the site's, not the replier's
            "ko",
            {"subject": "replied to your comment", "lines": ["Read and answer it here:"], "lang": '<html lang="en">'},
        ),
    ],
    ids=["korean-reader-english-replier", "english-reader-korean-replier", "no-kept-language"],
)
def test_the_reply_email_is_in_the_recipients_language_with_each_link_on_its_line(
    make_comment,
    user,
    other_user,
    lesson,
    mailoutbox,
    django_capture_on_commit_callbacks,
    kept,
    replier_language,
    expected,
):
    Profile.objects.update_or_create(user=user, defaults={"language": kept})
    reply(
        parent=make_comment(user),
        author=other_user,
        lesson=lesson,
        capture=django_capture_on_commit_callbacks,
        language=replier_language,
    )
    [message] = mailoutbox
    assert message.subject.startswith("[Stream] ")
    assert expected["subject"] in message.subject
    lines = message.body.splitlines()
    for text in expected["lines"]:
        assert text in lines
        assert URL.fullmatch(lines[lines.index(text) + 1])  # the link comes alone on the next line
    assert "Stream" in message.body
    assert "127.0.0.1:8000!" not in message.body
    html, _mimetype = message.alternatives[0]
    assert expected["lang"] in html

    found = link_lines(message.body)
    assert len(found) == 3  # the comment, unsubscribe, settings
    for line in found:
        assert URL.fullmatch(line), line  # nothing else on a link's line: mail clients link it whole
    comment_url, unsubscribe_url, settings_url = (line.removeprefix(settings.SITE_URL) for line in found)
    reader = signed_in(user)
    assert comment_url.startswith(lesson.get_absolute_url() + "#comment-")
    assert reader.get(comment_url.split("#")[0]).status_code == 200
    assert Client().get(unsubscribe_url).status_code == 200
    assert settings_url == reverse("progress:settings")
    assert reader.get(settings_url).status_code == 200
