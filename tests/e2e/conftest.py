"""Browser journeys: Playwright for Python driving Debian's Chromium against the live test server.

Never `playwright install` (it cannot download here): the tests use /usr/bin/chromium.
Without it they skip locally with a message; under CI=true a missing browser fails the run.
"""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD, make_user

# Note: wait_for_function takes arrow functions ("() => ..."): a bare expression is
# eval()ed in the page, which the site's CSP (rightly) refuses.
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("STREAM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(os.environ.get("STREAM_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "screenshots"))
CONTENT = Path(__file__).resolve().parents[2] / "content" / "lessons"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _javascript_as_served(tmp_path_factory):
    """The journeys run the JavaScript production serves: minified by the static files storage
    (infra/storage.py). The live server finds static files in a copy of static/ whose modules went
    through the same ``minify_js``; sources and minified files must behave alike."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    from infra.storage import minify_js

    served = tmp_path_factory.mktemp("static")
    shutil.copytree(Path(settings.BASE_DIR) / "static", served, dirs_exist_ok=True)
    for module in (served / "js").rglob("*.js"):
        module.write_text(minify_js(module.read_text(encoding="utf-8")), encoding="utf-8")
    sources = settings.STATICFILES_DIRS
    settings.STATICFILES_DIRS = [served]
    finders.get_finder.cache_clear()
    yield
    settings.STATICFILES_DIRS = sources
    finders.get_finder.cache_clear()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` to run the browser tests."
        )
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open fresh browser contexts (separate cookies and localStorage), closed after the test."""
    contexts = []

    def open_context(*, width: int = 1280, height: int = 900, dark: bool = False, locale: str = "en-US"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            color_scheme="dark" if dark else "light",
            locale=locale,
            extra_http_headers={"Accept-Language": locale.split("-")[0]},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def demo_content(transactional_db):
    """The shipped demo content, imported the way `make run` does."""
    from django.core.management import call_command

    call_command("import_lessons", str(CONTENT), verbosity=0)
    from lessons.models import Lesson

    return Lesson.objects.get(slug="history-arc")


@pytest.fixture
def e2e_user(transactional_db):
    return make_user("reader@example.com")


@pytest.fixture
def e2e_staff(transactional_db):
    return make_user("editor@example.com", is_staff=True, is_superuser=True)


def sign_in(page, email: str, password: str = PASSWORD, next_path: str = "/") -> None:
    page.goto(f"/accounts/login/?next={next_path}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def sign_up(page, email: str, password: str = PASSWORD) -> None:
    """Fill and send allauth's sign-up form (SPEC 11 field names)."""
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("form.stacked-form button[type=submit]")


def serious_violations(page, context: str | None = None) -> list[str]:
    """axe-core's serious and critical findings on the page (or one part of it), each with
    the first few elements it points at, ready for an assertion message."""
    results = Axe().run(page, context=context) if context else Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
