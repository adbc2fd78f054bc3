"""SPEC 10: pages ship at most 30 KB of JavaScript and 30 KB of CSS before compression, no web fonts.

JavaScript is counted per page, as the browser loads it: every module a rendered page's
``<script type="module">`` tags name, and every module those import, each counted once.
The service worker (static/sw.js, served at /sw.js) is not counted: no page loads or imports
it; pages only register it, and it runs apart from them.

Weight is counted as production serves it: minified by the static files storage
(``infra.storage.minify_js``), as ``make bench`` fetches it.

A module a page loads only when the person asks for it (``import("./reports.js")`` when
"Report a problem" is first pressed) counts too: such modules are few and named here
(ON_DEMAND), and the page together with all of them stays within the budget, so on-demand
loading cannot become a place to hide weight (docs/decisions.md)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from infra.storage import minify_js
from tests.conftest import make_quest

STATIC = Path(__file__).resolve().parents[2] / "static"
BUDGET = 30 * 1024
ON_DEMAND = {"js/reports.js"}  # the in-place report form, on the lesson page
DYNAMIC_IMPORT = re.compile(r'import\(\s*["\'](\.{1,2}/[^"\']+)["\']\s*\)')
MODULE_TAG = re.compile(r'<script type="module" src="/static/([^"]+)"')
IMPORT = re.compile(
    r'(?:^|\n)\s*(?:import\s[^"\';]*?from\s*|import\s*|export\s[^"\';]*?from\s*)["\'](\.{1,2}/[^"\']+)["\']'
)


def module_graph(entries: list[str]) -> set[Path]:
    """The files of these modules and of everything they import, statically."""
    seen: set[Path] = set()
    todo = [STATIC / entry for entry in entries]
    while todo:
        path = todo.pop().resolve()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(path.parent / name for name in IMPORT.findall(path.read_text()))
    return seen


def served_bytes(files: set[Path]) -> int:
    """What these modules weigh as served: minified, before compression."""
    return sum(len(minify_js(path.read_text(encoding="utf-8")).encode()) for path in files)


def page_javascript(html: str) -> set[Path]:
    return module_graph(MODULE_TAG.findall(html))


def on_demand(files: set[Path]) -> set[Path]:
    """Modules these files load with ``import()``, and everything those import."""
    names = {path.parent / name for path in files for name in DYNAMIC_IMPORT.findall(path.read_text())}
    return module_graph([str(path.resolve().relative_to(STATIC)) for path in names]) - files


def test_the_module_graph_follows_imports():
    graph = {path.name for path in module_graph(["js/site.js"])}
    assert {"site.js", "ui.js", "progress.js", "standing.js", "drafts.js"} <= graph
    lesson = {path.name for path in module_graph(["js/lesson.js"])}
    assert {"comments.js", "copy.js", "offline-forms.js"} <= lesson
    assert {path.name for path in on_demand(module_graph(["js/lesson.js"]))} == {"reports.js"}


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_page_ships_at_most_30_kb_of_javascript(client, user, signed_in):
    quest = make_quest("budget", lessons=3)
    lesson = quest.lessons.get(position=1)
    if signed_in:
        client.force_login(user)
    pages = [
        reverse("lessons:home"),
        quest.get_absolute_url(),
        lesson.get_absolute_url(),
        reverse("lessons:report"),
        reverse("offline"),
        reverse("search:results") + "?q=lesson",
    ]
    if signed_in:
        pages += [reverse("progress:dashboard"), reverse("progress:settings")]
    weights = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        files = page_javascript(response.content.decode())
        assert files, f"{url} loads no module"
        assert STATIC / "sw.js" not in files
        later = on_demand(files)
        assert {str(path.relative_to(STATIC)) for path in later} <= ON_DEMAND, url
        weights[url] = served_bytes(files | later)
    assert max(weights.values()) <= BUDGET, weights
    # The quest page's save button and the lesson page's offline notes are their own modules.
    assert STATIC / "js/offline.js" in page_javascript(client.get(quest.get_absolute_url()).content.decode())
    assert STATIC / "js/offline.js" not in page_javascript(client.get(lesson.get_absolute_url()).content.decode())


def test_all_css_together_fits_the_budget_and_loads_no_web_fonts():
    sheets = list((STATIC / "css").glob("*.css"))
    assert sum(path.stat().st_size for path in sheets) <= BUDGET
    assert not any(re.search(r"@font-face|url\([^)]*\.(woff2?|ttf|otf)", path.read_text()) for path in sheets)
