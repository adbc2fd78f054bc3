"""Achievement icons are drawn (inline SVG by name), never emoji, in the dashboard, the admin and the API;
the migration that replaced the shipped emoji keeps what staff chose; a new time zone re-checks streaks."""

import importlib
import re
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.core.management import call_command

from infra.icons import ACHIEVEMENT_ICONS
from lessons.models import Lesson
from progress import services
from progress.models import Achievement, Completion, EarnedAchievement

EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
SHIPPED_ICONS = {
    "first-steps": "seedling", "warming-up": "flame", "bookworm": "books", "scholar": "diver",
    "quest-complete": "flag", "two-quests": "map", "completionist": "trophy", "streak-3": "bolt",
    "streak-7": "calendar", "first-comment": "speech", "bug-hunter": "bug",
}  # fmt: skip


def test_the_shipped_achievements_are_drawn_by_name(db):
    assert dict(Achievement.objects.values_list("code", "icon")) == SHIPPED_ICONS
    assert set(SHIPPED_ICONS.values()) <= {name for name, _label in ACHIEVEMENT_ICONS}


def test_the_dashboard_draws_earned_and_locked_achievements_without_emoji(learner_client, lessons, user):
    services.lesson_complete(user=user, lesson=lessons[0])
    html = learner_client.get("/dashboard/").content.decode()
    achievements = html[
        html.index('<ul class="achievement-list">') : html.index("</ul>", html.index("achievement-list"))
    ]
    assert not EMOJI.findall(achievements)
    earned, *locked = achievements.split('<li class="achievement achievement-locked">')
    # The seedling of "First steps", hidden from screen readers: its name is written beside it.
    assert '<svg class="icon" aria-hidden="true" focusable="false"' in earned
    assert '<path d="M12 21v-8"/>' in earned
    assert len(locked) == 10
    assert all('<svg class="icon achievement-lock" aria-hidden="true"' in item for item in locked)
    assert all("(locked)" in item for item in locked)


def test_staff_pick_an_icon_from_the_set_and_see_it_drawn(client, staff_user):
    client.force_login(staff_user)
    form = client.get("/admin/progress/achievement/add/").content.decode()
    # Each choice shows its drawing beside its name.
    assert re.search(r'value="trophy"[^>]*>\s*<svg class="icon" aria-hidden="true"[^>]*>.*?</svg> Trophy</label>', form)
    fields = {"code": "talkative", "name": "Talkative", "description": "Post 10 comments.", "kind": "comments_posted",
              "threshold": 10, "order": 20}  # fmt: skip
    refused = client.post("/admin/progress/achievement/add/", fields | {"icon": "🗣️"})
    assert refused.status_code == 200
    assert "Select a valid choice." in refused.content.decode()
    assert client.post("/admin/progress/achievement/add/", fields | {"icon": "speech"}).status_code == 302
    listing = client.get("/admin/progress/achievement/").content.decode()
    assert '<svg class="icon" role="img" aria-label="Speech bubble" focusable="false"' in listing


def test_the_api_names_the_icon(learner_client, lessons):
    data = learner_client.post(
        "/api/progress/complete", {"lesson": lessons[0].key}, content_type="application/json"
    ).json()
    assert [(a["code"], a["icon"]) for a in data["new_achievements"]] == [("first-steps", "seedling")]


def test_the_migration_draws_shipped_emoji_and_keeps_what_staff_chose(shipped):
    migration = importlib.import_module("progress.migrations.0006_achievement_icons_drawn")
    call_command("migrate", "progress", "0005", verbosity=0)
    assert Achievement.objects.get(code="first-steps").icon == "🌱"
    # Staff edited two shipped icons and added an achievement of their own before the change.
    Achievement.objects.filter(code="bookworm").update(icon="🔥")
    Achievement.objects.filter(code="scholar").update(icon="🎉")
    Achievement.objects.create(code="own", name="Own", description="Staff's.", icon="🏆", kind="comments_posted")

    call_command("migrate", "progress", verbosity=0)
    icons = dict(Achievement.objects.values_list("code", "icon"))
    assert icons["first-steps"] == "seedling"  # still shipped: the drawing of the same thing
    assert icons["bookworm"] == "flame"  # staff's choice, which the set draws
    assert icons["scholar"] == "medal"  # an emoji the set cannot draw: the medal, for staff to change
    assert icons["own"] == "trophy"
    assert {icons[code] for code in SHIPPED_ICONS if code not in {"bookworm", "scholar"}} == {
        SHIPPED_ICONS[code] for code in SHIPPED_ICONS if code not in {"bookworm", "scholar"}
    }

    migration.undraw(apps, None)
    assert Achievement.objects.get(code="first-steps").icon == "🌱"
    assert Achievement.objects.get(code="bookworm").icon == "🔥"
    migration.draw(apps, None)
    assert Achievement.objects.get(code="first-steps").icon == "seedling"


class TestTimeZoneChange:
    """Streak days end at midnight in the learner's zone: a new zone can join (or split) days."""

    @pytest.fixture
    def late_evenings(self, user, lessons):
        # UTC days: 1 and 3 January (no run). In New York (UTC-5): 1, 2 and 3 January.
        for lesson, moment in zip(
            lessons,
            [
                datetime(2026, 1, 1, 12, tzinfo=UTC),
                datetime(2026, 1, 3, 2, tzinfo=UTC),
                datetime(2026, 1, 3, 12, tzinfo=UTC),
            ],
            strict=True,
        ):
            Completion.objects.create(user=user, lesson=lesson, completed_at=moment)
        services.achievements_award(user=user, kind="streak_days", value=1)  # what UTC days gave: no 3-day streak
        return user

    def test_a_streak_that_exists_only_in_the_new_zone_earns_on_a_roll(self, late_evenings):
        update = services.profile_update(
            user=late_evenings, display_name="", time_zone="America/New_York", email_on_reply=True
        )
        assert [earned.achievement.code for earned in update.new_achievements] == ["streak-3"]
        assert EarnedAchievement.objects.filter(user=late_evenings, achievement__code="streak-3").exists()

    def test_the_settings_page_announces_it(self, learner_client, late_evenings):
        response = learner_client.post("/settings/", {"time_zone": "America/New_York"}, follow=True)
        html = response.content.decode()
        assert "Your settings were saved." in html
        assert "Achievement earned: On a roll" in html

    def test_keeping_the_zone_checks_nothing(self, late_evenings, django_assert_num_queries):
        services.profile_update(user=late_evenings, display_name="", time_zone="UTC", email_on_reply=True)
        with django_assert_num_queries(4):  # savepoint, lock, save, release: no streak walk
            update = services.profile_update(
                user=late_evenings, display_name="Ada", time_zone="UTC", email_on_reply=True
            )
        assert update.new_achievements == []
        assert not EarnedAchievement.objects.filter(achievement__code="streak-3").exists()


def test_completions_of_unpublished_lessons_still_count_as_days(learner_client, user, lessons):
    """The re-check counts the same days as the dashboard's streak (every completion time)."""
    Lesson.objects.filter(pk=lessons[1].pk).update(status="draft")
    for lesson, day in zip(lessons, (1, 2, 3), strict=True):
        Completion.objects.create(user=user, lesson=lesson, completed_at=datetime(2026, 1, day, 12, tzinfo=UTC))
    update = services.profile_update(user=user, display_name="", time_zone="Asia/Seoul", email_on_reply=True)
    assert [earned.achievement.code for earned in update.new_achievements] == ["streak-3"]
