"""Fixtures for progress: JSON helpers, a signed-in client, catalogues of a chosen size."""

import json

import pytest

from tests.conftest import make_quest, ship_levels_and_achievements


def post_json(client, url: str, body, **extra):
    """POST a JSON body (a Python value, or raw bytes/str sent as they are)."""
    if not isinstance(body, bytes | str):
        body = json.dumps(body)
    return client.post(url, data=body, content_type="application/json", **extra)


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def big_quest(db):
    """A catalogue of 80 published lessons."""
    return make_quest("big", lessons=80, order=5)


@pytest.fixture
def shipped(transactional_db):
    ship_levels_and_achievements()
