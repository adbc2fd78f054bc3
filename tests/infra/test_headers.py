"""Responses to signed-in people are never stored by the browser; the health check answers HEAD."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.parametrize("url", ["/dashboard/", "/settings/", "/notifications/", "/"])
def test_every_response_to_a_signed_in_person_says_no_store(user, quest, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_a_signed_in_lesson_page_says_no_store(user, quest):
    client = Client()
    client.force_login(user)
    response = client.get(quest.lessons.first().get_absolute_url())
    assert "no-store" in response.headers["Cache-Control"]


def test_anonymous_pages_keep_their_own_caching(client, quest):
    response = client.get(quest.lessons.first().get_absolute_url())
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_healthz_answers_head_as_well_as_get(client, db):
    head = client.head(reverse("healthz"))
    assert head.status_code == 200
    assert head.content == b""
    assert client.get(reverse("healthz")).json() == {"status": "ok", "database": "ok"}
    assert client.post(reverse("healthz")).status_code == 405
