"""Fixtures for the comments tests: a lesson, comments made directly, signed-in clients."""

import pytest
from django.test import Client

from comments.models import Comment


@pytest.fixture
def make_comment(lesson):
    """A comment written straight to the database (the rules are tested through the services)."""

    def make(author, body: str = "A comment.", *, parent: Comment | None = None, on=None, **extra) -> Comment:
        return Comment.objects.create(lesson=on or lesson, author=author, body=body, parent=parent, **extra)

    return make


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def author_client(user):
    return signed_in(user)


@pytest.fixture
def other_client(other_user):
    return signed_in(other_user)


@pytest.fixture
def staff_client(staff_user):
    return signed_in(staff_user)


@pytest.fixture
def unverified_client(unverified_user):
    return signed_in(unverified_user)


PARTIAL = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def no_rate_limit(monkeypatch):
    """For tests that post many comments about something else than the rate limit."""
    monkeypatch.setattr("comments.services.RATE_LIMITS", (("minute", 60, 10**6), ("day", 86400, 10**6)))
