"""Writes with rules in the lessons app: problem reports, lesson status and positions."""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infra import page_cache, ratelimit
from infra.client import UNKNOWN as UNKNOWN_ADDRESS
from lessons.models import Lesson, Report, Status
from lessons.signals import report_submitted
from lessons.tasks import report_notify_staff

# At most this many reports per client address and per account in one window.
REPORT_RATE_LIMIT = 5
REPORT_RATE_WINDOW_SECONDS = 60 * 60
REPORT_RATE = ratelimit.Rate("reports", REPORT_RATE_LIMIT, REPORT_RATE_WINDOW_SECONDS)
USER_AGENT_MAX_LENGTH = Report._meta.get_field("user_agent").max_length


class ReportRateLimited(Exception):
    """Too many reports from one address or account; the message is for the reporter."""

    message = _("You have sent several reports in the last hour. Please wait a while and send this one again.")


def _rate_limit_take(*, user, client_address: str) -> None:
    """Count one report against the reporter's address and account, or refuse if either is spent.

    The counters are rows shared by every process (infra.ratelimit); a refused attempt
    is not counted: waiting is enough."""
    hits = [(REPORT_RATE, ratelimit.address_subject(client_address))]
    if user is not None:
        hits.append((REPORT_RATE, f"user:{user.pk}"))
    try:
        ratelimit.take(hits=hits)
    except ratelimit.RateLimited:
        raise ReportRateLimited(ReportRateLimited.message) from None


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
    _rate_limit_take(user=user, client_address=client_address or UNKNOWN_ADDRESS)
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


PARKED_POSITION = 1_000_000  # far beyond any real position


def lessons_park_positions(*, lessons: Iterable[Lesson]) -> None:
    """Move lessons whose position is about to change out of the way first, so that a reordering
    (1↔2, from the admin's inline or from import_lessons) never trips the unique (quest, position)
    constraint half-way. Lessons not yet saved are skipped."""
    for offset, lesson in enumerate(lesson for lesson in lessons if lesson.pk):
        Lesson.objects.filter(pk=lesson.pk).update(position=PARKED_POSITION + offset)


@transaction.atomic
def lessons_status_set(*, lessons: QuerySet[Lesson], status: str) -> int:
    """Publish lessons or take them back to draft (the admin's bulk actions); returns how many changed.

    A first publication stamps ``published_at``; every change makes the anonymous pages stale."""
    now = timezone.now()
    changed = lessons.exclude(status=status).update(status=status, updated_at=now)
    if status == Status.PUBLISHED:
        lessons.filter(published_at__isnull=True).update(published_at=now)
    page_cache.invalidate()
    return changed
