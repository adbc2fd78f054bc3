from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Progress")

    def ready(self) -> None:
        from lessons.signals import report_submitted
        from progress import receivers

        report_submitted.connect(receivers.report_submitted, dispatch_uid="progress.report_submitted")
