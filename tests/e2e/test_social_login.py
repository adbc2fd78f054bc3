"""Third-party sign-in survives the Content-Security-Policy (issue 12).

The site is started in its own process with a provider switched on from the environment alone,
on a database prepared by `migrate` before the provider was switched on (no extra step). The
browser presses "Continue" on /accounts/github/login/; allauth redirects the form's POST to
github.com, which browsers check against CSP's form-action. github.com itself is never reached:
Playwright answers for it with a stub page.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "stream-e2e-client-id"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(database: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(database.parent),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_TESTING": "1",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.update(extra)
    return env


@pytest.fixture
def site_with_github(tmp_path):
    """The site under `manage.py runserver`, GitHub sign-in switched on after a plain migrate."""
    database = tmp_path / "social.sqlite3"
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=_env(database), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    env = _env(
        database,
        DJANGO_SOCIALACCOUNT_PROVIDERS="github",
        DJANGO_SOCIALACCOUNT_GITHUB_CLIENT_ID=CLIENT_ID,
        DJANGO_SOCIALACCOUNT_GITHUB_SECRET="not-a-real-secret",
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read() if server.poll() is not None else ""
                    pytest.fail(f"the site did not start: {output[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_continue_on_the_github_login_page_reaches_github_without_a_csp_violation(browser, site_with_github):
    context = browser.new_context(base_url=site_with_github)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))
        authorize_requests = []

        def github(route):
            authorize_requests.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>GitHub stub</title><p>ok")

        page.route("https://github.com/**", github)

        response = page.goto("/accounts/github/login/")
        assert response.status == 200  # the provider's tables exist: migrate alone prepared them
        csp = response.headers["content-security-policy"]
        assert "form-action 'self' https://github.com" in csp
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("https://github.com/**")

        assert page.title() == "GitHub stub"
        assert len(authorize_requests) == 1
        requested = urlsplit(authorize_requests[0])
        assert (requested.scheme, requested.netloc, requested.path) == ("https", "github.com", "/login/oauth/authorize")
        assert parse_qs(requested.query)["client_id"] == [CLIENT_ID]
        assert [text for text in console if "Content Security Policy" in text] == []
    finally:
        context.close()
