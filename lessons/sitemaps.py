from django.contrib.sitemaps import Sitemap

from lessons.models import Lesson


class LessonSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Lesson.objects.published().select_related("quest").in_order()

    def lastmod(self, lesson: Lesson):
        return lesson.updated_at
