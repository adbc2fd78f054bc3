"""The rules of progress, as pure functions: no ORM, no request, no translation.

Level from XP, how far into a level a learner is, streaks of days, and where
"continue where you left off" points. ``progress.selectors`` reads the database and
applies these; the browser applies the same rules to an anonymous learner's local
completions in ``static/js/standing.js``, the only rules written in JavaScript, and
``tests/e2e/test_standing_js.py`` runs one table of cases through both.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo


class LevelRow(NamedTuple):
    """One row of the level table: (number, translated name, XP required)."""

    number: int
    name: str
    xp_required: int


@dataclass(frozen=True)
class LevelInfo:
    number: int
    name: str
    xp_floor: int
    next_at: int | None

    def as_api(self) -> dict:
        return {"number": self.number, "name": self.name, "xp_floor": self.xp_floor, "next_at": self.next_at}


def level_steps(table: Sequence[tuple[int, str, int]]) -> list[LevelInfo]:
    """Each level of a table (lowest first) with where the next one starts: what the browser
    is handed, so that it never looks up the following row itself."""
    return [
        LevelInfo(
            number=number,
            name=name,
            xp_floor=required,
            next_at=table[index + 1][2] if index + 1 < len(table) else None,
        )
        for index, (number, name, required) in enumerate(table)
    ]


def level_for(xp: int, table: Sequence[tuple[int, str, int]]) -> LevelInfo:
    """The highest level whose threshold the XP reaches, and where the next one starts."""
    steps = level_steps(table)
    reached = steps[0]
    for step in steps:
        if step.xp_floor <= xp:
            reached = step
    return reached


@dataclass(frozen=True)
class LevelProgress:
    """How far into their level a learner is. ``span`` and ``left`` are None at the top level."""

    into: int
    span: int | None
    left: int | None
    percent: int


def level_progress(xp: int, level: LevelInfo) -> LevelProgress:
    """XP into the level, the level's width, XP left to the next, and the whole percent reached (100 at the top)."""
    into = xp - level.xp_floor
    if level.next_at is None:
        return LevelProgress(into=into, span=None, left=None, percent=100)
    span = level.next_at - level.xp_floor
    percent = 100 if span <= 0 else min(100, into * 100 // span)
    return LevelProgress(into=into, span=span, left=level.next_at - xp, percent=percent)


def xp_of(completed: Iterable[str], xp_by_key: Mapping[str, int]) -> int:
    """XP is the sum of the completed lessons' XP; keys not in the table count nothing."""
    return sum(xp_by_key.get(key, 0) for key in completed)


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


class ContinueAt(NamedTuple):
    """Where "continue where you left off" points: a lesson key (None when every lesson is
    done, or there are none) and whether the learner has started at all."""

    key: str | None
    started: bool


def continue_at(order: Sequence[str], completed: Mapping[str, datetime]) -> ContinueAt:
    """The first unfinished lesson after the most recently completed one, wrapping round to
    the first unfinished. Of completions at the same moment, the first in reading order
    counts as the latest; completions of lessons not in ``order`` are not looked at."""
    done = [key for key in order if key in completed]
    if not done:
        return ContinueAt(key=order[0] if order else None, started=False)
    latest = done[0]
    for key in done:
        if completed[key] > completed[latest]:
            latest = key
    start = order.index(latest) + 1
    following = next((key for key in [*order[start:], *order[:start]] if key not in completed), None)
    return ContinueAt(key=following, started=True)
