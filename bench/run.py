"""The speed benchmark of SPEC section 10 (`make bench`; see bench/README.md).

Builds a data set at scale in a throwaway database (SQLite, or PostgreSQL with
STREAM_BENCH_DATABASE=postgres), serves it with gunicorn configured as production runs
it, and loads every page of the goals table with wrk at 1, 8 and 32 connections next to
the floor: a bare Django view returning the lesson page's bytes from memory, through the
full middleware. Prints the table and the goals, PASS or FAIL each; exits 1 on any miss.
`--record` appends the run to bench/RESULTS.md.

Settings (environment): STREAM_BENCH_DATABASE (sqlite | postgres), STREAM_BENCH_SECONDS
(per cell, default 5), STREAM_BENCH_CONNECTIONS (default 1,8,32), STREAM_BENCH_WARMUP
(seconds per page before measuring, default 1), STREAM_BENCH_PORT (default: a free one),
STREAM_BENCH_PG (server for PostgreSQL, default postgresql://postgres@127.0.0.1:5432).
"""

import argparse
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `python bench/run.py` puts bench/ on the path, not the project

from bench.names import LESSON_PATH, QUEST_SLUG, READER, SESSION_COOKIE, SYNCER  # noqa: E402

PYTHON = sys.executable
RESULTS = ROOT / "bench" / "RESULTS.md"
RESULTS_DIR = ROOT / "bench" / "results"  # not committed: the last run's numbers and pages
KB = 1024
WRK_TIMEOUT = "2s"

# Goals (SPEC section 10, issue 13).
RATIO_GOALS = {  # page -> minimum × floor at 32 connections
    "lesson, 100 comments, anonymous": 0.5,
    "home, anonymous": 0.5,
    "quest page, anonymous": 0.5,
    "lesson, 100 comments, signed in": 0.2,
    "dashboard, signed in": 0.2,
    "GET /api/progress/, signed in": 0.25,
    "POST /api/progress/sync, whole catalogue": 0.1,
}
P99_GOAL_MS = 100.0  # at 8 connections
HTML_GROWTH_GOAL = 4 * KB  # a lesson page with 200 lessons over 15
ASSET_GOAL = 30 * KB  # JavaScript and CSS each, per page, every imported module counted
FLOOR = "floor: bare view, lesson bytes"
HEALTHZ = "/healthz (for scale)"
SEARCH = "search over 200 lessons (역사), anonymous"
SEARCH_P99_GOAL_MS = 50.0  # issue 15: "a search over 200 lessons answers in well under 50 ms"


@dataclass
class Target:
    name: str
    path: str
    signed_in: str | None = None  # the learner whose session cookie is sent
    post_body: str | None = None  # POST with this JSON body (and the CSRF header)


@dataclass
class Cell:
    page: str
    connections: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses plus connect, read and write errors
    timeouts: int
    ratio: float | None = None


@dataclass
class Goal:
    name: str
    target: str
    measured: str
    passed: bool | None  # None: not measured in this run (counts as a miss)

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[self.passed]


@dataclass
class Run:
    database: str
    seconds: int
    connections: list[int]
    gunicorn: str
    counts: dict = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    sizes: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average at the start and the end


# --- wrk -------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(output: str, *, page: str = "", connections: int = 0) -> Cell:
    """One cell from wrk's output (run with --latency). wrk prints the socket-error and
    non-2xx lines only when they are not zero."""
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)[1])
    requests = int(re.search(r"^\s*(\d+) requests in ", output, re.M)[1])
    percentile = {
        int(match[1]): _milliseconds(match[2]) for match in re.finditer(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M)
    }
    errors = timeouts = 0
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        errors += sum(int(sockets[i]) for i in (1, 2, 3))
        timeouts = int(sockets[4])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx[1])
    return Cell(page, connections, rps, percentile[50], percentile[99], requests, errors, timeouts)


