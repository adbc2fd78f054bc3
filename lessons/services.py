"""Writes with rules in the lessons app: problem reports."""

import hashlib
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lessons.models import Lesson, Report
from lessons.signals import report_submitted
from lessons.tasks import report_notify_staff

# At most this many reports per client address and per account in one window.
REPORT_RATE_LIMIT = 5
REPORT_RATE_WINDOW_SECONDS = 60 * 60
USER_AGENT_MAX_LENGTH = Report._meta.get_field("user_agent").max_length


class ReportRateLimited(Exception):
    """Too many reports from one address or account; the message is for the reporter."""

    message = _("You have sent several reports in the last hour. Please wait a while and send this one again.")


def _rate_keys(*, user, client_address: str) -> list[str]:
    # Addresses are hashed so the cache holds no readable IPs.
    address = hashlib.sha256(client_address.encode()).hexdigest()[:32]
    keys = [f"report-rate:addr:{address}"]
    if user is not None:
        keys.append(f"report-rate:user:{user.pk}")
    return keys


def _rate_limit_take(*, keys: list[str]) -> None:
    """Count one report against each key in the shared cache, or raise if any is spent.

    The cache is shared by every process (database or Redis), so the limit holds
    across workers. A refused attempt is not counted: waiting is enough."""
    counts = cache.get_many(keys)
    if any(counts.get(key, 0) >= REPORT_RATE_LIMIT for key in keys):
        raise ReportRateLimited(ReportRateLimited.message)
    for key in keys:
        # add() starts the window; incr() is atomic on Redis and close enough on the database cache.
        if not cache.add(key, 1, timeout=REPORT_RATE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=REPORT_RATE_WINDOW_SECONDS)


@transaction.atomic
def report_create(
    *,
    kind: str,
    body: str,
    user=None,
    email: str = "",
    page_url: str = "",
    lesson: Lesson | None = None,
    lesson_completed: bool | None = None,
    user_agent: str = "",
    client_address: str = "",
) -> Report:
    """Save a report with the context of the moment it was sent.

    The lesson's ``updated_at`` is copied so staff know which version was reported
    even after it is edited. Signed-in reporters are known by their account, so no
    address is stored for them (deleting the account leaves no email behind).
    After commit, staff are emailed through the task framework, and
    ``report_submitted`` tells other apps (progress awards an achievement)."""
    if user is not None and not user.is_authenticated:
        user = None
    _rate_limit_take(keys=_rate_keys(user=user, client_address=client_address or "unknown"))
    report = Report.objects.create(
        kind=kind,
        body=body,
        email="" if user is not None else email,
        user=user,
        page_url=page_url,
        lesson=lesson,
        lesson_updated_at=lesson.updated_at if lesson is not None else None,
        lesson_completed=lesson_completed,
        user_agent=(user_agent or "").replace("\x00", "")[:USER_AGENT_MAX_LENGTH],  # PostgreSQL refuses NUL
    )
    # robust: the report is saved; a mail server or a receiver failing must not turn that into an error page.
    transaction.on_commit(partial(report_notify_staff.enqueue, report.pk), robust=True)
    transaction.on_commit(partial(report_submitted.send, sender=Report, report=report, user=user), robust=True)
    return report


@transaction.atomic
def report_status_set(*, reports, status: str) -> int:
    """Move reports to a triage state (the admin's bulk actions); returns how many changed."""
    if status not in Report.State.values:
        raise ValueError(f"unknown report status {status!r}")
    return reports.exclude(status=status).update(status=status)
