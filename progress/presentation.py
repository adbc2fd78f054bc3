"""What pages and the browser are shown of a learner's standing: sentences, the XP chart's
geometry, and the data the page hands its script.

Nothing here decides anything about progress (``progress.rules`` does) or reads more
than the selectors it calls. Every sentence the standing area shows has one source,
``SENTENCES``: the server renders it, and the same translated template is handed to
``progress.js`` for in-place updates, so Python, templates and JavaScript never write it
again.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infra import page_cache
from progress import rules, selectors
from progress.models import Achievement, zone_or_utc

# Placeholders are Python's ``%(name)s``; progress.js fills them in the same way.
SENTENCES: dict[str, Promise] = {
    "level": _("Level %(number)s"),
    "xp": _("%(xp)s XP"),
    "lessons": _("%(done)s/%(total)s lessons"),
    "achievements": _("%(earned)s/%(total)s achievements"),
    "to_next": _("%(into)s/%(span)s XP to next level"),
    "to_go": _("%(left)s XP to go"),
    # What the bar measures: the way from this level to the next, not through the course.
    "percent": _("%(percent)s%% of the way to level %(next)s"),
    "top": _("Top level reached"),
    "quest": _("%(done)s of %(total)s lessons done"),
    "level_up": _("Level up! You are now level %(number)s, %(name)s."),
    # No icon in the sentence: it is read as text (toasts, messages), where an emoji may draw as a box.
    "achievement": _("Achievement earned: %(name)s"),
    "mark": _("Mark as complete"),
    "undo": _("Undo"),
    "marked": _("Lesson marked complete. You have %(xp)s XP."),
    "unmarked": _("Lesson no longer marked complete. You have %(xp)s XP."),
    "failed": _("Your progress could not be saved. Check your connection and try again."),
    "offline": _(
        "You're offline: this lesson is marked complete on this device and will be added to your account when you're back online."
    ),
    "storage": _("This browser does not let the site store progress. Sign in to keep it on your account."),
    "continue": _("Continue where you left off:"),
    "start": _("Start with the first lesson:"),
    "all_done": _("You have completed every lesson. Well done!"),
}


def achievement_earned(achievement: Achievement) -> str:
    """The announcement of an earned achievement, wherever it was earned (a lesson, a comment)."""
    return SENTENCES["achievement"] % {"name": achievement.display_name}


def level_up(level: rules.LevelInfo) -> str:
    """The announcement of a new level."""
    return SENTENCES["level_up"] % {"number": level.number, "name": level.name}


def client_strings() -> dict[str, str]:
    """The sentences progress.js shows, translated once, on the server, in the page's language."""
    strings = {name: str(text) for name, text in SENTENCES.items()}
    # Literal arguments, so that makemessages finds them.
    strings["added_one"] = ngettext(
        "%(count)s lesson from this device was added to your account",
        "%(count)s lessons from this device were added to your account",
        1,
    )
    strings["added_other"] = ngettext(
        "%(count)s lesson from this device was added to your account",
        "%(count)s lessons from this device were added to your account",
        2,
    )
    return strings


def standing_lines(standing: selectors.Standing) -> dict:
    """The standing area's sentences, server-rendered (progress.js writes the same ones in place)."""
    level, reached = standing.level, standing.level_progress
    top = reached.span is None
    # The bar's way ends where the next level starts: the level that threshold reaches.
    next_number = None if top else rules.level_for(level.next_at or 0, standing.levels).number
    return {
        "level": SENTENCES["level"] % {"number": level.number},
        "level_name": level.name,
        "xp": SENTENCES["xp"] % {"xp": standing.xp},
        "lessons": SENTENCES["lessons"] % {"done": standing.lessons_completed, "total": standing.lessons_total},
        "achievements": SENTENCES["achievements"]
        % {"earned": len(standing.achievements), "total": standing.achievements_total},
        "to_next": "" if top else SENTENCES["to_next"] % {"into": reached.into, "span": reached.span},
        "to_go": "" if top else SENTENCES["to_go"] % {"left": reached.left},
        "top": str(SENTENCES["top"]) if top else "",
        "percent": "" if top else SENTENCES["percent"] % {"percent": reached.percent, "next": next_number},
        "percent_value": reached.percent,
    }


def quest_line(*, done: int, total: int) -> str:
    return SENTENCES["quest"] % {"done": done, "total": total}


def browser_payload(standing: selectors.Standing) -> dict:
    """What the page hands progress.js (``json_script``), in the API's casing with named fields.

    For an anonymous visitor the browser computes the standing from localStorage with
    ``standing.js`` over the lesson XP table (``catalogue``: the address of the catalogue's
    document, which the browser keeps) and the level table given here; each level already says
    where the next one starts. A learner's state is the API's."""
    return {
        "signed_in": standing.signed_in,
        # The published lessons with their XP: one document per catalogue, kept by the browser.
        "catalogue": reverse("progress:api_catalogue", args=[catalogue_document(standing.catalog).version]),
        "levels": [step.as_api() for step in rules.level_steps(standing.levels)],
        "achievements_total": standing.achievements_total,
        "state": standing.as_api() if standing.signed_in else None,
        "strings": client_strings(),
        "api": {
            "sync": reverse("progress:api_sync"),
            "complete": reverse("progress:api_complete"),
            "uncomplete": reverse("progress:api_uncomplete"),
        },
    }


@dataclass(frozen=True)
class CatalogueDocument:
    """What the browser needs of every published lesson to count an anonymous learner's XP and
    quest totals, as JSON, named by a hash of its bytes (a new catalogue: a new address)."""

    body: bytes
    version: str


def _catalogue_document(catalog: selectors.Catalog) -> CatalogueDocument:
    lessons = [{"key": lesson.key, "xp": lesson.xp, "quest_id": lesson.quest_id} for lesson in catalog.lessons]
    body = json.dumps({"lessons": lessons}, separators=(",", ":")).encode()
    return CatalogueDocument(body=body, version=hashlib.sha256(body).hexdigest()[:16])


def catalogue_document(catalog: selectors.Catalog) -> CatalogueDocument:
    """The catalogue's document, built once per content version (with the catalogue it comes from)."""
    return page_cache.shared("progress:catalogue-document", lambda: _catalogue_document(catalog))


def reading_order(standing: selectors.Standing) -> list[dict]:
    """The published lessons in reading order, for "continue where you left off" in the browser."""
    return [{"key": lesson.key, "title": lesson.title, "url": lesson.url} for lesson in standing.catalog.lessons]


# --- The dashboard --------------------------------------------------------------------------


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


def xp_chart(standing: selectors.Standing) -> XpChart:
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
class Dashboard:
    standing: selectors.Standing
    chart: XpChart
    recent: list[selectors.RecentCompletion]


def dashboard_for(request) -> Dashboard:
    """Everything the dashboard shows (the standing's queries, whatever the learner has done), sharing
    the request's standing with the standing area."""
    standing = selectors.standing_for_request(request)
    return Dashboard(standing=standing, chart=xp_chart(standing), recent=standing.recent_completions())
