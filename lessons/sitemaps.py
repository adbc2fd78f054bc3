"""The sitemap: the home page, every published quest, every tag with a published lesson, every published lesson."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from lessons.models import Lesson, Quest, Tag


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["lessons:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class QuestSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        # A quest shows once it has a published lesson (lessons.selectors.quest_list).
        return Quest.objects.published().filter(lessons__in=Lesson.objects.published()).distinct()


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        return Tag.objects.filter(lessons__in=Lesson.objects.published()).distinct()


class LessonSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Lesson.objects.published().select_related("quest").in_order()

    def lastmod(self, lesson: Lesson):
        return lesson.updated_at


SITEMAPS = {"home": HomeSitemap, "quests": QuestSitemap, "tags": TagSitemap, "lessons": LessonSitemap}