def wrk(url: str, *, connections: int, seconds: float, target: Target, cookies: dict, env: dict) -> Cell:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", WRK_TIMEOUT]
    for name, value in _headers(target, cookies).items():
        command += ["-H", f"{name}: {value}"]
    if target.post_body is not None:
        command += ["-s", str(ROOT / "bench" / "post.lua")]
    result = subprocess.run([*command, url], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed on {target.path}: {result.stderr or result.stdout}")
    return parse_wrk(result.stdout, page=target.name, connections=connections)


def _headers(target: Target, cookies: dict) -> dict[str, str]:
    if target.signed_in is None:
        return {}
    headers = {"Cookie": f"{SESSION_COOKIE}={cookies[target.signed_in]}; csrftoken={cookies['csrf']}"}
    if target.post_body is not None:
        headers["X-CSRFToken"] = cookies["csrf"]
    return headers


# --- page weight ---------------------------------------------------------------------------

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_LINK = re.compile(r"<link\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_JS_IMPORT = re.compile(
    r"""(?:\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?|\bexport\s*[\w*{}\s,$]+\s*from\s*|\bimport\s*\(\s*)["']([^"']+)["']"""
)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""")
_EXECUTABLE = {"", "module", "text/javascript", "application/javascript"}


def _attrs(text: str) -> dict[str, str]:
    return {m[1].lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(text)}


def page_assets(html: str, base: str) -> tuple[list[str], list[str], int, int]:
    """The JavaScript and CSS a page loads directly: (script URLs, stylesheet URLs,
    inline script bytes, inline style bytes). Inline JSON data is not script."""
    scripts, sheets, inline_js, inline_css = [], [], 0, 0
    for match in _SCRIPT.finditer(html):
        attrs = _attrs(match[1])
        if "src" in attrs:
            scripts.append(urllib.parse.urljoin(base, attrs["src"]))
        elif attrs.get("type", "").lower() in _EXECUTABLE:
            inline_js += len(match[2].encode())
    for match in _LINK.finditer(html):
        attrs = _attrs(match[1])
        rel = attrs.get("rel", "").lower().split()
        if "stylesheet" in rel:
            sheets.append(urllib.parse.urljoin(base, attrs["href"]))
        elif "modulepreload" in rel:
            scripts.append(urllib.parse.urljoin(base, attrs["href"]))
    inline_css = sum(len(match[1].encode()) for match in _STYLE.finditer(html))
    return scripts, sheets, inline_js, inline_css


def imports(text: str, url: str, *, css: bool) -> list[str]:
    pattern = _CSS_IMPORT if css else _JS_IMPORT
    return [urllib.parse.urljoin(url, found) for found in pattern.findall(text)]


def page_weight(html: str, base: str, fetch) -> dict:
    """Bytes of JavaScript and CSS one page makes the browser load, before compression:
    every script and stylesheet, every module they import (statically or dynamically) and
    every stylesheet they @import, each counted once, plus inline script and style."""
    scripts, sheets, inline_js, inline_css = page_assets(html, base)
    totals = {"js": inline_js, "css": inline_css}
    files: dict[str, list[str]] = {"js": [], "css": []}
    for kind, queue in (("js", scripts), ("css", sheets)):
        seen: set[str] = set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            body = fetch(url)
            totals[kind] += len(body)
            files[kind].append(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
            queue += imports(body.decode("utf-8", "replace"), url, css=kind == "css")
    return {"js_bytes": totals["js"], "css_bytes": totals["css"], "js_files": files["js"], "css_files": files["css"]}


# --- the server ----------------------------------------------------------------------------


def production_gunicorn_options() -> list[str]:
    """gunicorn's options as production runs it: the Dockerfile's CMD without its bind address.
    A gunicorn.conf.py at the project root, if one is added, is read by gunicorn itself."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", dockerfile, re.M)[1])
    options = command[command.index("config.wsgi") + 1 :]
    if "--bind" in options:
        at = options.index("--bind")
        del options[at : at + 2]
    return options


def gunicorn_summary(options: list[str], env: dict) -> str:
    printed = subprocess.run(
        [PYTHON, "-m", "gunicorn", "--print-config", "config.wsgi", *options],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, re.M))
    source = "gunicorn.conf.py + " if (ROOT / "gunicorn.conf.py").exists() else ""
    return (
        f"{config.get('workers')} {config.get('worker_class', 'sync').rsplit('.', 1)[-1]} workers × "
        f"{config.get('threads')} thread(s) ({source}Dockerfile CMD: {shlex.join(options)})"
    )


