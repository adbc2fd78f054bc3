"""Reads of learner progress, each in a fixed number of queries.

The rules that turn completions into XP, a level, streaks and a quest's progress live
here, once. The browser only ever sums what the server hands it (``progress_tags``).
"""

import importlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.apps import apps
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from lessons.models import Lesson
from progress.models import Achievement, AchievementKind, Completion, EarnedAchievement, Level, Profile, zone_or_utc

# When staff empty the level table, learners still have a level.
FALLBACK_LEVEL = (0, "Curious", 0)


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


def catalog() -> Catalog:
    """Published lessons with their XP and quest (1 query)."""
    rows = Lesson.objects.published().in_order().values_list("key", "xp", "quest_id", "title", "slug", "quest__slug")
    return Catalog([CatalogLesson(*row) for row in rows])


@dataclass(frozen=True)
class LevelInfo:
    number: int
    name: str
    xp_floor: int
    next_at: int | None

    def as_api(self) -> dict:
        return {"number": self.number, "name": self.name, "xp_floor": self.xp_floor, "next_at": self.next_at}


def level_table() -> list[tuple[int, str, int]]:
    """(number, translated name, XP required), lowest first (1 query)."""
    rows = [
        (number, gettext(name) if name else "", xp)
        for number, name, xp in Level.objects.order_by("xp_required").values_list("number", "name", "xp_required")
    ]
    if not rows or rows[0][2] > 0:
        rows.insert(0, (FALLBACK_LEVEL[0], gettext(FALLBACK_LEVEL[1]), 0))
    return rows


def level_for(xp: int, table: list[tuple[int, str, int]]) -> LevelInfo:
    """The highest level whose threshold the XP reaches, and where the next one starts."""
    index = 0
    for position, (_number, _name, required) in enumerate(table):
        if required <= xp:
            index = position
    number, name, floor = table[index]
    next_at = table[index + 1][2] if index + 1 < len(table) else None
    return LevelInfo(number=number, name=name, xp_floor=floor, next_at=next_at)


def local_days(times: Iterable[datetime], zone: ZoneInfo) -> set[date]:
    """The calendar days, in the learner's zone, on which these moments fall."""
    return {moment.astimezone(zone).date() for moment in times}


def streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days.

    The current streak is still alive today if yesterday counted: a learner has until
    midnight in their own time zone to keep it going."""
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    cursor = today if today in days else today - timedelta(days=1)
    while cursor in days:
        current += 1
        cursor -= timedelta(days=1)
    return current, longest


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


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Standing:
    """Where a learner stands. For an anonymous visitor it is the empty standing the
    browser starts from (it fills it in from localStorage and the embedded catalogue)."""

    signed_in: bool
    catalog: Catalog
    levels: list[tuple[int, str, int]]
    achievements_all: list[AchievementInfo]
    # Completions of published lessons: what XP, totals and the API count.
    completed: dict[str, datetime]
    # Every completion time (unpublished lessons too): a day with a completion was a day of learning.
    completion_times: list[datetime]
    time_zone: str = "UTC"
    today: date | None = None

    @cached_property
    def xp(self) -> int:
        return sum(self.catalog.by_key[key].xp for key in self.completed)

    @cached_property
    def level(self) -> LevelInfo:
        return level_for(self.xp, self.levels)

    @property
    def lessons_completed(self) -> int:
        return len(self.completed)

    @property
    def lessons_total(self) -> int:
        return self.catalog.total

    @property
    def achievements(self) -> list[AchievementInfo]:
        earned = [a for a in self.achievements_all if a.earned]
        return sorted(earned, key=lambda a: a.earned_at)

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
        return streaks(local_days(self.completion_times, zone), today)

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
            "completed": {key: _iso(moment) for key, moment in self.completed.items()},
            "xp": self.xp,
            "level": self.level.as_api(),
            "lessons_completed": self.lessons_completed,
            "lessons_total": self.lessons_total,
            "achievements": [
                {"code": a.code, "name": a.name, "earned_at": _iso(a.earned_at)} for a in self.achievements
            ],
            "achievements_total": self.achievements_total,
            "streak_days": self.streak_days if self.signed_in else 0,
        }


def _achievements(user) -> list[AchievementInfo]:
    """Every achievement, with when this learner earned it (1 query)."""
    queryset = Achievement.objects.order_by("order", "pk")
    if user is not None:
        earned = EarnedAchievement.objects.filter(user=user, achievement=OuterRef("pk")).values("earned_at")[:1]
        queryset = queryset.annotate(earned_at=Subquery(earned))
    return [
        AchievementInfo(
            code=a.code,
            name=a.display_name,
            description=a.display_description,
            icon=a.icon,
            kind=a.kind,
            threshold=a.threshold,
            earned_at=getattr(a, "earned_at", None),
        )
        for a in queryset
    ]


def standing_for(user) -> Standing:
    """A learner's standing: 3 queries for an anonymous visitor, 5 for a learner."""
    lessons = catalog()
    levels = level_table()
    if user is None or not user.is_authenticated:
        return Standing(
            signed_in=False, catalog=lessons, levels=levels, achievements_all=_achievements(None),
            completed={}, completion_times=[],
        )  # fmt: skip
    achievements = _achievements(user)
    time_zone = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first() or "UTC"
    return learner_standing(user=user, catalog=lessons, levels=levels, achievements=achievements, time_zone=time_zone)


