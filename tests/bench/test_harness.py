"""The benchmark's own arithmetic (bench/run.py): what it reads from wrk and how it weighs a page.

The benchmark is not run in CI; these checks are, so that a wrong parse cannot pass a goal."""

import pytest

from bench.run import Cell, Goal, Run, evaluate, page_weight, parse_wrk

WRK_CLEAN = """\
Running 1s test @ http://127.0.0.1:8799/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.99ms    4.75ms  47.28ms   91.08%
    Req/Sec     1.07k   402.84     1.61k    80.00%
  Latency Distribution
     50%    1.06ms
     75%    3.80ms
     90%    7.24ms
     99%   25.22ms
  1065 requests in 1.01s, 541.00KB read
Requests/sec:   1055.10
Transfer/sec:    535.97KB
"""

WRK_FAILING = """\
Running 5s test @ http://127.0.0.1:8765/dashboard/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10s   301.22ms   1.99s    70.00%
    Req/Sec    12.50      8.11    40.00     75.00%
  Latency Distribution
     50%  850.00us
     75%    1.30s
     90%    1.60s
     99%    1.95s
  140 requests in 5.01s, 2.61MB read
  Socket errors: connect 1, read 2, write 0, timeout 17
  Non-2xx or 3xx responses: 3
Requests/sec:     27.94
Transfer/sec:    533.20KB
"""


def test_a_clean_wrk_run_reads_as_its_rate_and_percentiles_without_errors():
    cell = parse_wrk(WRK_CLEAN, page="home", connections=2)
    assert (cell.requests_per_second, cell.requests) == (1055.10, 1065)
    assert (cell.p50_ms, cell.p99_ms) == (1.06, 25.22)
    assert (cell.errors, cell.timeouts) == (0, 0)


def test_socket_errors_and_non_2xx_responses_count_as_errors_and_timeouts_apart():
    cell = parse_wrk(WRK_FAILING)
    assert cell.errors == 1 + 2 + 0 + 3
    assert cell.timeouts == 17
    assert cell.p50_ms == pytest.approx(0.85)
    assert cell.p99_ms == 1950.0


def _run(cells: list[Cell]) -> Run:
    run = Run("sqlite", 5, [8, 32], "test", cells=cells)
    run.sizes = {"small": {"anonymous": 1000, "signed_in": 2000}, "large": {"anonymous": 6000, "signed_in": 2100}}
    run.weights = {"lesson": {"js_bytes": 100, "css_bytes": 40 * 1024}}
    return run


def _goal(goals: list[Goal], start: str) -> Goal:
    return next(goal for goal in goals if goal.name.startswith(start))


def test_a_page_with_no_response_in_a_cell_fails_the_error_and_latency_goals():
    silent = Cell("dashboard, signed in", 32, 0.0, 0.0, 0.0, requests=0, errors=0, timeouts=0, ratio=0.0)
    silent_8 = Cell("dashboard, signed in", 8, 0.0, 0.0, 0.0, requests=0, errors=0, timeouts=0, ratio=0.0)
    goals = evaluate(_run([silent, silent_8]))
    assert _goal(goals, "errors + timeouts").passed is False
    assert _goal(goals, "p99 latency").passed is False


def test_goals_not_measured_in_a_run_are_not_passed():
    goals = evaluate(_run([Cell("home, anonymous", 8, 100.0, 1.0, 5.0, requests=500, errors=0, timeouts=0)]))
    assert _goal(goals, "home, anonymous").passed is None
    assert _goal(goals, "errors + timeouts").passed is None
    assert _goal(goals, "p99 latency").passed is True


def test_html_growth_and_asset_weight_are_checked_against_their_budgets():
    goals = evaluate(_run([]))
    assert _goal(goals, "lesson page HTML growth, 15 → 200 lessons, anonymous").passed is False  # +5,000 bytes
    assert _goal(goals, "lesson page HTML growth, 15 → 200 lessons, signed in").passed is True  # +100 bytes
    assert _goal(goals, "JS").passed is True
    assert _goal(goals, "CSS").passed is False  # 40 KB


def test_page_weight_counts_every_imported_module_and_stylesheet_once_and_no_inline_json():
    files = {
        "http://h/static/js/site.js": b'import "./ui.js";\nimport { a } from "./a.js";\nconst b = () => import("./lazy.js");',
        "http://h/static/js/ui.js": b'export { x } from "./a.js"; // 30 bytes of ui',
        "http://h/static/js/a.js": b"export const a = 1;",
        "http://h/static/js/lazy.js": b"export default 2;",
        "http://h/static/css/site.css": b'@import url("extra.css");\n@import "print.css";\nbody{}',
        "http://h/static/css/extra.css": b"p{}",
        "http://h/static/css/print.css": b"a{}",
    }
    html = (
        '<link rel="stylesheet" href="/static/css/site.css">'
        '<script type="module" src="/static/js/site.js" nonce="n"></script>'
        '<script type="application/json" id="catalogue">{"lessons": []}</script>'
        "<script nonce=n>go()</script><style nonce=n>b{}</style>"
    )
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return files[url]

    weight = page_weight(html, "http://h/quests/q/", fetch)
    js = ("site.js", "ui.js", "a.js", "lazy.js")
    assert weight["js_bytes"] == sum(len(files[f"http://h/static/js/{name}"]) for name in js) + len("go()")
    assert weight["css_bytes"] == sum(len(body) for url, body in files.items() if url.endswith(".css")) + len("b{}")
    assert sorted(weight["js_files"]) == sorted(js)
    assert len(fetched) == len(set(fetched)) == len(files)
