"""Writes with rules in the lessons app: problem reports, lesson status and positions."""

from collections.abc import Iterable
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infra import page_cache, ratelimit
from infra.client import UNKNOWN as UNKNOWN_ADDRESS
from lessons.models import Lesson, Report, Status
from lessons.signals import lesson_completion_asked, report_submitted
from lessons.tasks import report_notify_staff

# At most this many reports per client address and per account in one window.
REPORT_RATE_LIMIT = 5
REPORT_RATE_WINDOW_SECONDS = 60 * 60
REPORT_RATE = ratelimit.Rate("reports", REPORT_RATE_LIMIT, REPORT_RATE_WINDOW_SECONDS)
# Every report is emailed to staff: however many addresses a sender controls, anonymous reports
# stop at this many an hour for the whole site (signed-in learners are limited per account).
ANONYMOUS_REPORTS_PER_HOUR = 30
ANONYMOUS_SITE_RATE = ratelimit.Rate("reports-anonymous-site", ANONYMOUS_REPORTS_PER_HOUR, 60 * 60)
SITE_SUBJECT = "site"
USER_AGENT_MAX_LENGTH = Report._meta.get_field("user_agent").max_length


class ReportRateLimited(Exception):
    """Too many reports from one address or account, or from visitors altogether; the message is for the reporter."""

    message = _("You have sent several reports in the last hour. Please wait a while and send this one again.")
    site_message = _(
        "Many reports have arrived in the last hour, so we are not taking more from visitors who are not "
        "signed in for now. Please send yours again later, or sign in to send it now."
    )


class ReportAlreadySent(Exception):
    """This form already sent a report (a replayed token, a second click); the message is for the reporter."""

    message = _("This form was already sent. If you meant to send another report, send it again now.")


def _rate_limit_take(*, user, client_address: str) -> None:
    """Count one report against the reporter's address and account, and an anonymous one against
    the site's hourly cap, or refuse if any is spent.

    The counters are rows shared by every process (infra.ratelimit); a refused attempt
    is not counted: waiting is enough."""
    hits = [(REPORT_RATE, ratelimit.address_subject(client_address))]
    if user is not None:
        hits.append((REPORT_RATE, f"user:{user.pk}"))
    else:
        hits.append((ANONYMOUS_SITE_RATE, SITE_SUBJECT))
    try:
        ratelimit.take(hits=hits)
    except ratelimit.RateLimited as refused:
        site = refused.rate == ANONYMOUS_SITE_RATE
        raise ReportRateLimited(ReportRateLimited.site_message if site else ReportRateLimited.message) from None


def _completed_on_server(*, user, lesson: Lesson | None) -> bool | None:
    """Whether a signed-in reporter had completed the lesson, from the app that keeps completions."""
    if user is None or lesson is None:
        return None
    answers = [answer for _receiver, answer in lesson_completion_asked.send(sender=Lesson, user=user, lesson=lesson)]
    known = [answer for answer in answers if answer is not None]
    return any(known) if known else None


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
    form_nonce: str | None = None,
) -> Report:
    """Save a report with the context of the moment it was sent.

    The lesson's ``updated_at`` is copied so staff know which version was reported
    even after it is edited. Signed-in reporters are known by their account, so no
    address is stored for them (deleting the account leaves no email behind), and whether
    they had completed the lesson is read from their completions: ``lesson_completed``
    (what the page said) counts only for anonymous reporters, whose progress is in their browser.
    ``form_nonce`` is the nonce of the form's token: a second report with it raises
    ``ReportAlreadySent`` and counts nothing.
    After commit, staff are emailed through the task framework, and
    ``report_submitted`` tells other apps (progress awards an achievement)."""
    if user is not None and not user.is_authenticated:
        user = None
    _rate_limit_take(user=user, client_address=client_address or UNKNOWN_ADDRESS)
    if user is not None:
        lesson_completed = _completed_on_server(user=user, lesson=lesson)
    try:
        with transaction.atomic():
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
                form_nonce=form_nonce or None,
            )
    except IntegrityError:
        if form_nonce and Report.objects.filter(form_nonce=form_nonce).exists():
            raise ReportAlreadySent(ReportAlreadySent.message) from None
        raise
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
