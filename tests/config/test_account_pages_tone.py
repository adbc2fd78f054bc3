"""allauth's pages read like the rest of the site: sentence case in English, the casual tone in Korean."""

import re

import pytest
from django.urls import reverse

from tests.conftest import make_user

ANONYMOUS_PAGES = ["account_login", "account_signup", "account_reset_password"]
SIGNED_IN_PAGES = ["account_logout", "account_email", "account_change_password"]
FORMAL = re.compile(r"니다|니까|십시오")  # 합쇼체 endings; the site speaks 해요체
TAGS = re.compile(r"<[^>]+>")


def headings(html: str) -> list[str]:
    return [TAGS.sub("", match).strip() for match in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html, re.S)]


def visible_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(script|style|template)\b.*?</\1>", "", body, flags=re.S)
    return TAGS.sub(" ", body)


def pages(client, user):
    for name in ANONYMOUS_PAGES:
        yield name, lambda name=name: client.get(reverse(name))
    for name in SIGNED_IN_PAGES:

        def signed_in(name=name):
            client.force_login(user)
            try:
                return client.get(reverse(name))
            finally:
                client.logout()

        yield name, signed_in


def pages_in(client, language: str, email: str):
    """(URL name, HTML) of every account page, read in ``language``."""
    user = make_user(email)
    for name, fetch in pages(client, user):
        client.cookies["django_language"] = language
        response = fetch()
        assert response.status_code == 200, name
        yield name, response.content.decode()


@pytest.mark.django_db
def test_account_headings_are_in_sentence_case_in_english(client):
    for name, html in pages_in(client, "en", "tone@example.com"):
        assert ":</label>" not in html, name  # labels read without Django's colon
        for heading in headings(html):
            words = heading.split()
            assert all(not word[:1].isupper() for word in words[1:] if word not in {"Stream"}), (name, heading)


@pytest.mark.django_db
def test_account_pages_speak_in_the_sites_casual_korean(client):
    for name, html in pages_in(client, "ko", "tone-ko@example.com"):
        text = visible_text(html)
        assert not FORMAL.search(text), (name, FORMAL.findall(text), text[:400])
