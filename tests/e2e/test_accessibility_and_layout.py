"""Every main page: axe-core finds no serious or critical violations in light and dark themes,
nothing scrolls sideways at 360 px, in English and Korean, and screenshots are written for
people to look at (`make screenshots`: screenshots/<page>-<language>-<width>-<theme>.png)."""

import pytest

from lessons.models import Lesson
from progress import services
from tests.e2e.conftest import SCREENSHOTS, serious_violations, sign_in

# Korean in the light theme only: the language changes the words' lengths, the theme their colours.
LOOKS = [("en", False), ("en", True), ("ko", False)]
LOOK_IDS = ["en-light", "en-dark", "ko-light"]

ANONYMOUS_PAGES = {
    "home": "/",
    "quest": "/quests/deep-learning-history/",
    "lesson": "/quests/deep-learning-history/history-arc/",
    "tags": "/tags/",
    "tag": "/tags/history/",
    "search": "/search/?q=transformer",
    "sign-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "not-found": "/quests/no-such-quest/",
    "report": "/report/?lesson=dl-history-arc&page=/quests/deep-learning-history/history-arc/",
}
SIGNED_IN_PAGES = {
    "lesson-signed-in": "/quests/deep-learning-history/history-arc/",
    "quest-complete": "/quests/deep-learning-history/",  # every lesson done: the completion box
    "dashboard": "/dashboard/",
    "settings": "/settings/",
    "notifications": "/notifications/",
    "email": "/accounts/email/",
}


def check_page(context, path: str, name: str, language: str) -> None:
    page = context.new_page()
    response = page.goto(path)
    assert response is not None
    assert response.status < 500, f"{name}: {response.status}"
    width = page.viewport_size["width"]
    theme = "dark" if page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") else "light"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{language}-{width}-{theme}.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
    serious = serious_violations(page)
    assert not serious, f"{name} at {width}px {theme} ({language}): {serious}"
    page.close()


@pytest.mark.parametrize(("language", "dark"), LOOKS, ids=LOOK_IDS)
@pytest.mark.parametrize("width", [360, 1280])
def test_anonymous_pages(new_context, demo_content, width, language, dark):
    context = new_context(width=width, dark=dark, locale=language)
    for name, path in ANONYMOUS_PAGES.items():
        check_page(context, path, name, language)


@pytest.mark.parametrize(("language", "dark"), LOOKS, ids=LOOK_IDS)
@pytest.mark.parametrize("width", [360, 1280])
def test_signed_in_pages(new_context, demo_content, e2e_user, width, language, dark):
    for lesson in Lesson.objects.published().filter(quest=demo_content.quest):
        services.lesson_complete(user=e2e_user, lesson=lesson)
    context = new_context(width=width, dark=dark, locale=language)
    sign_in(context.new_page(), e2e_user.email)
    for name, path in SIGNED_IN_PAGES.items():
        check_page(context, path, name, language)
