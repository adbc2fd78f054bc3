"""Account mails: written in the recipient's kept language, signed by Stream, every link on its own line."""

import re
import time

import pytest
from django.urls import reverse

from progress.models import Profile
from tests.conftest import PASSWORD, make_user

URL = re.compile(r"https?://\S+")


def sign_up(client, email: str, language: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"},
        headers={"accept-language": language},
    )


def link_lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if URL.search(line)]


@pytest.mark.parametrize(
    ("language", "greeting", "instruction"),
    [("ko", "Stream에서 알려드려요!", "주소를 확인하려면"), ("en", "Hello from Stream!", "To confirm the address")],
)
def test_the_verification_mail_is_in_the_sign_up_language_with_the_link_alone_on_its_line(
    client, db, mailoutbox, language, greeting, instruction
):
    response = sign_up(client, "newcomer@example.com", language)
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.subject.startswith("[Stream] ")
    assert greeting in mail.body
    assert instruction in mail.body
    assert "127.0.0.1" not in mail.body.split("\n")[0]
    lines = link_lines(mail.body)
    assert lines
    for line in lines:
        assert URL.fullmatch(line.strip()), line  # nothing before or after the link: mail clients link it whole
    confirm_url = next(line.strip() for line in lines if "/accounts/confirm-email/" in line)
    assert client.get(confirm_url.removeprefix("http://testserver")).status_code == 200
    assert Profile.objects.get(user__email="newcomer@example.com").language == language


def test_a_korean_learner_gets_korean_mail_even_when_the_request_is_english(client, db, mailoutbox):
    user = make_user("hana@example.com")
    Profile.objects.create(user=user, language="ko")
    response = client.post(
        reverse("account_reset_password"), {"email": "hana@example.com"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.subject == "[Stream] 비밀번호를 재설정하세요"
    assert "비밀번호를 정하려면" in mail.body
    for line in link_lines(mail.body):
        assert URL.fullmatch(line.strip()), line


def test_signing_in_keeps_the_language_once_and_does_not_overwrite_a_choice(client, db):
    user = make_user("lee@example.com")
    client.post(
        reverse("account_login"),
        {"login": "lee@example.com", "password": PASSWORD},
        headers={"accept-language": "ko"},
    )
    assert Profile.objects.get(user=user).language == "ko"
    client.logout()
    client.post(
        reverse("account_login"),
        {"login": "lee@example.com", "password": PASSWORD},
        headers={"accept-language": "en"},
    )
    assert Profile.objects.get(user=user).language == "ko"


def test_sending_the_verification_again_during_the_cooldown_says_when_it_can_go(client, db, mailoutbox, monkeypatch):
    sign_up(client, "waiting@example.com", "en")
    assert len(mailoutbox) == 1
    response = client.post(reverse("progress:verification_send"), {"next": "/quests/x/#comments"}, follow=True)
    assert len(mailoutbox) == 1
    text = response.content.decode()
    assert "A verification email went to waiting@example.com a moment ago" in text
    assert "you can send another in 3 minutes" in text

    response = client.post(reverse("account_email"), {"action_send": "", "email": "waiting@example.com"}, follow=True)
    assert len(mailoutbox) == 1
    assert "you can send another in 3 minutes" in response.content.decode()

    later = time.time() + 181
    monkeypatch.setattr(time, "time", lambda: later)
    client.post(reverse("progress:verification_send"), {"next": "/"})
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["waiting@example.com"]


def test_the_one_click_verification_send_refuses_foreign_next_urls(client, db, mailoutbox):
    user = make_user("unverified@example.com", verified=False)
    client.force_login(user)
    response = client.post(reverse("progress:verification_send"), {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email")
    assert len(mailoutbox) == 1
