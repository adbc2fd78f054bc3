"""Every main page: axe-core finds no serious or critical violations in light and dark themes,
nothing scrolls sideways at 360 px, and screenshots are written for people to look at."""

import pytest

from tests.e2e.conftest import SCREENSHOTS, serious_violations, sign_in

ANONYMOUS_PAGES = {
    "home": "/",
    "quest": "/quests/deep-learning-history/",
    "lesson": "/quests/deep-learning-history/history-arc/",
    "tag": "/tags/history/",
    "sign-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "not-found": "/quests/no-such-quest/",
    "report": "/report/?lesson=dl-history-arc&page=/quests/deep-learning-history/history-arc/",
}
SIGNED_IN_PAGES = {
    "lesson-signed-in": "/quests/deep-learning-history/history-arc/",
    "dashboard": "/dashboard/",
    "settings": "/settings/",
    "notifications": "/notifications/",
    "email": "/accounts/email/",
}


def check_page(context, path: str, name: str) -> None:
    page = context.new_page()
    response = page.goto(path)
    assert response is not None
    assert response.status < 500, f"{name}: {response.status}"
    width = page.viewport_size["width"]
    theme = "dark" if page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") else "light"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{theme}.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
    serious = serious_violations(page)
    assert not serious, f"{name} at {width}px {theme}: {serious}"
    page.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_anonymous_pages(new_context, demo_content, width, dark):
    context = new_context(width=width, dark=dark)
    for name, path in ANONYMOUS_PAGES.items():
        check_page(context, path, name)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_signed_in_pages(new_context, demo_content, e2e_user, width, dark):
    context = new_context(width=width, dark=dark)
    sign_in(context.new_page(), e2e_user.email)
    for name, path in SIGNED_IN_PAGES.items():
        check_page(context, path, name)
