"""The site's one rate limiter: count first, refuse past the limit, atomically.

Each hit is one ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count``
on ``infra.RateCounter``: the database serialises concurrent hits on the same row, so
of twelve simultaneous requests with a limit of five, exactly five are accepted
(tests/infra/test_ratelimit_concurrency.py, PostgreSQL). A refused hit is rolled back
with the savepoint it ran in, so refusals do not count: waiting is enough.

The counters are rows in the database, not cache entries: no cache flush or page
traffic can reset them (they "fail safe"). Windows are fixed (this minute, this hour,
this day); expired rows are deleted whenever a new window opens.

Errors know nothing of HTTP: ``RateLimited`` names the rate that refused and how long
until its window ends; each service turns it into its own refusal.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from infra.client import address_group
from infra.models import RateCounter

PRUNE_BATCH = 1000


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` hits per ``seconds``-long window, counted under ``name``."""

    name: str
    limit: int
    seconds: int


class RateLimited(Exception):
    """``rate`` is spent for this subject; its window ends in ``retry_after`` seconds."""

    def __init__(self, *, rate: Rate, retry_after: int) -> None:
        self.rate = rate
        self.retry_after = retry_after
        super().__init__(f"{rate.name}: more than {rate.limit} in {rate.seconds} s; retry in {retry_after} s")


def address_subject(address: str) -> str:
    """The subject a per-address limit counts: the address's group (IPv6 by /64), keyed.

    Keyed with the secret key, so the counters table holds no readable addresses."""
    return "addr:" + salted_hmac("infra.ratelimit.address", address_group(address), algorithm="sha256").hexdigest()[:32]


def _count(*, key: str, window_start: int, expires_at: int) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('key')}, {q('window_start')}, {q('expires_at')}, {q('count')}) "  # noqa: S608 (names from the model, values as parameters)
            f"VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT ({q('key')}, {q('window_start')}) DO UPDATE SET {q('count')} = {table}.{q('count')} + 1 "
            f"RETURNING {q('count')}",
            [key, window_start, expires_at],
        )
        return cursor.fetchone()[0]


def take(*, hits: Iterable[tuple[Rate, str]], now: datetime | None = None) -> None:
    """Count one hit for each (rate, subject), or raise ``RateLimited`` and count none.

    Runs in the caller's transaction (a savepoint of it): if the caller's work fails
    and rolls back, its hit is not counted either."""
    stamp = int((now or timezone.now()).timestamp())
    with transaction.atomic():
        for rate, subject in hits:
            window_start = stamp - stamp % rate.seconds
            window_end = window_start + rate.seconds
            count = _count(key=f"{rate.name}:{subject}", window_start=window_start, expires_at=window_end)
            if count > rate.limit:
                raise RateLimited(rate=rate, retry_after=window_end - stamp)
            if count == 1:  # a new window opened: forget the ones that are over
                _forget_ended(stamp=stamp)


def _forget_ended(*, stamp: int) -> None:
    # SKIP LOCKED (PostgreSQL): two requests pruning at once never wait on, or deadlock over,
    # each other's rows; whatever one skips, a later one deletes.
    ended = RateCounter.objects.filter(expires_at__lte=stamp).select_for_update(skip_locked=True)
    RateCounter.objects.filter(pk__in=list(ended.values_list("pk", flat=True)[:PRUNE_BATCH])).delete()
