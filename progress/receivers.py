"""Listeners for events other apps announce. No rule lives here: each calls a service."""

from progress.selectors import lesson_completed_by
from progress.services import achievements_award


def report_submitted(sender, *, report, user=None, **kwargs) -> None:
    """A report was committed: tell the achievements service how many this learner has sent."""
    if user is None or not user.is_authenticated:
        return
    achievements_award(user=user, kind="report_submitted", value=user.reports.count())


def lesson_completion_asked(sender, *, user, lesson, **kwargs) -> bool:
    """A report is being saved: answer from the learner's completions, never from the form."""
    return lesson_completed_by(user=user, lesson=lesson)
