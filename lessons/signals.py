"""Events the lessons app announces to apps that depend on it.

``lessons`` imports neither ``progress`` nor ``comments`` (dependencies run one way),
so when something here matters to another app, the service that caused it sends
one of these signals explicitly, and the other app's service listens. No rule
lives in a receiver beyond calling that app's own service.
"""

from django.dispatch import Signal

# Sent by lessons.services.report_create after the report is committed,
# with sender=Report, report=<Report>, user=<User or None>.
report_submitted = Signal()

# Sent by lessons.services.report_create while a signed-in learner's report is saved, with
# sender=Lesson, user=<User>, lesson=<Lesson>. The app that keeps completions answers True or
# False (progress.receivers); lessons cannot read them itself. No answer means "unknown".
lesson_completion_asked = Signal()