def learner_standing(*, user, catalog: Catalog, time_zone: str, levels=(), achievements=()) -> Standing:
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
    )


def standing_for_request(request) -> Standing:
    """The standing of the request's user, computed once per request whichever part of the page asks first."""
    standing = getattr(request, "_progress_standing", None)
    if standing is None:
        standing = standing_for(getattr(request, "user", None))
        request._progress_standing = standing
    return standing


@dataclass(frozen=True)
class ContinueTarget:
    """Where "continue where you left off" points: a lesson to start or continue, or none when all are done."""

    lesson: CatalogLesson | None
    started: bool


def continue_target(*, catalog: Catalog, completed: dict[str, datetime]) -> ContinueTarget:
    """The first unfinished lesson after the most recently completed one (wrapping round to the first unfinished)."""
    if not completed:
        return ContinueTarget(lesson=catalog.lessons[0] if catalog.lessons else None, started=False)
    latest = max(completed, key=lambda key: completed[key])
    keys = [lesson.key for lesson in catalog.lessons]
    start = keys.index(latest) + 1 if latest in keys else 0
    ordered = catalog.lessons[start:] + catalog.lessons[:start]
    following = next((lesson for lesson in ordered if lesson.key not in completed), None)
    return ContinueTarget(lesson=following, started=True)


@dataclass(frozen=True)
class ChartPoint:
    day: date
    xp: int
    x: float
    y: float


@dataclass(frozen=True)
class XpChart:
    """Cumulative XP by day, laid out for a server-rendered SVG (no chart library)."""

    points: list[ChartPoint]
    width: int = 600
    height: int = 180
    pad: int = 8

    @property
    def baseline(self) -> int:
        return self.height - self.pad

    @property
    def right(self) -> int:
        return self.width - self.pad

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def area(self) -> str:
        if not self.points:
            return ""
        bottom = self.height - self.pad
        return f"{self.points[0].x:.1f},{bottom} {self.polyline} {self.points[-1].x:.1f},{bottom}"

    @property
    def max_xp(self) -> int:
        return self.points[-1].xp if self.points else 0


def xp_chart(standing: Standing) -> XpChart:
    """Cumulative XP at the end of each day with a completion, in the learner's zone."""
    zone = zone_or_utc(standing.time_zone)
    per_day: Counter = Counter()
    for key, moment in standing.completed.items():
        per_day[moment.astimezone(zone).date()] += standing.catalog.by_key[key].xp
    chart = XpChart(points=[])
    if not per_day:
        return chart
    # The line starts from zero the day before the first completion.
    days = sorted(per_day)
    totals = [(days[0] - timedelta(days=1), 0)]
    for day in days:
        totals.append((day, totals[-1][1] + per_day[day]))
    first, last = totals[0][0], totals[-1][0]
    span_days = (last - first).days
    inner_w, inner_h = chart.width - 2 * chart.pad, chart.height - 2 * chart.pad
    top = max(totals[-1][1], 1)
    points = [
        ChartPoint(
            day=day,
            xp=xp,
            x=chart.pad + inner_w * (day - first).days / span_days,
            y=chart.pad + inner_h * (1 - xp / top),
        )
        for day, xp in totals
    ]
    return XpChart(points=points)


@dataclass(frozen=True)
class RecentCompletion:
    title: str
    url: str
    completed_at: datetime


def recent_completions(user, *, limit: int = 10) -> list[RecentCompletion]:
    """The learner's latest completions of published lessons (1 query)."""
    rows = (
        Completion.objects.filter(user=user, lesson__in=Lesson.objects.published())
        .select_related("lesson__quest")
        .only("completed_at", "lesson__title", "lesson__slug", "lesson__quest__slug")
        .order_by("-completed_at")[:limit]
    )
    return [RecentCompletion(row.lesson.title, row.lesson.get_absolute_url(), row.completed_at) for row in rows]


@dataclass(frozen=True)
class Dashboard:
    standing: Standing
    chart: XpChart
    recent: list[RecentCompletion]


def dashboard_for(request) -> Dashboard:
    """Everything the dashboard shows (6 queries, whatever the learner has done), sharing the
    request's standing with the standing area."""
    standing = standing_for_request(request)
    return Dashboard(standing=standing, chart=xp_chart(standing), recent=recent_completions(request.user))


def _account_data(user) -> dict:
    """The sign-in account itself (Django's auth and allauth keep it; neither offers a privacy module)."""
    return {
        "username": user.get_username(),
        "email": user.email,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login) if user.last_login else None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
    }


def personal_data(user) -> dict:
    """Everything the site holds about a learner, app by app, for "download my data".

    Each app that stores personal data offers ``<app>.privacy.personal_data(user)``;
    progress asks every installed app rather than importing the others."""
    data: dict = {"exported_at": _iso(timezone.now()), "account": _account_data(user)}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.privacy"
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            if error.name != module_name:  # the module exists but is broken: let it be seen
                raise
            continue
        collect = getattr(module, "personal_data", None)
        if callable(collect):
            data[config.label] = collect(user)
    return data
