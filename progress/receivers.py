"""Listeners for events other apps announce. No rule lives here: each calls a service."""

from progress.services import achievements_award


def report_submitted(sender, *, report, user=None, **kwargs) -> None:
    """A report was committed: tell the achievements service how many this learner has sent."""
    if user is None or not user.is_authenticated:
        return
    achievements_award(user=user, kind="report_submitted", value=user.reports.count())
