from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from comments.models import Comment
        from infra import page_cache

        page_cache.invalidate_on_change(Comment)
