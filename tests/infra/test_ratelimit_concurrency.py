"""Twelve simultaneous hits with a limit of five: exactly five accepted (PostgreSQL: real concurrency).

The measured fault: the old limiter read first and counted afterwards, and 12 then 11
of 12 simultaneous comment posts were accepted with a limit of 5 a minute."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from comments import services as comments
from comments.models import Comment
from infra import ratelimit
from tests.conftest import make_quest, make_user

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL"
    ),
]
REQUESTS = 12
FIVE_A_MINUTE = ratelimit.Rate("race:minute", 5, 60)


def run_at_once(job, count):
    """Run job() in threads that start together, each on its own database connection."""
    barrier = threading.Barrier(count)

    def worker(_number):
        try:
            barrier.wait(timeout=10)
            return job()
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(worker, range(count)))


def test_twelve_simultaneous_hits_accept_exactly_five(transactional_db):
    def hit() -> bool:
        try:
            with transaction.atomic():
                ratelimit.take(hits=[(FIVE_A_MINUTE, "one learner")])
                connection.cursor().execute("SELECT pg_sleep(0.05)")  # the caller's work, holding its transaction
        except ratelimit.RateLimited:
            return False
        return True

    assert sum(run_at_once(hit, REQUESTS)) == 5


def test_twelve_simultaneous_comment_posts_accept_exactly_five(transactional_db):
    learner = make_user("racer@example.com")
    lesson = make_quest("race", lessons=1).lessons.get()

    def post() -> bool:
        try:
            comments.comment_create(author=learner, lesson=lesson, body="first!")
        except comments.RateLimited:
            return False
        return True

    assert sum(run_at_once(post, REQUESTS)) == 5
    assert Comment.objects.count() == 5
