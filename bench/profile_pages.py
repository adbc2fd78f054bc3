"""Profile the benchmark's pages in one process, on the benchmark's data set (a tool, not a test).

    .venv/bin/python bench/profile_pages.py --build            # once: the data set into bench/results/profile/
    .venv/bin/python bench/profile_pages.py                    # ms and queries per request, every page
    .venv/bin/python bench/profile_pages.py lesson-in --top 30 # cProfile of one page, 30 costliest functions
    .venv/bin/python bench/profile_pages.py lesson-in --sql    # the queries one request makes
    .venv/bin/python bench/profile_pages.py --render           # signed-in pages rendered, not kept copies

It uses the settings `make bench` gives gunicorn (production, the database cache, the page
cache on) on a SQLite copy of the same data set, and Django's test client, so numbers are
CPU time per request without the network or gunicorn. Use it to find a cost, and `make bench`
to judge a goal (SQLite only here; `make bench` shows PostgreSQL's share).
"""

import argparse
import cProfile
import json
import os
import pstats
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "results" / "profile"
STATE = WORK / "state.json"
PYTHON = sys.executable

sys.path.insert(0, str(ROOT))
from bench.names import LESSON_PATH, QUEST_SLUG, READER, SESSION_COOKIE, SYNCER  # noqa: E402

PAGES = {
    "lesson-anon": (LESSON_PATH, None, None),
    "home": ("/", None, None),
    "quest": (f"/quests/{QUEST_SLUG}/", None, None),
    "healthz": ("/healthz", READER, None),
    "lesson-in": (LESSON_PATH, READER, None),
    "dashboard": ("/dashboard/", READER, None),
    "progress": ("/api/progress/", READER, None),
    "sync": ("/api/progress/sync", SYNCER, "sync"),
}


def environment() -> dict[str, str]:
    key = (WORK / "secret").read_text() if (WORK / "secret").exists() else secrets.token_urlsafe(50)
    return {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_ROOT_URLCONF": "bench.urls",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STREAM_BENCH_HTML_DIR": str(WORK),
        "PYTHONPATH": str(ROOT),
    }


def build() -> None:
    import shutil

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    (WORK / "secret").write_text(secrets.token_urlsafe(50))
    env = environment()

    def manage(*args: str, **extra: str) -> None:
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env={**env, **extra}, check=True)

    out = str(WORK / "phase.json")
    manage("migrate", "--noinput", "--verbosity=0")
    manage("collectstatic", "--noinput", "--verbosity=0")
    manage("import_lessons", "content/lessons")
    manage("shell", "-c", "from bench.dataset import small; small()", STREAM_BENCH_OUT=out)
    small = json.loads(Path(out).read_text())
    manage("shell", "-c", "from bench.dataset import large; large()", STREAM_BENCH_OUT=out,
           STREAM_BENCH_SESSIONS=json.dumps(small["sessions"]))  # fmt: skip
    large = json.loads(Path(out).read_text())
    STATE.write_text(json.dumps({"sessions": small["sessions"], "csrf": small["csrf"], "sync": large["sync_body"]}))
    print(f"built in {WORK}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help=f"of {', '.join(PAGES)} (default: all)")
    parser.add_argument("--build", action="store_true", help="(re)build the data set first")
    parser.add_argument("-n", type=int, default=300, help="requests per page (default 300)")
    parser.add_argument("--top", type=int, default=0, help="cProfile, this many functions by cumulative time")
    parser.add_argument("--sql", action="store_true", help="print the queries of one request")
    parser.add_argument("--render", action="store_true", help="render signed-in pages, never a learner's kept copy")
    args = parser.parse_args()
    if args.build or not STATE.exists():
        build()
    os.environ.update(environment())
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    state = json.loads(STATE.read_text())
    if args.render:
        from infra import page_cache

        page_cache._learner = lambda request: None  # as if every request followed a write of the learner's

    def client_for(name: str) -> tuple[Client, str, str | None]:
        path, who, body = PAGES[name]
        client = Client(enforce_csrf_checks=True)
        if who:
            client.cookies[SESSION_COOKIE] = state["sessions"][who]
        client.cookies["csrftoken"] = state["csrf"]
        return client, path, state["sync"] if body else None

    def request(client: Client, path: str, body: str | None):
        if body is None:
            return client.get(path)
        return client.post(path, body, content_type="application/json", HTTP_X_CSRFTOKEN=state["csrf"])

    for name in args.pages or list(PAGES):
        client, path, body = client_for(name)
        for _ in range(20):  # warm: caches, templates, connections
            response = request(client, path, body)
        assert response.status_code == 200, (name, response.status_code)
        queries: list[str] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            request(client, path, body)
        if args.sql:
            for sql in queries:
                print(f"  {sql[:400]}")
        started = time.process_time()
        profiler = cProfile.Profile() if args.top else None
        if profiler:
            profiler.enable()
        for _ in range(args.n):
            request(client, path, body)
        if profiler:
            profiler.disable()
        per = (time.process_time() - started) * 1000 / args.n
        print(f"{name:12} {per:6.2f} ms CPU/request  {len(queries):2} queries  {len(response.content):6} bytes")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
