"""Reads of learner progress, each in a fixed number of queries.

What a learner has done, read once per request and shared by every part of the page:
the published catalogue, the level table, achievements and completions, aggregated into
a ``Standing``. The rules it applies (level from XP, streaks, the continue target) are
pure functions in ``progress.rules``; what pages and the browser are shown is built from
a standing in ``progress.presentation``.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from infra import page_cache
from infra.timestamps import iso
from lessons.models import Lesson
from progress import rules
from progress.models import Achievement, AchievementKind, Completion, EarnedAchievement, Level, Profile, zone_or_utc
from progress.rules import LevelInfo, LevelRow

# When staff empty the level table, learners still have a level.
FALLBACK_LEVEL = LevelRow(0, "Curious", 0)


@dataclass(frozen=True)
class CatalogLesson:
    key: str
    xp: int
    quest_id: int
    title: str
    slug: str
    quest_slug: str

    @property
    def url(self) -> str:
        return reverse("lessons:lesson", kwargs={"quest_slug": self.quest_slug, "slug": self.slug})


@dataclass(frozen=True)
class Catalog:
    """Every published lesson, in reading order: what XP and totals are counted over."""

    lessons: list[CatalogLesson]
    by_key: dict[str, CatalogLesson] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "by_key", {lesson.key: lesson for lesson in self.lessons})

    @property
    def total(self) -> int:
        return len(self.lessons)

    @cached_property
    def quest_totals(self) -> Counter:
        return Counter(lesson.quest_id for lesson in self.lessons)

    @cached_property
    def xp_by_key(self) -> dict[str, int]:
        return {lesson.key: lesson.xp for lesson in self.lessons}


def catalog() -> Catalog:
    """Published lessons with their XP and quest (1 query)."""
    rows = Lesson.objects.published().in_order().values_list("key", "xp", "quest_id", "title", "slug", "quest__slug")
    return Catalog([CatalogLesson(*row) for row in rows])


def level_table() -> list[LevelRow]:
    """(number, translated name, XP required), lowest first (1 query)."""
    rows = [
        LevelRow(number, gettext(name) if name else "", xp)
        for number, name, xp in Level.objects.order_by("xp_required").values_list("number", "name", "xp_required")
    ]
    if not rows or rows[0].xp_required > 0:
        rows.insert(0, FALLBACK_LEVEL._replace(name=gettext(FALLBACK_LEVEL.name)))
    return rows


@dataclass(frozen=True)
class AchievementInfo:
    code: str
    name: str
    description: str
    icon: str
    kind: str
    threshold: int
    earned_at: datetime | None

    @property
    def earned(self) -> bool:
        return self.earned_at is not None


@dataclass(frozen=True)
class ContinueTarget:
    """Where "continue where you left off" points: a lesson to start or continue, or none when all are done."""

    lesson: CatalogLesson | None
    started: bool


@dataclass(frozen=True)
class Standing:
    """Where a learner stands. For an anonymous visitor it is the empty standing the
    browser starts from (it fills it in from localStorage and the embedded catalogue)."""

    signed_in: bool
    catalog: Catalog
    levels: list[LevelRow]
    achievements_all: list[AchievementInfo]
    # Completions of published lessons: what XP, totals and the API count.
    completed: dict[str, datetime]
    # Every completion time (unpublished lessons too): a day with a completion was a day of learning.
    completion_times: list[datetime]
    time_zone: str = "UTC"
    today: date | None = None
    # Whether the learner chose a public name (else others see "Learner 4821"; progress.names).
    name_chosen: bool = False

    @cached_property
    def xp(self) -> int:
        return rules.xp_of(self.completed, self.catalog.xp_by_key)

    @cached_property
    def level(self) -> LevelInfo:
        return rules.level_for(self.xp, self.levels)

    @cached_property
    def level_progress(self) -> rules.LevelProgress:
        return rules.level_progress(self.xp, self.level)

    @property
    def lessons_completed(self) -> int:
        return len(self.completed)

    @property
    def lessons_total(self) -> int:
        return self.catalog.total

    @property
    def achievements(self) -> list[AchievementInfo]:
        earned = [a for a in self.achievements_all if a.earned]
        return sorted(earned, key=lambda a: a.earned_at or datetime.min.replace(tzinfo=UTC))

    @property
    def achievements_locked(self) -> list[AchievementInfo]:
        return [a for a in self.achievements_all if not a.earned]

    @property
    def achievements_total(self) -> int:
        return len(self.achievements_all)

    @cached_property
    def _streaks(self) -> tuple[int, int]:
        zone = zone_or_utc(self.time_zone)
        today = self.today or timezone.now().astimezone(zone).date()
        return rules.streaks(rules.local_days(self.completion_times, zone), today)

    @property
    def streak_days(self) -> int:
        return self._streaks[0]

    @property
    def longest_streak(self) -> int:
        return self._streaks[1]

    def quest_done(self, quest_id: int) -> int:
        return self._quest_done[quest_id]

    @cached_property
    def _quest_done(self) -> Counter:
        return Counter(self.catalog.by_key[key].quest_id for key in self.completed)

    @property
    def quests_completed(self) -> int:
        """Quests whose every published lesson the learner completed."""
        return sum(1 for quest, total in self.catalog.quest_totals.items() if self._quest_done[quest] >= total)

    @cached_property
    def continue_target(self) -> "ContinueTarget":
        """Where "continue where you left off" points for this learner."""
        at = rules.continue_at([lesson.key for lesson in self.catalog.lessons], self.completed)
        return ContinueTarget(lesson=None if at.key is None else self.catalog.by_key[at.key], started=at.started)

    def recent_completions(self, limit: int = 10) -> list["RecentCompletion"]:
        """The latest completions of published lessons, newest first (no query: read with the standing)."""
        latest = sorted(self.completed.items(), key=lambda item: item[1], reverse=True)[:limit]
        return [
            RecentCompletion(self.catalog.by_key[key].title, self.catalog.by_key[key].url, moment)
            for key, moment in latest
        ]

    def achievement_counts(self) -> dict[str, int]:
        """The learner's count for each progress rule of achievement (see AchievementKind)."""
        return {
            AchievementKind.LESSONS_COMPLETED: self.lessons_completed,
            AchievementKind.QUEST_COMPLETED: self.quests_completed,
            AchievementKind.ALL_LESSONS_COMPLETED: int(0 < self.lessons_total <= self.lessons_completed),
            # The longest run counts: a sync can bring in a streak from the past.
            AchievementKind.STREAK_DAYS: self.longest_streak,
        }

    def as_api(self) -> dict:
        """The progress state of SPEC section 4, exactly."""
        return {
            "completed": {key: iso(moment) for key, moment in self.completed.items()},
            "xp": self.xp,
            "level": self.level.as_api(),
            "lessons_completed": self.lessons_completed,
            "lessons_total": self.lessons_total,
            "achievements": [
                {"code": a.code, "name": a.name, "earned_at": iso(a.earned_at)} for a in self.achievements
            ],
            "achievements_total": self.achievements_total,
            "streak_days": self.streak_days if self.signed_in else 0,
        }


