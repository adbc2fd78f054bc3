"""What lessons holds about a learner, for "download my data" (``infra.privacy`` asks each app):
the problem reports they filed while signed in."""

from infra.timestamps import iso
from lessons.models import Report


def personal_data(user) -> dict:
    return {
        "reports": [
            {
                "kind": report.kind,
                "body": report.body,
                "email": report.email,
                "page_url": report.page_url,
                "lesson": report.lesson.key if report.lesson else None,
                "lesson_title": report.lesson.title if report.lesson else None,
                "lesson_completed": report.lesson_completed,
                "user_agent": report.user_agent,
                "status": report.status,
                "created_at": iso(report.created_at),
            }
            for report in Report.objects.filter(user=user).select_related("lesson").order_by("created_at", "pk")
        ]
    }
