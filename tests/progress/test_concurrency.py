"""Two devices syncing at once lose nothing and double-count nothing (PostgreSQL: real concurrency)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from progress import services
from progress.models import Completion, EarnedAchievement, Profile
from tests.conftest import make_quest, make_user
from tests.progress.conftest import post_json

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL"
    ),
]
WORKERS = 6


def run_at_once(job, payloads):
    """Run job(payload) in threads that start together, each on its own database connection."""
    barrier = threading.Barrier(len(payloads))

    def worker(payload):
        try:
            barrier.wait(timeout=10)
            return job(payload)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(payloads)) as pool:
        return list(pool.map(worker, payloads))


@pytest.fixture
def catalogue(shipped):
    return list(make_quest("race", lessons=12).lessons.order_by("position"))


def overlapping_payloads(lessons):
    """Each device has some lessons of its own and many in common, at different times."""
    now = timezone.now()
    return [
        {lesson.key: now - timedelta(hours=device + i) for i, lesson in enumerate(lessons) if (i + device) % 3 != 0}
        for device in range(WORKERS)
    ]


def test_concurrent_merges_of_one_learner_neither_fail_nor_double_count(catalogue):
    learner = make_user("racer@example.com")  # no profile yet: the lock row is created in the race too
    payloads = overlapping_payloads(catalogue)
    results = run_at_once(lambda payload: services.progress_merge(user=learner, completed=payload), payloads)

    union = set().union(*payloads)
    assert Completion.objects.filter(user=learner).count() == len(union) == len(catalogue)
    added = [key for result in results for key in result.added]
    assert sorted(added) == sorted(union)  # each lesson reported added exactly once
    earliest = {key: min(p[key] for p in payloads if key in p) for key in union}
    stored = dict(Completion.objects.filter(user=learner).values_list("lesson__key", "completed_at"))
    assert stored == earliest
    earned = EarnedAchievement.objects.filter(user=learner)
    assert {"first-steps", "warming-up", "bookworm", "quest-complete", "completionist"} <= {
        e.achievement.code for e in earned
    }
    assert earned.count() == len({e.achievement_id for e in earned})
    assert sum(len(result.new_achievements) for result in results) == earned.count()
    assert Profile.objects.filter(user=learner).count() == 1


def test_concurrent_sync_requests_answer_200_and_agree(catalogue):
    learner = make_user("devices@example.com")
    clients = []
    for _ in range(WORKERS):
        client = Client()
        client.force_login(learner)
        clients.append(client)
    payloads = [
        (client, {"completed": {key: moment.isoformat() for key, moment in payload.items()}})
        for client, payload in zip(clients, overlapping_payloads(catalogue), strict=True)
    ]
    responses = run_at_once(lambda job: post_json(job[0], "/api/progress/sync", job[1]), payloads)

    assert [response.status_code for response in responses] == [200] * WORKERS
    added = [key for response in responses for key in response.json()["added"]]
    assert len(added) == len(set(added)) == len(catalogue)
    final = clients[0].get("/api/progress/").json()
    assert final["lessons_completed"] == len(catalogue)
    assert final["xp"] == sum(lesson.xp for lesson in catalogue)
    codes = [a["code"] for a in final["achievements"]]
    assert len(codes) == len(set(codes))
    assert {"first-steps", "warming-up", "bookworm", "quest-complete", "completionist"} <= set(codes)


def test_completing_and_syncing_the_same_lesson_at_once(catalogue):
    learner = make_user("clicker@example.com")
    lesson = catalogue[0]

    def job(kind):
        if kind == "complete":
            return services.lesson_complete(user=learner, lesson=lesson)
        return services.progress_merge(user=learner, completed={lesson.key: timezone.now()}).new_achievements

    results = run_at_once(job, ["complete", "sync"] * (WORKERS // 2))
    assert Completion.objects.filter(user=learner).count() == 1
    assert sum(len(r) for r in results) == EarnedAchievement.objects.filter(user=learner).count() == 1
