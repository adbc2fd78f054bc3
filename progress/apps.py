from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Progress")

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model

        from infra import page_cache
        from lessons.signals import lesson_completion_asked, report_submitted
        from progress import receivers
        from progress.models import Achievement, Completion, EarnedAchievement, Level, Profile

        report_submitted.connect(receivers.report_submitted, dispatch_uid="progress.report_submitted")
        lesson_completion_asked.connect(
            receivers.lesson_completion_asked, dispatch_uid="progress.lesson_completion_asked"
        )
        # Pages anonymous readers see show the level table, achievement totals and
        # commenters' names; a deleted account turns its comments into "[deleted]".
        # Only what shows counts: a sign-in (last_login) or a time zone changes no page.
        page_cache.invalidate_on_change(Level, Achievement)
        page_cache.invalidate_on_change(Profile, fields=("display_name",))
        page_cache.invalidate_on_change(
            get_user_model(), fields=("username", "email", "is_active", "is_staff", "is_superuser")
        )
        # A learner's own pages (their standing, name, verified address, account) follow every
        # write to these rows (bulk writes call page_cache.learner_changed themselves).
        page_cache.learner_changes_on(get_user_model(), "pk")
        page_cache.learner_changes_on(EmailAddress, "user_id")
        for model in (Profile, Completion, EarnedAchievement):
            page_cache.learner_changes_on(model, "user_id")