def _achievement_table() -> list[tuple[int, AchievementInfo]]:
    """Every achievement, in order, unearned, with its id (1 query)."""
    return [
        (
            a.pk,
            AchievementInfo(
                code=a.code,
                name=a.display_name,
                description=a.display_description,
                icon=a.icon,
                kind=a.kind,
                threshold=a.threshold,
                earned_at=None,
            ),
        )
        for a in Achievement.objects.order_by("order", "pk")
    ]


def _achievements(user) -> list[AchievementInfo]:
    """Every achievement, with when this learner earned it (the table is shared; 1 query for a learner)."""
    table = page_cache.shared("progress:achievements", _achievement_table)
    if user is None:
        return [info for _pk, info in table]
    earned = dict(EarnedAchievement.objects.filter(user=user).values_list("achievement_id", "earned_at"))
    return [replace(info, earned_at=earned[pk]) if pk in earned else info for pk, info in table]


def standing_for(user) -> Standing:
    """A learner's standing: no query for an anonymous visitor, 3 for a learner.

    The catalogue, the level table and the achievements are the same for everyone: they are read
    once per content version (``infra.page_cache.shared``; 3 queries when the content changed)."""
    lessons = page_cache.shared("progress:catalog", catalog)
    levels = page_cache.shared("progress:levels", level_table)
    if user is None or not user.is_authenticated:
        return Standing(
            signed_in=False, catalog=lessons, levels=levels, achievements_all=_achievements(None),
            completed={}, completion_times=[],
        )  # fmt: skip
    achievements = _achievements(user)
    time_zone, display_name = Profile.objects.filter(user=user).values_list("time_zone", "display_name").first() or (
        "UTC",
        "",
    )
    return learner_standing(
        user=user,
        catalog=lessons,
        levels=levels,
        achievements=achievements,
        time_zone=time_zone,
        name_chosen=bool(display_name),
    )


def learner_standing(
    *, user, catalog: Catalog, time_zone: str, levels=(), achievements=(), name_chosen: bool = False
) -> Standing:
    """A learner's standing from their completions (1 query) over a catalogue already read."""
    rows = list(Completion.objects.filter(user=user).values_list("lesson__key", "completed_at"))
    completed = {key: moment for key, moment in rows if key in catalog.by_key}
    return Standing(
        signed_in=True,
        catalog=catalog,
        levels=list(levels),
        achievements_all=list(achievements),
        completed=dict(sorted(completed.items(), key=lambda item: item[1])),
        completion_times=[moment for _key, moment in rows],
        time_zone=time_zone,
        name_chosen=name_chosen,
    )


def standing_for_request(request) -> Standing:
    """The standing of the request's user, computed once per request whichever part of the page asks
    first, and kept for the learner until something of theirs changes (``page_cache.learner_value``:
    a sync of progress the account already holds reads no standing)."""
    standing = getattr(request, "_progress_standing", None)
    if standing is None:
        user = getattr(request, "user", None)
        standing = page_cache.learner_value(request, "progress:standing", lambda: standing_for(user))
        request._progress_standing = standing
    return standing


@dataclass(frozen=True)
class RecentCompletion:
    title: str
    url: str
    completed_at: datetime


def lesson_completed_by(*, user, lesson) -> bool:
    """Whether the learner has completed the lesson (1 query)."""
    return Completion.objects.filter(user=user, lesson=lesson).exists()
