"""Project-wide fixtures: users of each kind, a small published catalogue, clean caches."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache

from lessons.models import Lesson, Quest, Status

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Rate limits live in the shared cache; no test inherits another's counters.

    The cache is a database table: tests without database access have none to clear."""
    wanted = {"transactional_db", "db"} & set(request.fixturenames)
    if not wanted:
        yield
        return
    request.getfixturevalue(sorted(wanted)[-1])  # "transactional_db" wins over "db"
    cache.clear()
    if "transactional_db" in wanted:
        ship_levels_and_achievements()
    yield
    cache.clear()


def make_user(email: str, *, verified: bool = True, **extra):
    User = get_user_model()
    user = User.objects.create_user(username=email.split("@")[0], email=email, password=PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def user(db):
    return make_user("learner@example.com")


@pytest.fixture
def other_user(db):
    return make_user("other@example.com")


@pytest.fixture
def unverified_user(db):
    return make_user("unverified@example.com", verified=False)


@pytest.fixture
def staff_user(db):
    return make_user("staff@example.com", is_staff=True, is_superuser=True)


def make_quest(
    slug: str = "deep-learning-history", *, lessons: int = 3, status: str = Status.PUBLISHED, order: int = 0
):
    quest = Quest.objects.create(title=slug.replace("-", " ").title(), slug=slug, status=status, order=order)
    for position in range(1, lessons + 1):
        Lesson.objects.create(
            quest=quest,
            position=position,
            key=f"{slug}-{position}",
            slug=f"{slug}-lesson-{position}",
            title=f"Lesson {position}",
            body=f'## Part one\n\nText of lesson {position}.\n\n```python title="Example"\nprint({position})\n```\n',
            exercise="Write one sentence.",
            minutes=18,
            status=Status.PUBLISHED,
        )
    return quest


@pytest.fixture
def quest(db):
    return make_quest()


@pytest.fixture
def lessons(quest):
    return list(quest.lessons.order_by("position"))


@pytest.fixture
def lesson(lessons):
    """The quest's first lesson: the one most tests read, comment on or report."""
    return lessons[0]


def ship_levels_and_achievements() -> None:
    """Put back the level table and the eleven achievements of the data migration.

    Tests on ``transactional_db`` (threads, the live server) end by emptying every table,
    the migration's rows included; the next such test needs them again."""
    importlib.import_module("progress.migrations.0003_ship_levels_and_achievements").ship(apps, None)
    importlib.import_module("progress.migrations.0005_fit_levels_to_the_demo_catalogue").fit_levels(apps, None)
    importlib.import_module("progress.migrations.0006_achievement_icons_drawn").draw(apps, None)
