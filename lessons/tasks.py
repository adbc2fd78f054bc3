"""Background work for the lessons app: telling staff about new reports."""

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _

from infra.mail import send_templated
from lessons.models import Report


def report_admin_url(report: Report) -> str:
    """The absolute address of a report in the admin, for links in email."""
    return settings.SITE_URL + reverse("admin:lessons_report_change", args=[report.pk])


@task
def report_notify_staff(report_id: int) -> int:
    """Email the site's managers about a new report, with a link to triage it.

    Enqueued after the report is committed; returns how many messages were sent
    (0 when there are no managers or the report is gone)."""
    report = Report.objects.select_related("lesson", "lesson__quest", "user").filter(pk=report_id).first()
    if report is None or not settings.MANAGERS:
        return 0
    about = report.lesson.title if report.lesson else (report.page_url or _("the site"))
    subject = _("[Stream] New report (%(kind)s): %(about)s") % {"kind": report.get_kind_display(), "about": about}
    reply_to = report.user.email if report.user else report.email
    context = {
        "report": report,
        "admin_url": report_admin_url(report),
        "page_url": settings.SITE_URL + report.page_url if report.page_url else "",
        "reporter": reply_to or _("anonymous"),
    }
    return send_templated(
        subject=subject,
        template="lessons/report_email",
        context=context,
        to=settings.MANAGERS,
        reply_to=[reply_to] if reply_to else None,
    )
