"""`make rehearse`: the production shape on this machine, without Docker, with faults injected.

Brings up, on free ports and inside one temporary directory, everything production runs:
its own PostgreSQL (initdb + pg_ctl, as the machine's ``postgres`` user when run as root), its own
Redis, an SMTP server that keeps what it receives (deploy/smtp_sink.py), ``manage.py migrate`` once,
two gunicorn instances with production settings behind nginx (load balancer, TLS-less proxy that
sets X-Forwarded-For and X-Forwarded-Proto; the app trusts one proxy), and the task worker.

Then, all through nginx, it walks the main journeys and injects faults during a light load (wrk),
prints one promise per line with PASS or FAIL, stops every process it started (by PID, also on an
error or Ctrl-C) and exits non-zero when any promise failed. ``--keep`` keeps the temporary
directory (logs, mail, configuration) for inspection; it is kept anyway when something failed.

How the TLS-less proxy keeps production's HTTPS settings: nginx stands in for the TLS terminator
and sends ``X-Forwarded-Proto: https``, so the app runs with SECURE_SSL_REDIRECT, secure cookies
and HSTS exactly as in production. The rehearsal's client is the one party that knows the
"https" is simulated: it sends its secure cookies over the plain connection, sends the Origin
production's browsers would send (https://host), and turns https links from mails back into the
plain address of nginx.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import email
import email.policy
import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PY = sys.executable
PASSWORD = "rehearsal-" + secrets.token_hex(8)

# Simulated client addresses (documentation ranges), sent to nginx as X-Rehearsal-Client.
ADDRESS_LEARNER = "192.0.2.10"
ADDRESS_OTHER = "192.0.2.20"
ADDRESS_STAFF = "192.0.2.30"
ADDRESS_ATTACKER = "203.0.113.5"
ADDRESS_NEIGHBOUR = "198.51.100.7"


def refused(response: Response) -> bool:
    """allauth's answer to a sign-in over the limit: 429, or the form again with its message."""
    return response.status == 429 or "Too many failed login attempts" in response.text


def log(message: str) -> None:
    print(f"[rehearse {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], *, timeout: float, interval: float = 0.2, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # anything not ready yet is retried until the deadline
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what or predicate}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


# --- processes ----------------------------------------------------------------------------------


