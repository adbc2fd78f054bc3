"""One form, one report, even when a script replays its token from several connections at once
(PostgreSQL: real concurrency; the unique nonce decides, never a 500)."""

import pytest
from django.db import connection

from lessons.models import Report
from lessons.services import ReportAlreadySent, report_create
from tests.infra.test_ratelimit_concurrency import run_at_once

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL"
    ),
]
REQUESTS = 6


def test_simultaneous_replays_of_one_token_save_one_report(transactional_db):
    def send(number: int) -> str:
        try:
            report_create(
                kind=Report.Kind.BUG, body=f"copy {number}", client_address=f"192.0.2.{number}", form_nonce="f" * 32
            )
        except ReportAlreadySent:
            return "refused"
        return "saved"

    counter = iter(range(REQUESTS))
    outcomes = run_at_once(lambda: send(next(counter)), REQUESTS)
    assert sorted(outcomes) == ["refused"] * (REQUESTS - 1) + ["saved"]
    assert Report.objects.count() == 1