def settle(base: str, *, quick: float = 0.1, limit: float = 60.0) -> None:
    """Wait until the server has worked off what wrk left queued when it stopped.

    wrk abandons the requests in flight at the end of a cell, but gunicorn still serves
    every one of them; without this the next cell would start behind that queue. Settled
    when /healthz answers within ``quick`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        http(base + "/healthz")
        if time.monotonic() - started < quick:
            return
    print(f"  (the server did not settle within {limit:.0f} s: the next cell may start behind a queue)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(NoRedirect)


def http(url: str, *, headers: dict | None = None, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def manage(*args: str, env: dict) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- databases ------------------------------------------------------------------------------


class Database:
    """A throwaway database: a SQLite file in the work directory, or stream_bench_<pid> on PostgreSQL."""

    def __init__(self, kind: str, work: Path):
        self.kind = kind
        self.server = os.environ.get("STREAM_BENCH_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
        self.name = f"stream_bench_{os.getpid()}"
        if kind == "sqlite":
            self.url = f"sqlite:///{work / 'bench.sqlite3'}"
        elif kind == "postgres":
            self.url = f"{self.server}/{self.name}"
        else:
            raise SystemExit(f"STREAM_BENCH_DATABASE must be sqlite or postgres, not {kind!r}")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> None:
        if self.kind == "postgres":
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            self._admin(f"CREATE DATABASE {self.name}")

    def drop(self) -> None:
        if self.kind == "postgres":
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


# --- the run --------------------------------------------------------------------------------


def targets(sync_body: str) -> list[Target]:
    return [
        Target(FLOOR, "/bench/bare"),
        Target(HEALTHZ, "/healthz"),
        Target("lesson, 100 comments, anonymous", LESSON_PATH),
        Target("home, anonymous", "/"),
        Target("quest page, anonymous", f"/quests/{QUEST_SLUG}/"),
        Target(SEARCH, "/search/?q=%EC%97%AD%EC%82%AC"),  # 역사: a two-syllable Korean word, the LIKE path
        Target("lesson, 100 comments, signed in", LESSON_PATH, signed_in=READER),
        Target("dashboard, signed in", "/dashboard/", signed_in=READER),
        Target("GET /api/progress/, signed in", "/api/progress/", signed_in=READER),
        Target("POST /api/progress/sync, whole catalogue", "/api/progress/sync", signed_in=SYNCER, post_body=sync_body),
    ]


def check_pages(base: str, pages: list[Target], cookies: dict, floor_file: Path) -> dict[str, bytes]:
    """Fetch every page once, as wrk will, and refuse to measure anything that is not what it
    claims: a 200, signed in where it should be; and the floor serving the lesson's bytes.
    Also makes the sync's steady state: the first sync merges the catalogue, the rest merge nothing."""
    bodies: dict[str, bytes] = {}
    for target in pages:
        if target.path == "/bench/bare":
            continue
        headers = _headers(target, cookies)
        body = None
        if target.post_body is not None:
            headers["Content-Type"] = "application/json"
            body = target.post_body.encode()
        status, content = http(base + target.path, headers=headers, body=body)
        if status != 200:
            raise RuntimeError(f"{target.name}: {target.path} answered {status}:\n{content[:2000]!r}")
        if target.signed_in and target.path == LESSON_PATH and b"data-logout-form" not in content:
            raise RuntimeError(f"{target.name}: the page was not rendered for a signed-in learner")
        if target.post_body is not None:
            first = json.loads(content)
            status, content = http(base + target.path, headers=headers, body=body)
            second = json.loads(content)
            if status != 200 or second.get("added") != []:
                raise RuntimeError(f"the second sync should merge nothing: {status} {str(second)[:500]}")
            print(f"  sync: the first merged {len(first.get('added', []))} lessons; every measured one merges none")
        bodies[target.name] = content
    floor_file.write_bytes(bodies["lesson, 100 comments, anonymous"])
    status, content = http(base + "/bench/bare")
    if status != 200 or content != floor_file.read_bytes():
        raise RuntimeError("the bare view does not serve the lesson page's bytes")
    return bodies