class Processes:
    """Every process the rehearsal starts, each in its own process group, stopped by PID."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], *, env: dict | None = None, cwd: Path = ROOT) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed when the process is stopped
        process = subprocess.Popen(  # noqa: S603 - the rehearsal's own commands
            argv,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        process.log_file = out  # type: ignore[attr-defined]
        self.running[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send a signal to the process and everything it started (its process group)."""
        process = self.running[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    def stop(self, name: str, *, grace: float = 5.0) -> None:
        process = self.running.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        # A killed group leader leaves nothing behind that answers: make sure of the group too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.log_file.close()  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)


class Postgres:
    """A PostgreSQL cluster of the rehearsal's own, in its temporary directory."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        if not candidates:
            raise SystemExit("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin")
        self.bin = Path(candidates[-1]).parent
        self.data = directory / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgres://postgres@127.0.0.1:{port}/stream"

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - the machine's PostgreSQL tools
            [*self.as_postgres, str(self.bin / argv[0]), *argv[1:]], check=check, capture_output=True, text=True
        )

    def init(self) -> None:
        self.directory.mkdir()
        if self.as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.directory / "postgres.log"), "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def kill(self) -> None:
        """Last resort at exit: the postmaster by its PID."""
        pid = self.pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)

    def client(self, tool: str, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - the machine's PostgreSQL tools
            [str(self.bin / tool), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *argv],
            check=True,
            capture_output=True,
            text=True,
        )

    def counts(self, database: str, tables: list[str]) -> dict[str, int]:
        # The table names are the rehearsal's own constants, checked against pg_tables.
        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)  # noqa: S608
        out = self.client("psql", "-d", database, "-AtF", "\t", "-c", query).stdout
        return {name: int(count) for name, count in (line.split("\t") for line in out.splitlines())}


# --- a small browser: cookies, CSRF, redirects ---------------------------------------------------


class _SecureOverPlainHttp(DefaultCookiePolicy):
    """nginx stands in for TLS, so the site's Secure cookies travel over the plain connection here."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class _KeepErrors(urllib.request.HTTPErrorProcessor):
    """Return 3xx/4xx/5xx responses instead of raising: the rehearsal looks at every status."""

    def http_response(self, request, response):
        return response

    https_response = http_response


@dataclass
class Response:
    status: int
    url: str
    headers: dict
    text: str

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Client:
    base: str  # http://127.0.0.1:<nginx port>
    address: str | None = None  # the simulated client address
    jar: CookieJar = field(default_factory=lambda: CookieJar(policy=_SecureOverPlainHttp()))

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _KeepErrors)
        self.public = "https://" + urllib.parse.urlsplit(self.base).netloc

    def local(self, url: str) -> str:
        """An address as production would write it (https://host/...) turned into nginx's plain one."""
        if url.startswith(self.public):
            return self.base + url[len(self.public) :]
        return urllib.parse.urljoin(self.base + "/", url)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        json_body: object = None,
        headers: dict | None = None,
        follow: bool = True,
        timeout: float = 20,
    ) -> Response:
        url = self.local(path)
        data = None
        sent = {"Origin": self.public, "Referer": self.public + urllib.parse.urlsplit(url).path}
        if self.address:
            sent["X-Rehearsal-Client"] = self.address
        token = self.cookie("csrftoken")
        if form is not None:
            form = {**form}
            if token:
                form.setdefault("csrfmiddlewaretoken", token)
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if token and method != "GET":
            sent["X-CSRFToken"] = token
        sent.update(headers or {})
        request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310 - nginx on 127.0.0.1
        with self.opener.open(request, timeout=timeout) as raw:
            response = Response(
                raw.status, url, {k.lower(): v for k, v in raw.headers.items()}, raw.read().decode("utf-8", "replace")
            )
        if follow and response.status in (301, 302, 303, 307, 308) and response.header("location"):
            return self.request("GET", response.header("location"), follow=True, timeout=timeout)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict | None = None, **kwargs) -> Response:
        return self.request("POST", path, form=form or {}, **kwargs)

    def sign_in(self, email_address: str, password: str) -> Response:
        self.get("/accounts/login/")
        return self.post("/accounts/login/", {"login": email_address, "password": password}, follow=False)

    def signed_in(self) -> bool:
        return self.get("/api/progress/", follow=False).status == 200


# --- mail ---------------------------------------------------------------------------------------


class Mailbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def messages(self) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            found.append(email.message_from_bytes(path.read_bytes(), policy=email.policy.default))
        return found

    def to(self, address: str, *, subject_contains: str = "") -> list[email.message.EmailMessage]:
        return [
            m
            for m in self.messages()
            if address in str(m["To"]) and subject_contains.lower() in str(m["Subject"]).lower()
        ]

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""


# --- the rehearsal --------------------------------------------------------------------------------


@dataclass
class Result:
    promise: str
    passed: bool
    detail: str = ""


