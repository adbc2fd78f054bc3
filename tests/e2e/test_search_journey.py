"""Search journeys: the header box, from the keyboard, in both languages, at 360 px and desktop."""

import pytest

from tests.e2e.conftest import SCREENSHOTS, serious_violations


def test_type_in_the_header_box_press_enter_and_see_highlighted_results(page, demo_content):
    page.goto(demo_content.get_absolute_url())
    page.fill("header [role=search] input[name=q]", "ResNet")
    page.press("header [role=search] input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=ResNet")
    first = page.locator(".search-result").first
    assert first.locator("h2 a").inner_text().startswith("ResNet")
    assert first.locator(".search-snippet mark").first.inner_text().lower() == "resnet"
    assert "Lesson 07 of 10" in first.inner_text()
    assert page.input_value("header [role=search] input[name=q]") == "ResNet"
    first.locator("h2 a").click()
    assert page.locator("h1").inner_text() == "ResNet"


def test_slash_focuses_the_search_box_but_not_while_typing(page, demo_content):
    page.goto("/")
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "site-search"
    page.keyboard.type("역사를")  # the slash itself was not typed into the box
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    assert page.locator(".search-result h2 a").first.inner_text() == "History Arc"
    assert page.locator(".search-snippet mark").first.inner_text() == "역사"
    page.keyboard.type("a/b")  # typed into no field: the slash jumps to the box, then "b" goes there
    assert page.evaluate("() => document.activeElement.id") == "site-search"
    page.fill("header [role=search] input[name=q]", "")
    page.keyboard.type("1/2")
    assert page.input_value("header [role=search] input[name=q]") == "1/2"  # typing in the box types a slash


def test_lessons_completed_on_this_device_are_marked_in_the_results(page, demo_content):
    page.goto(demo_content.get_absolute_url())
    page.click("[data-progress-button]")  # anonymous: kept in localStorage
    page.wait_for_function("() => localStorage.getItem('stream.progress') !== null")
    page.goto("/search/?q=history")
    row = page.locator(f".search-result[data-lesson-key='{demo_content.key}']")
    assert row.locator("[data-done-mark]").is_visible()
    others = page.locator(f".search-result:not([data-lesson-key='{demo_content.key}']) [data-done-mark]")
    assert others.count() > 0
    assert not any(others.nth(index).is_visible() for index in range(others.count()))


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_search_pages_fit_and_pass_axe(new_context, demo_content, width, dark):
    context = new_context(width=width, dark=dark, locale="ko-KR" if dark else "en-US")
    page = context.new_page()
    theme = "dark" if dark else "light"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in {
        "search": "/search/?q=딥러닝",
        "search-empty": "/search/",
        "search-none": "/search/?q=zebra",
    }.items():
        page.goto(path)
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{theme}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        box = page.locator("#site-search").bounding_box()
        assert box is not None
        assert box["width"] >= 120, f"the search box is too narrow at {width}px: {box}"
        serious = serious_violations(page)
        assert not serious, f"{name} at {width}px {theme}: {serious}"
    if dark:
        assert page.locator("#site-search").get_attribute("placeholder") == "레슨 검색"
