"""The rules, once, in Python: XP, levels, every achievement kind, streaks across time zones and DST."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lessons.models import Report, Status
from lessons.signals import report_submitted
from progress import rules, selectors, services
from progress.models import Achievement, AchievementKind, Completion, EarnedAchievement, Level, Profile
from tests.conftest import make_quest


def codes(earned) -> set[str]:
    return {e.achievement.code for e in earned}


def earned_codes(user) -> set[str]:
    return set(EarnedAchievement.objects.filter(user=user).values_list("achievement__code", flat=True))


class TestXp:
    def test_xp_is_the_sum_of_the_completed_published_lessons(self, user, lessons):
        services.lesson_complete(user=user, lesson=lessons[0])
        services.lesson_complete(user=user, lesson=lessons[1])
        standing = selectors.standing_for(user)
        assert standing.xp == lessons[0].xp + lessons[1].xp == 80
        assert standing.lessons_completed == 2
        assert standing.lessons_total == 3

    def test_completing_twice_counts_once(self, user, lessons):
        services.lesson_complete(user=user, lesson=lessons[0])
        assert services.lesson_complete(user=user, lesson=lessons[0]) == []
        assert Completion.objects.filter(user=user).count() == 1
        assert selectors.standing_for(user).xp == 40

    def test_undo_takes_the_xp_back_but_keeps_earned_achievements(self, user, lessons):
        services.lesson_complete(user=user, lesson=lessons[0])
        services.lesson_uncomplete(user=user, lesson=lessons[0])
        standing = selectors.standing_for(user)
        assert standing.xp == 0
        assert [a.code for a in standing.achievements] == ["first-steps"]

    def test_a_lesson_unpublished_later_stops_counting(self, user, lessons):
        services.lesson_complete(user=user, lesson=lessons[0])
        lessons[0].status = Status.DRAFT
        lessons[0].save()
        standing = selectors.standing_for(user)
        assert (standing.xp, standing.lessons_completed, standing.lessons_total) == (0, 0, 2)

    def test_drafts_cannot_be_completed(self, user, lessons):
        lessons[0].status = Status.DRAFT
        lessons[0].save()
        with pytest.raises(services.LessonNotPublished):
            services.lesson_complete(user=user, lesson=lessons[0])
        assert not Completion.objects.exists()

    def test_staff_changing_a_lessons_xp_changes_everyones_xp(self, user, lessons):
        services.lesson_complete(user=user, lesson=lessons[0])
        lessons[0].xp = 75
        lessons[0].save()
        assert selectors.standing_for(user).xp == 75


class TestLevels:
    def test_the_shipped_table_starts_at_curious_and_level_one_needs_120_xp(self, db):
        table = selectors.level_table()
        assert table[0] == (0, "Curious", 0)
        assert table[1][0] == 1
        assert table[1][2] == 120
        assert 9 <= len(table) <= 12
        assert [xp for _n, _name, xp in table] == sorted({xp for _n, _name, xp in table})

    @pytest.mark.parametrize(
        ("xp", "number", "floor", "next_at"),
        [(0, 0, 0, 120), (119, 0, 0, 120), (120, 1, 120, 300), (299, 1, 120, 300), (300, 2, 300, 550)],
    )
    def test_a_learner_is_at_the_highest_level_their_xp_reaches(self, db, xp, number, floor, next_at):
        level = rules.level_for(xp, selectors.level_table())
        assert (level.number, level.xp_floor, level.next_at) == (number, floor, next_at)

    def test_the_top_level_has_no_next_threshold(self, db):
        table = selectors.level_table()
        top = rules.level_for(10**9, table)
        assert top.number == table[-1][0]
        assert top.next_at is None

    def test_staff_edits_to_names_and_thresholds_apply(self, user, lessons):
        Level.objects.filter(number=1).update(name="Novice", xp_required=40)
        services.lesson_complete(user=user, lesson=lessons[0])
        level = selectors.standing_for(user).level
        assert (level.number, level.name, level.xp_floor) == (1, "Novice", 40)

    def test_an_empty_level_table_still_gives_level_zero(self, user):
        Level.objects.all().delete()
        level = selectors.standing_for(user).level
        assert (level.number, level.name, level.xp_floor, level.next_at) == (0, "Curious", 0, None)

    def test_a_threshold_must_sit_between_its_neighbours(self, db):
        level = Level.objects.get(number=2)
        level.xp_required = 100  # level 1 needs 120
        with pytest.raises(ValidationError):
            level.full_clean()

    def test_level_and_achievement_names_go_through_the_translation_catalogue(self, user):
        with mock.patch("progress.selectors.gettext", side_effect=lambda text: f"[{text}]"):
            assert selectors.level_table()[0][1] == "[Curious]"
        with mock.patch("progress.models.gettext", side_effect=lambda text: f"<{text}>"):
            assert selectors.standing_for(user).achievements_all[0].name == "<First steps>"


class TestAchievements:
    def test_eleven_ship_with_every_kind_used(self, db):
        assert Achievement.objects.count() == 11
        kinds = set(Achievement.objects.values_list("kind", flat=True))
        assert kinds == set(AchievementKind.values)
        assert all(a.name and a.description and a.icon for a in Achievement.objects.all())

    def test_lessons_completed(self, user, db):
        quest = make_quest("many", lessons=5)
        lessons = list(quest.lessons.order_by("position"))
        first = services.lesson_complete(user=user, lesson=lessons[0])
        assert codes(first) == {"first-steps"}
        for lesson in lessons[1:4]:
            assert services.lesson_complete(user=user, lesson=lesson) == []
        assert codes(services.lesson_complete(user=user, lesson=lessons[4])) >= {"warming-up"}

    def test_quest_completed_and_all_lessons_completed(self, user, lessons):
        other = make_quest("second", lessons=1, order=1)
        services.lesson_complete(user=user, lesson=lessons[0])
        services.lesson_complete(user=user, lesson=lessons[1])
        assert codes(services.lesson_complete(user=user, lesson=lessons[2])) == {"quest-complete"}
        last = services.lesson_complete(user=user, lesson=other.lessons.get())
        assert codes(last) == {"two-quests", "completionist"}

    def test_all_lessons_completed_needs_lessons_to_exist(self, user, db):
        standing = selectors.standing_for(user)
        assert standing.achievement_counts()[AchievementKind.ALL_LESSONS_COMPLETED] == 0

    def test_streak_days_from_a_sync_of_three_consecutive_days(self, user, lessons):
        now = timezone.now()
        result = services.progress_merge(
            user=user,
            completed={lesson.key: now - timedelta(days=2 - i) for i, lesson in enumerate(lessons)},
        )
        assert {"streak-3", "first-steps", "quest-complete"} <= codes(result.new_achievements)

    def test_comments_posted_is_reported_by_the_comments_app(self, user, db):
        assert services.achievements_award(user=user, kind="comments_posted", value=0) == []
        assert codes(services.achievements_award(user=user, kind="comments_posted", value=1)) == {"first-comment"}
        assert services.achievements_award(user=user, kind="comments_posted", value=2) == []
        assert EarnedAchievement.objects.filter(user=user).count() == 1

    def test_report_submitted_through_the_lessons_signal(self, user, other_user, db):
        report = Report.objects.create(body="Typo", user=user)
        report_submitted.send(sender=Report, report=report, user=user)
        assert earned_codes(user) == {"bug-hunter"}
        anonymous = Report.objects.create(body="Typo")
        report_submitted.send(sender=Report, report=anonymous, user=None)
        assert earned_codes(other_user) == set()
        assert EarnedAchievement.objects.count() == 1

    def test_an_achievement_is_awarded_once(self, user, db):
        services.achievements_award(user=user, kind="report_submitted", value=1)
        assert services.achievements_award(user=user, kind="report_submitted", value=5) == []
        assert EarnedAchievement.objects.filter(user=user).count() == 1

    def test_staff_can_add_an_achievement_with_an_existing_rule(self, user, lessons):
        Achievement.objects.create(code="two-down", name="Two down", description="Two lessons.", kind="lessons_completed", threshold=2)  # fmt: skip
        services.lesson_complete(user=user, lesson=lessons[0])
        assert codes(services.lesson_complete(user=user, lesson=lessons[1])) == {"two-down"}

    def test_an_unknown_kind_is_a_programming_error(self, user):
        with pytest.raises(ValueError, match="Unknown achievement kind"):
            services.achievements_award(user=user, kind="xp", value=10**6)

    def test_standing_counts_earned_of_total(self, user, lessons):
        services.lesson_complete(user=user, lesson=lessons[0])
        standing = selectors.standing_for(user)
        assert (len(standing.achievements), standing.achievements_total) == (1, 11)
        assert len(standing.achievements_locked) == 10


class TestStreaks:
    def test_consecutive_days_make_a_streak_and_a_gap_breaks_it(self):
        days = {date(2026, 1, d) for d in (1, 2, 3, 5, 6)}
        assert rules.streaks(days, today=date(2026, 1, 6)) == (2, 3)

    def test_the_streak_is_alive_until_the_end_of_today(self):
        days = {date(2026, 1, 4), date(2026, 1, 5)}
        assert rules.streaks(days, today=date(2026, 1, 6)) == (2, 2)
        assert rules.streaks(days, today=date(2026, 1, 7)) == (0, 2)

    def test_no_completions_no_streak(self):
        assert rules.streaks(set(), today=date(2026, 1, 1)) == (0, 0)

    def test_the_same_moments_fall_on_different_days_in_different_zones(self):
        # 15:30 UTC on two consecutive days: just after midnight in Seoul (UTC+9), morning in LA...
        moments = [datetime(2026, 5, 1, 15, 30, tzinfo=UTC), datetime(2026, 5, 2, 15, 30, tzinfo=UTC)]
        seoul = rules.local_days(moments, ZoneInfo("Asia/Seoul"))
        los_angeles = rules.local_days(moments, ZoneInfo("America/Los_Angeles"))
        assert seoul == {date(2026, 5, 2), date(2026, 5, 3)}
        assert los_angeles == {date(2026, 5, 1), date(2026, 5, 2)}
        # ...and two moments 9 hours apart are one day in Seoul, two in UTC.
        close = [datetime(2026, 5, 1, 15, 0, tzinfo=UTC), datetime(2026, 5, 2, 0, 0, tzinfo=UTC)]
        assert len(rules.local_days(close, ZoneInfo("Asia/Seoul"))) == 1
        assert len(rules.local_days(close, ZoneInfo("UTC"))) == 2

    def test_spring_forward_keeps_days_by_the_local_clock(self):
        new_york = ZoneInfo("America/New_York")  # DST began 2026-03-08 at 02:00
        moments = [
            datetime(2026, 3, 7, 23, 30, tzinfo=new_york),  # EST, 04:30 UTC on the 8th
            datetime(2026, 3, 8, 23, 30, tzinfo=new_york),  # EDT, 03:30 UTC on the 9th
            datetime(2026, 3, 9, 0, 30, tzinfo=new_york),  # EDT, 04:30 UTC on the 9th
        ]
        days = rules.local_days(moments, new_york)
        assert days == {date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)}
        assert rules.streaks(days, today=date(2026, 3, 9)) == (3, 3)
        assert rules.streaks(rules.local_days(moments, ZoneInfo("UTC")), today=date(2026, 3, 9)) == (2, 2)

    def test_fall_back_a_25_hour_day_is_still_one_day(self):
        new_york = ZoneInfo("America/New_York")  # DST ended 2026-11-01 at 02:00
        early = datetime(2026, 11, 1, 0, 30, tzinfo=new_york)  # EDT, 04:30 UTC
        late = datetime(2026, 11, 1, 23, 30, tzinfo=new_york)  # EST, 04:30 UTC the next day
        assert late.astimezone(UTC) - early.astimezone(UTC) == timedelta(hours=24)  # 23 wall-clock hours
        assert rules.local_days([early, late], new_york) == {date(2026, 11, 1)}
        assert len(rules.local_days([early, late], ZoneInfo("UTC"))) == 2

    def test_the_learners_time_zone_decides_their_streak(self, user, lessons):
        # 22:00 UTC yesterday and 01:00 UTC today: two days in UTC, one morning in Seoul.
        now = timezone.now().astimezone(UTC)
        today = now.replace(hour=1, minute=0, second=0, microsecond=0)
        if today > now:
            today -= timedelta(days=1)
        services.progress_merge(
            user=user,
            completed={lessons[0].key: today - timedelta(hours=3), lessons[1].key: today},
        )
        profile = Profile.for_user(user)
        assert selectors.standing_for(user).longest_streak == 2  # UTC: two days
        profile.time_zone = "Asia/Seoul"  # +9: both are on the same morning
        profile.save()
        assert selectors.standing_for(user).longest_streak == 1
        profile.time_zone = "Not/AZone"  # a zone that no longer exists falls back to UTC
        profile.save()
        assert selectors.standing_for(user).longest_streak == 2