def measure_weights(base: str, pages: list[Target], bodies: dict) -> dict:
    cache: dict[str, bytes] = {}

    def fetch(url: str) -> bytes:
        if url not in cache:
            status, content = http(url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")
            cache[url] = content
        return cache[url]

    html_pages = [t for t in pages if t.name in bodies and t.post_body is None and "/api/" not in t.path]
    html_pages = [t for t in html_pages if t.path != "/healthz"]
    return {t.name: {"html_bytes": len(bodies[t.name]), **page_weight(bodies[t.name].decode(), base + t.path, fetch)}
            for t in html_pages}  # fmt: skip


def evaluate(run: Run) -> list[Goal]:
    goals: list[Goal] = []
    cells = {(cell.page, cell.connections): cell for cell in run.cells}
    for page, minimum in RATIO_GOALS.items():
        cell = cells.get((page, 32))
        measured = f"{cell.ratio:.2f}×" if cell and cell.ratio is not None else "-"
        goals.append(Goal(f"{page}: req/s at 32 connections", f"≥ {minimum} × floor", measured,
                          None if cell is None or cell.ratio is None else cell.ratio >= minimum))  # fmt: skip
    search = cells.get((SEARCH, 1))
    goals.append(Goal(f"{SEARCH}: p99 latency at 1 connection", f"≤ {SEARCH_P99_GOAL_MS:.0f} ms",
                      f"{search.p99_ms:.0f} ms" if search else "-",
                      None if search is None or not search.requests else search.p99_ms <= SEARCH_P99_GOAL_MS))  # fmt: skip
    # A cell in which no request completed has no latency to judge and hides its failures:
    # wrk counts a timeout only while it runs, and drops the requests still in flight at the end.
    at_32 = [cell for cell in run.cells if cell.connections == 32]
    failing = [f"{c.page} ({c.errors}+{c.timeouts})" for c in at_32 if c.errors or c.timeouts]
    failing += [f"{c.page} (no response at all)" for c in at_32 if c.requests == 0]
    goals.append(Goal("errors + timeouts at 32 connections, every row", "0",
                      ", ".join(failing) or "0", not failing if at_32 else None))  # fmt: skip
    at_8 = [cell for cell in run.cells if cell.connections == 8 and cell.page in RATIO_GOALS]
    slow = [f"{c.page} ({c.p99_ms:.0f} ms)" for c in at_8 if c.p99_ms > P99_GOAL_MS]
    slow += [f"{c.page} (no response at all)" for c in at_8 if c.requests == 0]
    worst = f"worst {max(c.p99_ms for c in at_8):.0f} ms" if at_8 else "-"
    goals.append(Goal("p99 latency at 8 connections, every page", f"≤ {P99_GOAL_MS:.0f} ms",
                      "; ".join(slow) or worst, not slow if at_8 else None))  # fmt: skip
    for who in ("anonymous", "signed_in"):
        growth = run.sizes["large"][who] - run.sizes["small"][who]
        goals.append(Goal(f"lesson page HTML growth, 15 → 200 lessons, {who.replace('_', ' ')}",
                          f"≤ {HTML_GROWTH_GOAL:,} bytes", f"{growth:+,} bytes", growth <= HTML_GROWTH_GOAL))  # fmt: skip
    for kind in ("js", "css"):
        heaviest = max(run.weights.items(), key=lambda item: item[1][f"{kind}_bytes"])
        size = heaviest[1][f"{kind}_bytes"]
        goals.append(Goal(f"{kind.upper()} per page, imports counted (heaviest: {heaviest[0]})",
                          f"≤ {ASSET_GOAL // KB} KB", f"{size / KB:.1f} KB", size <= ASSET_GOAL))  # fmt: skip
    return goals


def render(run: Run) -> str:
    lines = [
        "| page | conns | req/s | × floor | p50 ms | p99 ms | errors | timeouts |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for cell in sorted(
        run.cells, key=lambda c: (list(dict.fromkeys(x.page for x in run.cells)).index(c.page), c.connections)
    ):
        ratio = "1.00" if cell.page == FLOOR else f"{cell.ratio:.2f}"
        lines.append(f"| {cell.page} | {cell.connections} | {cell.requests_per_second:,.0f} | {ratio} | "
                     f"{cell.p50_ms:.1f} | {cell.p99_ms:.1f} | {cell.errors} | {cell.timeouts} |")  # fmt: skip
    lines += ["", "| page | HTML | JS (files) | CSS (files) |", "|---|--:|--:|--:|"]
    for page, weight in run.weights.items():
        lines.append(f"| {page} | {weight['html_bytes'] / KB:.1f} KB | {weight['js_bytes'] / KB:.1f} KB "
                     f"({len(weight['js_files'])}) | {weight['css_bytes'] / KB:.1f} KB ({len(weight['css_files'])}) |")  # fmt: skip
    small, large = run.sizes["small"], run.sizes["large"]
    lines += ["", f"Lesson page HTML with {small['lessons']} → {large['lessons']} lessons: anonymous "
              f"{small['anonymous']:,} → {large['anonymous']:,} bytes, signed in {small['signed_in']:,} → {large['signed_in']:,} bytes."]  # fmt: skip
    lines += ["", "| goal | target | measured | verdict |", "|---|---|---|---|"]
    lines += [f"| {g.name} | {g.target} | {g.measured} | **{g.verdict}** |" for g in run.goals]
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    try:
        found = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = found[1].strip() if found else model
    except OSError:
        pass
    return (
        f"{os.cpu_count()} × {model} (nproc {len(os.sched_getaffinity(0))}), {platform.system()} {platform.release()}"
    )


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # RESULTS.md itself is left out: `make bench` records SQLite's run before PostgreSQL's starts.
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/RESULTS.md")
    return commit + (" + uncommitted changes" if changed else "")


def record(run: Run, *, note: str) -> None:
    env_part = f"STREAM_BENCH_DATABASE={run.database} STREAM_BENCH_SECONDS={run.seconds} "
    if run.connections != [1, 8, 32]:
        env_part += f"STREAM_BENCH_CONNECTIONS={','.join(map(str, run.connections))} "
    verdict = "every goal met" if all(g.passed for g in run.goals) else (
        f"{sum(1 for g in run.goals if not g.passed)} of {len(run.goals)} goals missed")  # fmt: skip
    counts = run.counts
    entry = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {run.database} · {git_commit()} · {verdict}",
        "",
        *([f"**{note}**", ""] if note else []),
        f"- Machine: {machine()}; 1-minute load average {' at start, '.join(f'{load:.1f}' for load in run.load)} at end "
        "(other work on the machine: a quiet one is near 0)",
        f"- Command: `{env_part}.venv/bin/python bench/run.py --record`"
        + (f" (or `make bench DB={run.database}`)" if run.seconds == 5 and run.connections == [1, 8, 32] else ""),
        f"- Server: gunicorn, {run.gunicorn}; production settings; database cache; wrk {run.seconds} s per cell",
        f"- Data: {counts['quests']} quests, {counts['lessons']} lessons, {counts['learners']:,} accounts, "
        f"{counts['completions']:,} completions, {counts['comments']:,} comments ({counts['comments_on_measured_lesson']} on "
        f"the measured lesson, {counts['comments_on_deep_lesson']} in deep threads on another), "
        f"{counts['notifications']:,} notifications",
        "",
        render(run),
        "",
    ]
    text = RESULTS.read_text() if RESULTS.exists() else ""
    RESULTS.write_text(text.rstrip("\n") + "\n\n" + "\n".join(entry))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="append this run to bench/RESULTS.md")
    parser.add_argument("--note", default=os.environ.get("STREAM_BENCH_NOTE", ""), help="a line for RESULTS.md")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk): a Python client would share the cores with the server")
    database_kind = os.environ.get("STREAM_BENCH_DATABASE", "sqlite")
    seconds = int(os.environ.get("STREAM_BENCH_SECONDS", "5"))
    warmup = int(os.environ.get("STREAM_BENCH_WARMUP", "1"))  # wrk takes whole seconds
    connections = [int(c) for c in os.environ.get("STREAM_BENCH_CONNECTIONS", "1,8,32").split(",")]
    port = int(os.environ.get("STREAM_BENCH_PORT") or free_port())
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()

    RESULTS_DIR.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="stream-bench-"))
    floor_file = work / "floor.html"
    database = Database(database_kind, work)
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}  # the database cache, always
    env |= {
        "DATABASE_URL": database.url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_ROOT_URLCONF": "bench.urls",
        "DJANGO_LOG_LEVEL": "WARNING",
        "STREAM_BENCH_PAGE": str(floor_file),
        "STREAM_BENCH_HTML_DIR": str(RESULTS_DIR),
    }
    server = None
    try:
        print(f"Database: {database_kind} ({database.url}); work directory {work}")
        database.create()
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        manage("import_lessons", "content/lessons", env=env)
        out = work / "phase.json"
        manage("shell", "-c", "from bench.dataset import small; small()", env={**env, "STREAM_BENCH_OUT": str(out)})
        small = json.loads(out.read_text())
        large_env = {**env, "STREAM_BENCH_OUT": str(out), "STREAM_BENCH_SESSIONS": json.dumps(small["sessions"])}
        manage("shell", "-c", "from bench.dataset import large; large()", env=large_env)
        large = json.loads(out.read_text())
        print(f"Data set built in {small['seconds'] + large['seconds']:.0f} s: {large['counts']}")
        cookies = {**small["sessions"], "csrf": small["csrf"]}

        options = production_gunicorn_options()
        run = Run(database_kind, seconds, connections, gunicorn_summary(options, env), counts=large["counts"])
        run.sizes = {"small": {**small["sizes"], "lessons": small["lessons"]},
                     "large": {**large["sizes"], "lessons": large["counts"]["lessons"]}}  # fmt: skip
        print(f"gunicorn: {run.gunicorn}")
        log = (work / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", *options, "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        for _ in range(150):
            try:
                if http(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start:\n" + (work / "gunicorn.log").read_text())

        pages = targets(large["sync_body"])
        bodies = check_pages(base, pages, cookies, floor_file)
        run.weights = measure_weights(base, pages, bodies)
        wrk_env = {**os.environ, "STREAM_BENCH_BODY_FILE": str(work / "sync.json")}
        (work / "sync.json").write_text(large["sync_body"])
        if warmup > 0:
            for target in pages:
                wrk(base + target.path, connections=8, seconds=warmup, target=target, cookies=cookies, env=wrk_env)
                settle(base)
        run.load.append(os.getloadavg()[0])
        for count in connections:
            for target in pages:  # the floor first, then every page at the same connections
                cell = wrk(
                    base + target.path, connections=count, seconds=seconds, target=target, cookies=cookies, env=wrk_env
                )
                floor = (
                    next(c for c in run.cells if c.page == FLOOR and c.connections == count)
                    if target.name != FLOOR
                    else cell
                )
                cell.ratio = cell.requests_per_second / floor.requests_per_second if floor.requests_per_second else 0.0
                run.cells.append(cell)
                settle(base)
                print(f"  {cell.page:<45} c={count:<3} {cell.requests_per_second:>8,.0f} req/s  {cell.ratio:5.2f}×  "
                      f"p50 {cell.p50_ms:6.1f} ms  p99 {cell.p99_ms:7.1f} ms  errors {cell.errors}  timeouts {cell.timeouts}")  # fmt: skip
        run.load.append(os.getloadavg()[0])
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        database.drop()
        shutil.rmtree(work, ignore_errors=True)

    run.goals = evaluate(run)
    print()
    print(render(run))
    print(f"\n{database_kind}: {time.monotonic() - started:.0f} s in all")
    (RESULTS_DIR / f"latest-{database_kind}.json").write_text(json.dumps(asdict(run), indent=2, ensure_ascii=False))
    if args.record:
        record(run, note=args.note)
        print(f"Recorded in {RESULTS.relative_to(ROOT)}")
    return 0 if all(goal.passed for goal in run.goals) else 1


if __name__ == "__main__":
    sys.exit(main())
