from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from comments.models import Comment, Flag, LessonSubscription, Notification
        from infra import page_cache

        page_cache.invalidate_on_change(Comment)
        # A learner's own pages show their comments, flags, lesson settings and unread notifications
        # (bulk writes call page_cache.learner_changed themselves).
        page_cache.learner_changes_on(Comment, "author_id")
        page_cache.learner_changes_on(Notification, "recipient_id")
        for model in (Flag, LessonSubscription):
            page_cache.learner_changes_on(model, "user_id")
