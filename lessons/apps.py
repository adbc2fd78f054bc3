from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Lessons")

    def ready(self) -> None:
        from infra import page_cache
        from lessons.models import ExternalLink, Lesson, Quest, Tag

        page_cache.invalidate_on_change(Quest, Lesson, Tag, ExternalLink, Lesson.tags.through)
