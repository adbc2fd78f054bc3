"""Journeys of the progress issue: anonymous progress in localStorage, the merge on sign-up,
the sign-out that clears it, and the button and dashboard for a signed-in learner."""

import json
import re

import pytest

from progress.models import Completion, Profile
from tests.conftest import make_quest, make_user
from tests.e2e.conftest import serious_violations, sign_in, sign_up

STORE = "stream.progress"


@pytest.fixture
def progress_quest(transactional_db):
    return make_quest("journey", lessons=3)


def local_progress(page) -> dict | None:
    raw = page.evaluate(f"localStorage.getItem('{STORE}')")
    return None if raw is None else json.loads(raw)


def test_anonymous_progress_follows_the_learner_into_a_new_account_and_leaves_with_them(page, progress_quest):
    first, second, _third = progress_quest.lessons.order_by("position")
    for lesson in (first, second):
        page.goto(lesson.get_absolute_url())
        button = page.locator("[data-progress-button]")
        assert button.is_enabled()
        assert "Progress is local-only" in page.locator(".progress-section").inner_text()
        button.click()
        page.wait_for_selector("[data-lesson-done]:not([hidden])")
        assert button.inner_text() == "Undo"

    stored = local_progress(page)
    assert stored["version"] == 1
    assert set(stored["completed"]) == {first.key, second.key}
    standing = page.locator("[data-standing]").inner_text()
    assert "80 XP" in standing
    assert "2/3 lessons" in standing
    assert "40 XP to go" in standing
    # The percentage is the way to the next level (80 of 120 XP), written in place by progress.js.
    assert "66% of the way to level 1" in standing
    assert "% complete" not in standing
    assert "Achievements and streaks come with an account: sign up to earn them." in standing

    page.goto(progress_quest.get_absolute_url())
    assert page.locator(f"[data-lesson-key='{first.key}'] [data-done-mark]").is_visible()
    assert page.locator(f"[data-lesson-key='{second.key}'] [data-done-mark]").is_visible()

    sign_up(page, "newcomer@example.com")
    page.wait_for_selector("[data-toasts] .toast")
    assert "2 lessons from this device were added to your account" in page.locator("[data-toasts]").inner_text()
    page.wait_for_function(f"() => localStorage.getItem('{STORE}') === null")
    assert "2/3 lessons" in page.locator("[data-standing]").inner_text()
    assert "come with an account" not in page.locator("[data-standing]").inner_text()
    assert set(Completion.objects.filter(user__email="newcomer@example.com").values_list("lesson__key", flat=True)) == {
        first.key,
        second.key,
    }

    # Complete the third lesson as a learner: through the API, in place.
    page.goto(progress_quest.lessons.get(position=3).get_absolute_url())
    page.click("[data-progress-button]")
    page.wait_for_selector("[data-lesson-done]:not([hidden])")
    assert "3/3 lessons" in page.locator("[data-standing]").inner_text()
    assert "0% of the way to level 2" in page.locator("[data-standing]").inner_text()
    page.wait_for_function("() => document.querySelector('[data-toasts]').innerText.includes('Level up!')")
    toasts = page.locator("[data-toasts]").inner_text()
    # The announcement is words only: no emoji that a system without an emoji font draws as a box.
    assert "Achievement earned: Quest complete" in toasts
    assert not re.search("[\U0001f300-\U0001faff\u2600-\u27bf]", toasts)
    assert local_progress(page) is None

    # Something written to localStorage on a signed-in page (another tab, say) goes on sign-out.
    page.evaluate(f"localStorage.setItem('{STORE}', JSON.stringify({{version: 1, completed: {{x: 'y'}}}}))")
    page.click("[data-logout-form] button")
    page.wait_for_url("**/")
    assert local_progress(page) is None
    assert "0/3 lessons" in page.locator("[data-standing]").inner_text()


