"""The shipped demo catalogue (content/lessons): big enough for every shipped level and
achievement, every lesson a real lesson, and import_lessons idempotent over all of it."""

import importlib
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max, Sum
from django.utils import timezone

from lessons.importing import lesson_files, parse_lesson_file
from lessons.models import ExternalLink, Lesson, Quest, Tag
from progress import selectors, services
from progress.models import Achievement, AchievementKind, Level

CONTENT = Path(__file__).resolve().parents[2] / "content" / "lessons"
FIT = importlib.import_module("progress.migrations.0005_fit_levels_to_the_demo_catalogue")
# Rules whose counts come from the catalogue; the others (a comment, a report) need no content.
CATALOGUE_KINDS = {
    AchievementKind.LESSONS_COMPLETED,
    AchievementKind.QUEST_COMPLETED,
    AchievementKind.ALL_LESSONS_COMPLETED,
    AchievementKind.STREAK_DAYS,
}


def import_demo() -> str:
    out = StringIO()
    call_command("import_lessons", str(CONTENT), stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    import_demo()


def prose(markdown: str) -> str:
    """The lesson's own words: the Markdown without its code blocks."""
    return re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)


def test_the_catalogue_has_at_least_40_published_lessons_in_at_least_4_quests(demo):
    assert Lesson.objects.published().count() >= 40
    assert Quest.objects.published().filter(lessons__status="published").distinct().count() >= 4


def test_a_second_import_changes_nothing(demo):
    counts = [model.objects.count() for model in (Quest, Lesson, Tag, ExternalLink)]
    stamps = dict(Lesson.objects.values_list("key", "updated_at"))

    output = import_demo()

    assert f"0 were created, 0 were updated, {len(stamps)} unchanged." in output
    assert [model.objects.count() for model in (Quest, Lesson, Tag, ExternalLink)] == counts
    assert dict(Lesson.objects.values_list("key", "updated_at")) == stamps


def test_new_quests_follow_the_two_original_ones(demo):
    assert list(Quest.objects.values_list("slug", flat=True)[:2]) == ["deep-learning-history", "neural-networks-mlp"]
    assert Quest.objects.get(slug="deep-learning-history").lessons.count() == 10  # "Lesson 04 of 10"


def test_keys_and_slugs_are_unique_across_the_files():
    items = [parse_lesson_file(path) for path in lesson_files([CONTENT])]
    assert len({item.key for item in items}) == len(items)
    assert len({item.slug for item in items}) == len(items)


def test_positions_in_each_quest_run_from_one_without_gaps():
    positions: dict[str, list[int]] = {}
    for item in (parse_lesson_file(path) for path in lesson_files([CONTENT])):
        positions.setdefault(item.quest, []).append(item.position)
    for quest, numbers in positions.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), quest


def test_every_quest_has_one_title_in_every_file():
    titles: dict[str, set[str]] = {}
    for item in (parse_lesson_file(path) for path in lesson_files([CONTENT])):
        titles.setdefault(item.quest, set()).add(item.quest_title)
    assert all(len(names) == 1 and "" not in names for names in titles.values()), titles


def test_every_lesson_is_a_real_rendered_lesson(demo):
    for lesson in Lesson.objects.prefetch_related("tags", "links"):
        assert lesson.summary, lesson.key
        assert lesson.exercise_html, lesson.key
        assert "<h2" in lesson.body_html, lesson.key
        assert "<pre" in lesson.body_html, lesson.key
        assert "xx" not in (lesson.body + lesson.exercise + lesson.summary).lower(), lesson.key
        assert len(prose(lesson.body).split()) >= 250, lesson.key
        assert lesson.tags.all(), lesson.key
        assert lesson.links.all(), lesson.key


def test_the_top_level_is_within_the_catalogues_xp(demo):
    total = Lesson.objects.published().aggregate(total=Sum("xp"))["total"]
    top = Level.objects.aggregate(top=Max("xp_required"))["top"]
    assert top <= total


def test_there_are_enough_lessons_quests_and_days_for_every_count_achievement(demo):
    def largest(kind):
        return Achievement.objects.filter(kind=kind).aggregate(n=Max("threshold"))["n"]

    lessons = Lesson.objects.published().count()
    assert lessons >= largest(AchievementKind.LESSONS_COMPLETED)
    assert lessons >= largest(AchievementKind.STREAK_DAYS)  # one lesson a day
    assert Quest.objects.published().count() >= largest(AchievementKind.QUEST_COMPLETED)


def test_a_learner_who_completes_the_catalogue_reaches_the_top_level_and_every_content_achievement(demo, user):
    keys = list(Lesson.objects.published().in_order().values_list("key", flat=True))
    longest_streak = Achievement.objects.filter(kind=AchievementKind.STREAK_DAYS).aggregate(n=Max("threshold"))["n"]
    today = timezone.now()
    completed = {key: today - timedelta(days=index % longest_streak) for index, key in enumerate(keys)}

    services.progress_merge(user=user, completed=completed)

    standing = selectors.standing_for(user)
    assert standing.level.number == Level.objects.order_by("-xp_required").first().number
    assert standing.level.next_at is None
    earned = {info.code for info in standing.achievements}
    assert earned == set(Achievement.objects.filter(kind__in=CATALOGUE_KINDS).values_list("code", flat=True))
    assert set(Achievement.objects.exclude(kind__in=CATALOGUE_KINDS).values_list("kind", flat=True)) == {
        AchievementKind.COMMENTS_POSTED,
        AchievementKind.REPORT_SUBMITTED,
    }


class TestFittedLevels:
    def test_levels_zero_to_three_keep_their_thresholds_and_four_to_nine_are_fitted(self, db):
        table = dict(Level.objects.values_list("number", "xp_required"))
        assert table == {0: 0, 1: 120, 2: 300, 3: 550} | FIT.FITTED

    def test_undoing_the_migration_restores_the_shipped_thresholds(self, db):
        FIT.restore_levels(apps, None)
        assert dict(Level.objects.filter(number__gte=4).values_list("number", "xp_required")) == FIT.SHIPPED
        FIT.fit_levels(apps, None)
        assert dict(Level.objects.filter(number__gte=4).values_list("number", "xp_required")) == FIT.FITTED

    def test_a_threshold_staff_changed_is_left_alone(self, db):
        FIT.restore_levels(apps, None)
        Level.objects.filter(number=9).update(xp_required=5000)
        FIT.fit_levels(apps, None)
        table = dict(Level.objects.filter(number__gte=4).values_list("number", "xp_required"))
        assert table == FIT.FITTED | {9: 5000}

    def test_nothing_moves_when_fitting_would_break_the_order_staff_set(self, db):
        FIT.restore_levels(apps, None)
        Level.objects.filter(number=6).update(xp_required=2000)  # between shipped 5 and 7, above fitted 7
        before = dict(Level.objects.values_list("number", "xp_required"))
        FIT.fit_levels(apps, None)
        assert dict(Level.objects.values_list("number", "xp_required")) == before
