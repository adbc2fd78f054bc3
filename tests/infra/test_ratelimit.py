"""The site's limiter: counts first, refuses past the limit, fails safe, forgets ended windows."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.db import transaction

from infra import ratelimit
from infra.models import RateCounter
from lessons.models import Report
from lessons.services import REPORT_RATE_LIMIT, ReportRateLimited, report_create

NOON = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)
THREE_A_MINUTE = ratelimit.Rate("test:minute", 3, 60)
TEN_A_DAY = ratelimit.Rate("test:day", 10, 24 * 3600)


def take(subject="someone", *, rates=(THREE_A_MINUTE,), now=NOON):
    ratelimit.take(hits=[(rate, subject) for rate in rates], now=now)


def test_the_hit_past_the_limit_is_refused_with_the_time_left(db):
    for _ in range(3):
        take()
    with pytest.raises(ratelimit.RateLimited) as refused:
        take()
    assert refused.value.rate == THREE_A_MINUTE
    assert refused.value.retry_after == 55  # the window is 12:00:00–12:01:00
    take("someone else")


def test_refused_hits_do_not_count_in_any_window(db):
    for _ in range(3):
        take(rates=(THREE_A_MINUTE, TEN_A_DAY))
    for _ in range(20):
        with pytest.raises(ratelimit.RateLimited):
            take(rates=(THREE_A_MINUTE, TEN_A_DAY))
    assert RateCounter.objects.get(key="test:day:someone").count == 3
    take(rates=(THREE_A_MINUTE, TEN_A_DAY), now=NOON + timedelta(minutes=1))
    assert RateCounter.objects.get(key="test:day:someone").count == 4


def failing_work() -> None:
    with transaction.atomic():
        take()
        raise RuntimeError("the comment could not be saved")


def test_a_hit_rolled_back_with_the_callers_work_does_not_count(db):
    for _ in range(5):
        with pytest.raises(RuntimeError):
            failing_work()
    for _ in range(3):
        take()


def test_the_limit_holds_after_every_cache_is_flushed(db):
    for _ in range(3):
        take()
    for alias in caches:
        caches[alias].clear()
    with pytest.raises(ratelimit.RateLimited):
        take()


def test_ended_windows_are_deleted_when_a_new_one_opens(db):
    for minute in range(5):
        take(now=NOON + timedelta(minutes=minute))
    assert RateCounter.objects.count() == 1


def test_counters_hold_no_readable_address_and_group_ipv6_by_64(db):
    assert "203.0.113.5" not in ratelimit.address_subject("203.0.113.5")
    assert ratelimit.address_subject("2001:db8:0:1::1") == ratelimit.address_subject("2001:db8:0:1:ffff::2")
    assert ratelimit.address_subject("2001:db8:0:1::1") != ratelimit.address_subject("2001:db8:0:2::1")


def test_reports_from_one_ipv6_network_share_a_limit(db):
    for host in range(1, REPORT_RATE_LIMIT + 1):
        report_create(kind=Report.Kind.BUG, body="x", client_address=f"2001:db8:0:1::{host}")
    with pytest.raises(ReportRateLimited):
        report_create(kind=Report.Kind.BUG, body="x", client_address="2001:db8:0:1:abcd::99")
    report_create(kind=Report.Kind.BUG, body="x", client_address="2001:db8:0:2::1")