def test_the_allauth_sign_out_page_clears_the_local_copy_too(page, progress_quest, e2e_user):
    sign_in(page, e2e_user.email)
    page.evaluate(f"localStorage.setItem('{STORE}', JSON.stringify({{version: 1, completed: {{}}}}))")
    page.goto("/accounts/logout/")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/")
    assert local_progress(page) is None


def test_someone_elses_progress_is_never_merged_on_a_shared_computer(page, progress_quest, e2e_user):
    lesson = progress_quest.lessons.get(position=1)
    page.goto(lesson.get_absolute_url())
    page.click("[data-progress-button]")  # anonymous, in localStorage
    page.wait_for_selector("[data-lesson-done]:not([hidden])")
    sign_in(page, e2e_user.email)
    page.wait_for_selector("[data-toasts] .toast")
    page.click("[data-logout-form] button")
    page.wait_for_url("**/")

    make_user("next@example.com")
    sign_in(page, "next@example.com")
    page.wait_for_load_state("networkidle")
    assert "0/3 lessons" in page.locator("[data-standing]").inner_text()
    assert Completion.objects.filter(user=e2e_user).count() == 1
    assert not Completion.objects.filter(user__email="next@example.com").exists()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_dashboard_and_settings_are_accessible_at_360_px(new_context, progress_quest, e2e_user, dark):
    context = new_context(width=360, dark=dark)
    page = context.new_page()
    lesson = progress_quest.lessons.get(position=1)
    sign_in(page, e2e_user.email, next_path=lesson.get_absolute_url())
    page.click("[data-progress-button]")
    page.wait_for_selector("[data-lesson-done]:not([hidden])")
    assert serious_violations(page) == []
    for path in ("/dashboard/", "/settings/", "/"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        assert serious_violations(page) == [], path


def test_settings_pre_fill_the_time_zone_from_the_browser(browser, live_server, progress_quest, e2e_user):
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Seoul")
    try:
        page = context.new_page()
        sign_in(page, e2e_user.email, next_path="/settings/")
        assert page.input_value("select[name=time_zone]") == "Asia/Seoul"
        assert "browser" in page.locator("[data-time-zone-note]").inner_text()
        page.click("text=Save settings")
        page.wait_for_selector("text=Your settings were saved.")
        assert Profile.objects.get(user=e2e_user).time_zone == "Asia/Seoul"
    finally:
        context.close()


def test_finishing_a_quest_shows_it_complete_and_the_keyboard_focus_stays_on_the_button(page, progress_quest):
    next_quest = make_quest("after-journey", lessons=1, order=1)
    lessons = list(progress_quest.lessons.order_by("position"))
    for lesson in lessons:
        page.goto(lesson.get_absolute_url())
        button = page.locator("[data-progress-button]")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-lesson-done]:not([hidden])")
        assert page.evaluate("() => document.activeElement && document.activeElement.matches('[data-progress-button]')")
    assert page.locator(".pager-next").get_attribute("href") == next_quest.get_absolute_url()
    page.goto(progress_quest.get_absolute_url())
    box = page.locator(f"[data-quest-complete='{progress_quest.pk}']")
    box.wait_for(state="visible")
    assert "Quest complete" in box.inner_text()
    assert box.locator("a").get_attribute("href") == next_quest.get_absolute_url()
    assert "3 of 3 lessons done" in page.locator("[data-quest-progress-text]").inner_text()


def test_a_signed_in_learner_keeps_the_focus_on_the_progress_button(page, progress_quest, e2e_user):
    sign_in(page, e2e_user.email)
    page.goto(progress_quest.lessons.get(position=1).get_absolute_url())
    button = page.locator("[data-progress-button]")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-lesson-done]:not([hidden])")
    page.wait_for_function("() => !document.querySelector('[data-progress-button]').hasAttribute('aria-busy')")
    assert page.evaluate("() => document.activeElement && document.activeElement.matches('[data-progress-button]')")
