"""The rules the browser applies to an anonymous learner (static/js/standing.js) agree with
the server's (progress.rules through the Standing the pages use), case by case.

One table of cases goes through both: Python builds the Standing and the page payload
(``presentation.browser_payload``) for each; Chromium imports standing.js from the live
server's static files and computes the same things from the payload and the local
completions. A rule changed on one side only fails here.
"""

import json
from dataclasses import asdict
from datetime import datetime

from progress import presentation
from progress.rules import LevelRow
from progress.selectors import Catalog, CatalogLesson, Standing

SEED_LEVELS = [
    LevelRow(0, "Curious", 0),
    LevelRow(1, "Reader", 120),
    LevelRow(2, "Apprentice", 300),
    LevelRow(3, "견습생", 550),
]


def lesson(key: str, xp: int = 40, quest: int = 1) -> CatalogLesson:
    return CatalogLesson(key=key, xp=xp, quest_id=quest, title=key.title(), slug=key, quest_slug=f"q{quest}")


THREE = [lesson("one"), lesson("two"), lesson("three")]
TWO_QUESTS = [lesson("a1", 50, 1), lesson("a2", 70, 1), lesson("b1", 10, 2), lesson("b2", 200, 2), lesson("b3", 5, 2)]

# (name, catalogue, level table, local completions as the browser stores them)
CASES = [
    ("nothing at all", [], [LevelRow(0, "Curious", 0)], {}),
    ("a new visitor", THREE, SEED_LEVELS, {}),
    ("one lesson", THREE, SEED_LEVELS, {"two": "2026-01-05T10:00:00.000Z"}),
    ("exactly on a threshold", [lesson("big", 120), *THREE], SEED_LEVELS, {"big": "2026-01-05T10:00:00Z"}),
    ("one XP short", [lesson("almost", 119), *THREE], SEED_LEVELS, {"almost": "2026-01-05T10:00:00Z"}),
    ("past the top level", [lesson("huge", 10_000), *THREE], SEED_LEVELS, {"huge": "2026-01-05T10:00:00Z"}),
    ("a single-level table", THREE, [LevelRow(0, "Only", 0)], {"one": "2026-01-05T10:00:00Z"}),
    (
        "keys the catalogue does not list count nothing",
        THREE,
        SEED_LEVELS,
        {"gone": "2026-01-09T00:00:00Z", "one": "2026-01-01T00:00:00Z", "constructor": "2026-01-10T00:00:00Z"},
    ),
    (
        "lesson keys named like object properties",
        [lesson("constructor"), lesson("tostring"), lesson("valueOf")],
        SEED_LEVELS,
        {"valueOf": "2026-01-02T00:00:00Z"},
    ),
    (
        "the latest by time, not by how it is written",
        THREE,
        SEED_LEVELS,
        {"one": "2026-01-01T05:00:00Z", "three": "2026-01-01T09:00:00+09:00"},
    ),
    ("wrapping round to the first unfinished", THREE, SEED_LEVELS, {"three": "2026-01-03T00:00:00Z"}),
    (
        "every lesson done",
        THREE,
        SEED_LEVELS,
        {"one": "2026-01-01T00:00:00Z", "two": "2026-01-02T00:00:00Z", "three": "2026-01-03T00:00:00Z"},
    ),
    (
        "completions at the same moment: the first in reading order is the latest",
        [*THREE, lesson("four")],
        SEED_LEVELS,
        {"three": "2026-01-01T00:00:00Z", "one": "2026-01-01T00:00:00Z"},
    ),
    (
        "two quests, counted apart",
        TWO_QUESTS,
        SEED_LEVELS,
        {"a2": "2026-02-01T00:00:00Z", "b1": "2026-02-03T00:00:00.250Z", "b3": "2026-02-02T23:59:59-01:00"},
    ),
    (
        "a staff table with three levels",
        TWO_QUESTS,
        [LevelRow(0, "Curious", 0), LevelRow(5, "Five", 60), LevelRow(9, "Nine", 61)],
        {"a1": "2026-02-01T00:00:00Z", "b1": "2026-02-01T00:00:01Z"},
    ),
]


def python_side(lessons: list[CatalogLesson], levels: list[LevelRow], local: dict[str, str]) -> tuple[dict, dict]:
    """(the payload the page would embed, what the server's rules make of these completions)."""
    catalog = Catalog(lessons)
    completed = {key: datetime.fromisoformat(at) for key, at in local.items() if key in catalog.by_key}
    standing = Standing(
        signed_in=False, catalog=catalog, levels=levels, achievements_all=[], completed=completed, completion_times=[]
    )
    # What progress.js holds once it has read the catalogue document the page names.
    lessons = json.loads(presentation.catalogue_document(catalog).body)["lessons"]
    payload = presentation.browser_payload(standing) | {"lessons": lessons}
    state = standing.as_api()
    target = standing.continue_target
    return payload, {
        "state": {**state, "completed": sorted(state["completed"])},
        "progress": asdict(standing.level_progress),
        "continue": {"key": target.lesson.key if target.lesson else None, "started": target.started},
        "quests": {
            str(quest): {"done": standing.quest_done(quest), "total": total}
            for quest, total in catalog.quest_totals.items()
        },
    }


JS_SIDE = """async (cases) => {
  const rules = await import("/static/js/standing.js");
  return cases.map(({ local, data }) => {
    const state = rules.localState(local, data);
    return {
      state: { ...state, completed: Object.keys(state.completed).sort() },
      progress: rules.levelProgress(state.xp, state.level),
      continue: rules.continueAt(data.lessons.map((lesson) => lesson.key), state.completed),
      quests: rules.questCounts(data.lessons, state.completed),
    };
  });
}"""


def test_the_browser_and_the_server_compute_the_same_standing(page, live_server):
    expected, cases = [], []
    for _name, lessons, levels, local in CASES:
        payload, result = python_side(lessons, levels, local)
        expected.append(result)
        cases.append({"local": local, "data": payload})
    page.goto(f"{live_server.url}/static/js/standing.js")
    computed = page.evaluate(JS_SIDE, cases)
    for (name, *_rest), python, javascript in zip(CASES, expected, computed, strict=True):
        assert javascript == python, name


def test_the_table_covers_every_outcome():
    """The cases reach each branch of the rules, so agreement means something."""
    results = [python_side(lessons, levels, local)[1] for _name, lessons, levels, local in CASES]
    assert {r["continue"]["started"] for r in results} == {True, False}
    assert any(r["continue"]["key"] is None and r["continue"]["started"] for r in results)  # all done
    assert any(r["progress"]["span"] is None for r in results)  # top level
    assert {r["progress"]["percent"] for r in results} >= {0, 99, 100}
    assert len({r["state"]["level"]["number"] for r in results}) >= 3
