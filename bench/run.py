"""Benchmark: a lesson page with 100 comments under gunicorn vs a bare Django view.

SPEC 10: the lesson page must serve at least half the requests per second of a bare
view returning the same bytes from memory, with no errors under 32 connections.
Run with `make bench`. Uses wrk when installed (apt-get install wrk), otherwise a
threaded Python client (which measures less precisely: it shares the 2 cores).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PORT = int(os.environ.get("STREAM_BENCH_PORT", "8765"))
CONNECTIONS = 32
SECONDS = int(os.environ.get("STREAM_BENCH_SECONDS", "10"))
COMMENTS = 100
LESSON_PATH = "/quests/deep-learning-history/history-arc/"


def manage(*args: str, env: dict) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


SEED = f"""
from django.contrib.auth import get_user_model
from lessons.models import Lesson
lesson = Lesson.objects.get(slug="history-arc")
User = get_user_model()
author, _ = User.objects.get_or_create(username="bench", defaults={{"email": "bench@example.com"}})
try:
    from comments.models import Comment
except ImportError:
    Comment = None
if Comment is not None and not Comment.objects.filter(lesson=lesson).exists():
    parents = []
    for i in range({COMMENTS}):
        parent = parents[i % len(parents)] if parents and i % 3 else None
        body = f"Comment {{i}} with *Markdown* and `code`."
        comment = Comment.objects.create(lesson=lesson, author=author, parent=parent, body=body)
        if parent is None:
            parents.append(comment)
print(Comment.objects.filter(lesson=lesson).count() if Comment else 0)
"""


def load_python(url: str) -> dict:
    """32 threads, each with its own keep-alive-less requests, for SECONDS."""
    deadline = time.monotonic() + SECONDS

    def worker(_):
        done = errors = 0
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    done += response.status == 200
                    errors += response.status != 200
            except OSError:
                errors += 1
        return done, errors

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        results = list(pool.map(worker, range(CONNECTIONS)))
    done = sum(r[0] for r in results)
    return {"requests_per_second": done / SECONDS, "errors": sum(r[1] for r in results)}


def load_wrk(url: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(next(line for line in out.splitlines() if line.startswith("Requests/sec")).split()[1])
    errors = sum(int(part) for line in out.splitlines() if "Non-2xx" in line for part in line.split()[-1:])
    errors += sum(1 for line in out.splitlines() if line.strip().startswith("Socket errors"))
    return {"requests_per_second": rps, "errors": errors}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="stream-bench-"))
    page_file = work / "page.html"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_ROOT_URLCONF": "bench.urls",
        "STREAM_BENCH_PAGE": str(page_file),
    }
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    manage("import_lessons", "content/lessons", env=env)
    comments = manage("shell", "-c", SEED, env=env).strip().splitlines()[-1]

    def serve():
        return subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait_ready():
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    page_file.write_bytes(b"")
    server = serve()
    try:
        wait_ready()
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{LESSON_PATH}") as response:
            page_file.write_bytes(response.read())
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    server = serve()  # restart so the bare view holds the page bytes
    try:
        wait_ready()
        load = load_wrk if shutil.which("wrk") else load_python
        lesson = load(f"http://127.0.0.1:{PORT}{LESSON_PATH}")
        bare = load(f"http://127.0.0.1:{PORT}/bench/bare")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    ratio = lesson["requests_per_second"] / bare["requests_per_second"]
    report = {
        "tool": "wrk" if shutil.which("wrk") else "python threads",
        "connections": CONNECTIONS,
        "seconds": SECONDS,
        "comments_on_page": int(comments),
        "page_bytes": page_file.stat().st_size,
        "lesson_page": lesson,
        "bare_view": bare,
        "ratio": round(ratio, 3),
        "passes": ratio >= 0.5 and lesson["errors"] == 0 and bare["errors"] == 0,
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if report["passes"] else 1


if __name__ == "__main__":
    sys.exit(main())