class Rehearsal:
    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix="stream-rehearse-"))
        self.tmp.chmod(0o755)  # the postgres user and nginx's worker reach their subdirectories
        (self.tmp / "logs").mkdir()
        self.procs = Processes(self.tmp / "logs")
        self.results: list[Result] = []
        self.ports = {}
        for name in ("postgres", "redis", "smtp", "web1", "web2", "nginx"):
            port = free_port()
            while port in self.ports.values():
                port = free_port()
            self.ports[name] = port
        self.pg = Postgres(self.tmp / "pg", self.ports["postgres"])
        self.mail = Mailbox(self.tmp / "mail")
        self.base = f"http://127.0.0.1:{self.ports['nginx']}"
        self.env = self._app_env()
        self.cleaned = False

    # -- setup --

    def _app_env(self) -> dict:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "EMAIL_", "DATABASE_URL", "REDIS_URL", "PG"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="deploy.rehearsal_settings",
            REHEARSAL_STATIC_ROOT=str(self.tmp / "static"),
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.pg.url,
            REDIS_URL=f"redis://127.0.0.1:{self.ports['redis']}/0",
            DJANGO_TRUSTED_PROXY_COUNT="1",
            DJANGO_TASKS_BACKEND="database",
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.ports["smtp"]),
            EMAIL_USE_TLS="0",
            DJANGO_SITE_URL=f"https://127.0.0.1:{self.ports['nginx']}",
            DJANGO_ADMIN_EMAIL="staff@rehearsal.test",
            DJANGO_ADMIN_PASSWORD=PASSWORD,
            DJANGO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, *argv: str, timeout: float = 300) -> str:
        done = subprocess.run(  # noqa: S603 - the project's own commands
            [PY, "manage.py", *argv], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_web(self, name: str) -> None:
        port = self.ports[name]
        self.procs.start(
            name,
            [
                *(PY, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"),
                *("--graceful-timeout", "3", "--access-logfile", "-", "--error-logfile", "-"),
            ],
            env=self.env,
        )

    def start_worker(self) -> None:
        self.procs.start(
            "worker", [PY, "manage.py", "db_worker", "--interval", "0.5", "--no-startup-delay"], env=self.env
        )

    def write_nginx_conf(self) -> Path:
        directory = self.tmp / "nginx"
        directory.mkdir()
        directory.chmod(0o777)  # nginx's worker (nobody when started as root) writes its temp files here
        text = (DEPLOY / "nginx-rehearsal.conf.template").read_text()
        values = {
            "DIR": str(directory),
            "PORT": str(self.ports["nginx"]),
            "WEB1_PORT": str(self.ports["web1"]),
            "WEB2_PORT": str(self.ports["web2"]),
            "USER": "user nobody nogroup;" if os.geteuid() == 0 else "",
        }
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        conf = directory / "nginx.conf"
        conf.write_text(text)
        return conf

    def bring_up(self) -> None:
        log(f"temporary directory {self.tmp}; ports {self.ports}")
        self.pg.init()
        self.pg.start()
        self.pg.client("createdb", "stream")
        self.procs.start(
            "redis",
            [
                *("redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.tmp)),
            ],
        )
        self.procs.start(
            "smtp",
            [
                PY,
                str(DEPLOY / "smtp_sink.py"),
                "--port",
                str(self.ports["smtp"]),
                "--directory",
                str(self.tmp / "mail"),
            ],
        )
        log("migrate (once), demo content, staff account, collectstatic")
        self.manage("migrate", "--noinput")
        self.manage("import_lessons", "content/lessons")
        self.manage("ensure_admin")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.start_web("web1")
        self.start_web("web2")
        self.start_worker()
        conf = self.write_nginx_conf()
        nginx_dir = str(conf.parent)  # -e: not even the start-up log goes to /var/log
        self.procs.start(
            "nginx", ["/usr/sbin/nginx", "-p", nginx_dir, "-e", f"{nginx_dir}/nginx-error.log", "-c", str(conf)]
        )
        for name in ("redis", "smtp", "web1", "web2", "nginx"):
            wait_until(lambda name=name: port_open(self.ports[name]), timeout=60, what=f"{name} to listen")
        wait_until(lambda: Client(self.base).get("/healthz").status == 200, timeout=30, what="/healthz through nginx")
        log("everything is up")

    def clean_up(self) -> None:
        if self.cleaned:
            return
        self.cleaned = True
        self.procs.stop_all()
        self.pg.stop()
        self.pg.kill()
        failed = any(not r.passed for r in self.results) or not self.results
        if self.keep or failed:
            log(f"kept {self.tmp} (logs in logs/, mail in mail/, nginx.conf in nginx/)")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- recording --

    def check(self, promise: str, passed: bool, detail: str = "") -> bool:
        self.results.append(Result(promise, bool(passed), detail))
        log(f"{'PASS' if passed else 'FAIL'}  {promise}" + (f"  ({detail})" if detail else ""))
        return bool(passed)

    def step(self, promise: str, body: Callable[[], tuple[bool, str] | bool]) -> bool:
        """Run one check; an exception is a FAIL of that promise, and the rehearsal goes on."""
        try:
            outcome = body()
        except Exception as error:  # reported as this promise's failure
            return self.check(promise, False, f"{type(error).__name__}: {str(error)[:300]}")
        passed, detail = outcome if isinstance(outcome, tuple) else (outcome, "")
        return self.check(promise, passed, detail)

    # -- journeys --

    def lesson(self) -> dict:
        code = (
            "import json; from lessons.models import Lesson; "
            "ls = list(Lesson.objects.published().select_related('quest').in_order()[:2]); "
            "print(json.dumps([{'pk': l.pk, 'key': l.key, 'url': l.get_absolute_url()} for l in ls]))"
        )
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def email_on_reply(self, address: str) -> bool:
        code = (
            "from progress.models import Profile; "
            f"p = Profile.objects.filter(user__email={address!r}).first(); "
            "print(p is None or p.email_on_reply)"
        )
        return self.manage("shell", "-c", code).strip().splitlines()[-1] == "True"

    def sign_up(self, client: Client, address: str) -> tuple[bool, str]:
        """Sign up, receive the verification mail over SMTP, follow its link and confirm."""
        client.get("/accounts/signup/")
        response = client.post(
            "/accounts/signup/", {"email": address, "password1": PASSWORD, "password2": PASSWORD}, follow=False
        )
        if response.status != 302:
            return False, f"sign-up answered {response.status}"
        mails = wait_until(lambda: self.mail.to(address), timeout=20, what=f"verification mail to {address}")
        link = re.search(r"https?://\S+/accounts/confirm-email/[^\s/]+/", Mailbox.text(mails[0]))
        if not link:
            return False, "no confirmation link in the mail"
        page = client.get(link.group(0))
        confirmed = client.post(link.group(0), follow=False)
        verified = "verified" in client.get("/accounts/email/").text.lower() or confirmed.status == 302
        return page.status == 200 and confirmed.status == 302 and verified, (
            f"{len(mails)} mail(s); confirm page {page.status}, confirm POST {confirmed.status}"
        )

    def comment(self, client: Client, lesson: dict, body: str, parent: int | None = None) -> int:
        client.get(lesson["url"])
        form = {"body": body} | ({"parent": str(parent)} if parent else {})
        response = client.post(f"/comments/lesson/{lesson['pk']}/", form, follow=False)
        match = re.search(r"(\d+)$", response.header("location"))
        if response.status != 302 or not match:
            raise RuntimeError(f"posting a comment answered {response.status} {response.header('location')!r}")
        return int(match.group(1))

    def run(self) -> None:
        self.bring_up()
        lessons = self.lesson()
        lesson = lessons[0]
        learner, other = "ada@rehearsal.test", "grace@rehearsal.test"
        alice = Client(self.base, ADDRESS_LEARNER)
        bob = Client(self.base, ADDRESS_OTHER)
        staff = Client(self.base, ADDRESS_STAFF)
        anonymous = Client(self.base)

        self.step(
            "production settings: check --deploy reports nothing",
            lambda: (True, "") if "no issues" in self.manage("check", "--deploy", "--fail-level", "WARNING") else False,
        )
        self.step(
            "migrate alone prepares the database (404 page, sign-up page)",
            lambda: anonymous.get("/no-such-page/").status == 404 and anonymous.get("/accounts/signup/").status == 200,
        )
        self.step("/healthz answers GET and HEAD through nginx", lambda: self._healthz_get_and_head(anonymous))

        # -- journeys --
        self.step("sign-up: verification mail over SMTP, its link verifies", lambda: self.sign_up(alice, learner))
        self.step("a second learner signs up and verifies the same way", lambda: self.sign_up(bob, other))

        def sign_in_with_local_progress():
            alice.post("/accounts/logout/", follow=False)
            if alice.signed_in():
                return False, "still signed in after sign-out"
            response = alice.sign_in(learner, PASSWORD)
            if response.status != 302:
                return False, f"sign-in answered {response.status}"
            alice.get("/")
            merged = alice.request(
                "POST", "/api/progress/sync", json_body={"completed": {lesson["key"]: "2025-01-02T03:04:05Z"}}
            )
            state = json.loads(alice.get("/api/progress/").text)
            added = json.loads(merged.text).get("added") if merged.status == 200 else None
            return (merged.status == 200 and added == [lesson["key"]] and lesson["key"] in state["completed"]), (
                f"sync {merged.status}, added {added}"
            )

        self.step("sign-in with local progress: the sync merges it", sign_in_with_local_progress)

        ids: dict[str, int] = {}

        def comment_and_reply():
            ids["first"] = self.comment(alice, lesson, "A first comment, posted through nginx.")
            ids["reply"] = self.comment(bob, lesson, "A reply from the second learner.", parent=ids["first"])
            shown = ("A first comment" in bob.get(lesson["url"]).text) and ("A reply" in alice.get(lesson["url"]).text)
            return shown, f"comment {ids['first']}, reply {ids['reply']}"

        self.step("a verified learner comments, another replies", comment_and_reply)

        def reply_mail_once():
            wait_until(lambda: self.mail.to(learner, subject_contains="replied"), timeout=30, what="the reply mail")
            time.sleep(3)  # a second copy would have arrived by now
            mails = self.mail.to(learner, subject_contains="replied")
            header = str(mails[0]["List-Unsubscribe"])
            one_click = str(mails[0]["List-Unsubscribe-Post"])
            link = header.strip("<> ")
            looked = anonymous.get(link)  # what a mail scanner does: it must change nothing
            on_after_get = self.email_on_reply(learner)
            confirmed = anonymous.post(link, {"List-Unsubscribe": "One-Click"})  # RFC 8058's one-click POST
            on_after_post = self.email_on_reply(learner)
            ok = (
                len(mails) == 1
                and header.startswith("<http")
                and one_click == "List-Unsubscribe=One-Click"
                and looked.status == 200
                and on_after_get
                and confirmed.status == 200
                and not on_after_post
            )
            return ok, (
                f"{len(mails)} reply mail(s); GET {looked.status} (still subscribed: {on_after_get}); "
                f"one-click POST {confirmed.status} (still subscribed: {on_after_post})"
            )

        self.step(
            "the reply mail arrives once; GET of its unsubscribe link changes nothing, one-click POST unsubscribes",
            reply_mail_once,
        )

        self.step(
            "staff sign in (the moderator of the fault checks)", lambda: staff.sign_in(*self._staff()).status == 302
        )

        # -- client addresses and limits --
        attacker = Client(self.base, ADDRESS_ATTACKER)
        neighbour = Client(self.base, ADDRESS_NEIGHBOUR)

        def one_client_exhausts_its_limit():
            attempts = 0
            for attempt in range(1, 15):
                attempts = attempt
                if refused(attacker.sign_in(f"nobody{attempt}@rehearsal.test", "wrong-password")):
                    break
            # Even the right password is refused now, and forging the neighbour's address in
            # X-Forwarded-For does not help: nginx appends the address it saw, the app reads that one.
            forged = attacker.post(
                "/accounts/login/",
                {"login": learner, "password": PASSWORD},
                headers={"X-Forwarded-For": ADDRESS_NEIGHBOUR},
                follow=False,
            )
            return (attempts < 14 and refused(forged)), (
                f"refused after {attempts} failed attempts; the right password with a forged X-Forwarded-For: "
                f"{'refused' if refused(forged) else forged.status}"
            )

        self.step("one client exhausts its login limit (forged X-Forwarded-For too)", one_client_exhausts_its_limit)
        self.step(
            "meanwhile a client at another address signs in",
            lambda: (
                lambda r: (r.status == 302, "signed in" if r.status == 302 else "refused" if refused(r) else r.status)
            )(neighbour.sign_in(other, PASSWORD)),
        )

        # -- faults under load --
        wrk = self._start_load(lesson["url"], seconds=25)
        time.sleep(2)
        self.step("kill -9 one web instance: nginx routes around it", lambda: self._kill_web(anonymous, alice, lesson))
        self._redis_flush(alice, bob, staff, anonymous, attacker, lessons[1] if len(lessons) > 1 else lesson)
        self._postgres_stop(alice, anonymous)
        self._finish_load(wrk)
        self.step(
            "worker killed with mail queued: each mail delivered once", lambda: self._worker_kill(alice, lesson, ids)
        )
        self.step("backup: pg_dump restored into a fresh database, same row counts", self._backup)

    def _staff(self) -> tuple[str, str]:
        return self.env["DJANGO_ADMIN_EMAIL"], PASSWORD

    def _healthz_get_and_head(self, client: Client):
        get = client.get("/healthz")
        head = client.request("HEAD", "/healthz")
        return (get.status == 200 and head.status == 200), f"GET {get.status}, HEAD {head.status}"

    def _start_load(self, path: str, *, seconds: int) -> subprocess.Popen | None:
        if not shutil.which("wrk"):
            self.check("light load with wrk during the faults", False, "wrk is not installed")
            return None
        log(f"load: wrk -t1 -c4 -d{seconds}s {path}")
        return self.procs.start("wrk", ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "5s", self.base + path])

    def _finish_load(self, wrk: subprocess.Popen | None) -> None:
        if wrk is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            wrk.wait(timeout=60)  # wrk prints its summary when its time is up
        self.procs.stop("wrk")
        out = (self.tmp / "logs" / "wrk.log").read_text()
        requests = re.search(r"(\d+) requests in", out)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        total, non_2xx = int(requests.group(1)) if requests else 0, int(bad.group(1)) if bad else 0
        errors = re.search(r"Socket errors: (.*)", out)
        self.check(
            "light load (wrk) ran through the faults, mostly answered",
            total > 0 and non_2xx <= total * 0.25,
            f"{total} requests, {non_2xx} non-2xx/3xx (the PostgreSQL outage), socket errors: "
            f"{errors.group(1) if errors else 'none'}",
        )

    def _kill_web(self, anonymous: Client, alice: Client, lesson: dict):
        self.procs.kill("web1")
        time.sleep(0.5)
        statuses = [anonymous.get(lesson["url"] + f"?n={n}").status for n in range(10)]
        statuses += [anonymous.get("/healthz").status for _ in range(5)]
        still_signed_in = alice.signed_in()
        self.procs.stop("web1")
        self.start_web("web1")  # what a supervisor does; the next faults start from two instances again
        wait_until(lambda: port_open(self.ports["web1"]), timeout=30, what="web1 to come back")
        ok = all(s == 200 for s in statuses) and still_signed_in
        return ok, f"after the kill: {statuses.count(200)}/{len(statuses)} answered 200, signed in: {still_signed_in}"

    def _redis_flush(self, alice, bob, staff, anonymous, attacker, lesson) -> None:
        marker = "hidden-" + secrets.token_hex(4)
        hidden = {}

        def hide_then_flush():
            hidden["id"] = self.comment(alice, lesson, f"This comment will be hidden: {marker}")
            time.sleep(1.2)  # every process sees the new version, then caches the page under it
            seen_before = sum(marker in anonymous.get(lesson["url"]).text for _ in range(8))
            stale_version = self._page_version()
            staff.get(lesson["url"])
            hide = staff.post(f"/comments/{hidden['id']}/hide/", follow=False)
            gone = wait_until(
                lambda: all(marker not in anonymous.get(lesson["url"]).text for _ in range(4)),
                timeout=10,
                what="the hidden comment to leave the page",
            )
            self._flushall()
            seen_after = self._anonymous_sees(anonymous, lesson, marker)
            self.comment(bob, lesson, "A comment after the flush (a write: the page version moves on).")
            seen_after += self._anonymous_sees(anonymous, lesson, marker)
            # Writes after the flush walk a counting version back over the number the hidden
            # comment's pages were stored under in each process: they must not be served again.
            bumps = 0
            if isinstance(stale_version, int):
                while bumps < 150 and (self._page_version() or 0) <= stale_version + 2:
                    staff.post(f"/comments/{hidden['id']}/hide/", follow=False)  # hiding again: one more write
                    bumps += 1
                    if abs((self._page_version() or 0) - stale_version) <= 2:
                        seen_after += self._anonymous_sees(anonymous, lesson, marker)
            return (seen_before and hide.status == 302 and gone and not any(seen_after)), (
                f"seen in {seen_before}/8 requests before hiding; hide {hide.status}; shown after the flush in "
                f"{sum(seen_after)}/{len(seen_after)} anonymous requests ({bumps} writes after it)"
            )

        self.step("Redis flushed: a hidden comment does not come back", hide_then_flush)

        def limits_hold():
            response = attacker.sign_in("nobody-after-flush@rehearsal.test", "wrong-password")
            return refused(
                response
            ), f"the client that used up its limit is {'' if refused(response) else 'not '}refused"

        self.step("Redis flushed: login limits fail safe (still refused)", limits_hold)
        self.step(
            "Redis flushed: nobody is signed out",
            lambda: (alice.signed_in() and bob.signed_in() and staff.signed_in(), ""),
        )

    def _anonymous_sees(self, anonymous: Client, lesson: dict, marker: str) -> list[bool]:
        time.sleep(1.1)  # past PAGE_CACHE_VERSION_SECONDS: every process has read the version again
        return [marker in anonymous.get(lesson["url"]).text for _ in range(8)]

    def _redis(self, *command: str) -> str:
        argv = ["redis-cli", "-p", str(self.ports["redis"]), *command]
        done = subprocess.run(argv, check=True, capture_output=True)  # noqa: S603 - the machine's redis-cli
        return done.stdout.decode("utf-8", "replace")  # values may be pickled bytes

    def _page_version(self) -> int | str | None:
        """The page cache's shared version as stored in Redis (a counter, or an opaque token)."""
        for key in self._redis("--scan", "--pattern", "*version*").split():
            value = self._redis("GET", key).strip()
            return int(value) if value.isdigit() else value or None
        return None

    def _flushall(self) -> None:
        self._redis("FLUSHALL")

    def _postgres_stop(self, alice: Client, anonymous: Client) -> None:
        masters = {name: self.procs.running[name].pid for name in ("web1", "web2")}
        log("stopping PostgreSQL for 10 s")
        self.pg.stop()
        stopped_at = time.monotonic()
        try:
            health = [anonymous.get("/healthz").status for _ in range(4)]
            page = alice.get("/dashboard/")
            friendly = page.status >= 500 and "Something went wrong on our side" in page.text
            self.check("PostgreSQL stopped: /healthz answers 503", all(s == 503 for s in health), f"{health}")
            self.check(
                "PostgreSQL stopped: pages answer the friendly error page",
                friendly,
                f"dashboard answered {page.status}" + ("" if friendly else f": {page.text[:120]!r}"),
            )
        finally:
            time.sleep(max(0.0, 10 - (time.monotonic() - stopped_at)))
            self.pg.start()
            log("PostgreSQL started again")

        def recovers():
            wait_until(
                lambda: all(anonymous.get("/healthz").status == 200 for _ in range(4)), timeout=20, what="healthz"
            )
            pages = [alice.get("/dashboard/").status for _ in range(6)]
            same = all(
                self.procs.running[n].pid == pid and self.procs.running[n].poll() is None for n, pid in masters.items()
            )
            return (all(s == 200 for s in pages) and same), f"dashboard {pages}; gunicorn not restarted: {same}"

        self.step("PostgreSQL back: the site recovers with no restart", recovers)

    def _worker_kill(self, alice: Client, lesson: dict, ids: dict):
        """Kill the worker, queue two reply mails, start it again: each arrives exactly once."""
        other = "grace@rehearsal.test"
        self.procs.kill("worker")
        self.procs.stop("worker")
        before = len(self.mail.to(other, subject_contains="replied"))
        self.comment(alice, lesson, "First reply while the worker is down.", parent=ids["reply"])
        self.comment(alice, lesson, "Second reply while the worker is down.", parent=ids["reply"])
        time.sleep(3)
        while_down = len(self.mail.to(other, subject_contains="replied")) - before
        self.start_worker()
        wait_until(
            lambda: len(self.mail.to(other, subject_contains="replied")) - before >= 2, timeout=40, what="queued mail"
        )
        time.sleep(3)
        mails = self.mail.to(other, subject_contains="replied")[before:]
        bodies = [Mailbox.text(m) for m in mails]
        each_once = [sum("First reply" in b for b in bodies), sum("Second reply" in b for b in bodies)]
        return (while_down == 0 and each_once == [1, 1] and len(mails) == 2), (
            f"{while_down} sent while down; after restart: {len(mails)} mails, per reply {each_once}"
        )

    def _backup(self):
        tables = [
            "auth_user",
            "account_emailaddress",
            "lessons_quest",
            "lessons_lesson",
            "progress_completion",
            "progress_earnedachievement",
            "comments_comment",
            "comments_notification",
            "django_session",
        ]
        existing = set(
            self.pg.client(
                "psql", "-d", "stream", "-Atc", "SELECT tablename FROM pg_tables WHERE schemaname='public'"
            ).stdout.split()
        )
        tables = [t for t in tables if t in existing]
        dump = self.tmp / "stream.dump"
        self.pg.client("pg_dump", "--format=custom", "--no-owner", "-d", "stream", "-f", str(dump))
        source = self.pg.counts("stream", tables)
        self.pg.client("createdb", "stream_restored")
        self.pg.client("pg_restore", "--no-owner", "--exit-on-error", "-d", "stream_restored", str(dump))
        restored = self.pg.counts("stream_restored", tables)
        return (source == restored and source.get("comments_comment", 0) > 0), ", ".join(
            f"{t} {source[t]}/{restored.get(t)}" for t in tables
        )

    def report(self) -> int:
        width = max(len(r.promise) for r in self.results) if self.results else 10
        print("\n" + "=" * (width + 8))
        print(f"{'promise'.ljust(width)}  result")
        print("-" * (width + 8))
        for result in self.results:
            print(f"{result.promise.ljust(width)}  {'PASS' if result.passed else 'FAIL'}")
        print("=" * (width + 8))
        failed = sum(not r.passed for r in self.results)
        print(f"{len(self.results) - failed} passed, {failed} failed")
        return 1 if failed or not self.results else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Rehearse the production deployment on this machine.")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    for tool in ("/usr/sbin/nginx", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            print(f"rehearse: {tool} is not installed (apt-get install nginx redis-server)", file=sys.stderr)
            return 2
    rehearsal = Rehearsal(keep=args.keep)
    atexit.register(rehearsal.clean_up)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    try:
        rehearsal.run()
    except Exception as error:  # the setup broke: a FAIL line, then the table
        rehearsal.check("the rehearsal ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        rehearsal.clean_up()
    log(f"took {time.monotonic() - started:.0f} s")
    return rehearsal.report()


if __name__ == "__main__":
    sys.exit(main())
