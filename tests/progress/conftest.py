"""Fixtures for progress: JSON helpers, a signed-in client, catalogues of a chosen size."""

import importlib
import json

import pytest
from django.apps import apps

from tests.conftest import make_quest


def post_json(client, url: str, body, **extra):
    """POST a JSON body (a Python value, or raw bytes/str sent as they are)."""
    if not isinstance(body, bytes | str):
        body = json.dumps(body)
    return client.post(url, data=body, content_type="application/json", **extra)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests create many accounts; slow hashing would only slow them down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def big_quest(db):
    """A catalogue of 80 published lessons."""
    return make_quest("big", lessons=80, order=5)


def ship_levels_and_achievements() -> None:
    """Put back the level table and the eleven achievements of the data migration.

    Tests on ``transactional_db`` (threads, the live server) end by emptying every table,
    the migration's rows included; the next such test needs them again."""
    importlib.import_module("progress.migrations.0003_ship_levels_and_achievements").ship(apps, None)


@pytest.fixture
def shipped(transactional_db):
    ship_levels_and_achievements()
