"""Offline quests (issue 15, SPEC 12) in Chromium with Playwright's offline mode: save a quest,
read and complete it without a connection, come back online and see the completions merged,
saved copies refreshed and unpublished lessons gone; the offline page and the forms' notes."""

import json
import time

import pytest

from comments.models import Comment
from lessons.models import Status
from progress.models import Completion
from tests.conftest import make_quest
from tests.e2e.conftest import SCREENSHOTS, serious_violations, sign_in

STORE = "stream.progress"


@pytest.fixture
def offline_quest(transactional_db, live_server):
    """Three lessons; the first shows an image from the site and one from elsewhere."""
    quest = make_quest("offline", lessons=3)
    first = quest.lessons.get(position=1)
    first.body += (
        f"\n\n![Stream's icon]({live_server.url}/static/icons/icon-192.png)\n\n"
        "![A remote picture](https://images.example.com/picture.png)\n"
    )
    first.save()
    return quest


def lessons_of(quest):
    return list(quest.lessons.order_by("position"))


def worker_ready(page) -> None:
    """Wait until the service worker is active and controls the page."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def go_offline(context) -> None:
    context.set_offline(True)


def save_quest(page, quest, total: int) -> list[str]:
    """Press "Save for offline" on the quest page; the status lines shown while saving."""
    page.goto(quest.get_absolute_url())
    worker_ready(page)
    box = page.locator("[data-offline-save]")
    box.wait_for(state="visible")
    page.evaluate(
        """() => {
          window.offlineLines = [];
          const status = document.querySelector('[data-offline-status]');
          new MutationObserver(() => window.offlineLines.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.click("[data-offline-action=save]")
    page.wait_for_function(
        f"() => document.querySelector('[data-offline-status]').textContent.includes('{total}/{total} lessons')"
    )
    return page.evaluate("() => window.offlineLines")


def stored_text(page, path: str) -> str | None:
    return page.evaluate(
        """async (path) => {
          const copy = await caches.match(new URL(path, location.origin).href, {ignoreVary: true});
          return copy ? copy.text() : null;
        }""",
        path,
    )


def test_a_saved_quest_is_read_and_completed_offline_and_merged_when_back_online(new_context, offline_quest, e2e_user):
    lessons = lessons_of(offline_quest)
    context = new_context()
    page = context.new_page()
    sign_in(page, e2e_user.email, next_path=offline_quest.get_absolute_url())

    lines = save_quest(page, offline_quest, total=3)
    assert "1 of 3 lessons saved" in lines
    assert "3 of 3 lessons saved" in lines
    status = page.locator("[data-offline-status]").inner_text()
    assert "Saved on this device: 3/3 lessons" in status
    assert "MB" in status
    assert "Images from other sites are not saved (1)" in status
    assert page.locator("[data-offline-action=remove]").is_visible()
    assert page.locator("[data-offline-bar]").is_hidden()
    # What was stored is the public page, never this learner's.
    for lesson in lessons:
        copy = stored_text(page, lesson.get_absolute_url())
        assert copy is not None
        assert lesson.title in copy
        assert "Sign out" not in copy
        assert e2e_user.email not in copy
        assert '"signed_in": true' not in copy

    go_offline(context)
    for lesson in lessons:
        page.goto(lesson.get_absolute_url())
        assert page.locator("h1").inner_text() == lesson.title
        banner = page.locator("[data-offline-banner]")
        assert banner.is_visible()
        assert "copy saved on this device on" in banner.inner_text()
    page.goto(lessons[0].get_absolute_url())
    assert page.evaluate("() => document.querySelector('.prose img[src*=\"/static/icons/\"]').naturalWidth") == 192
    for lesson in lessons[:2]:
        page.goto(lesson.get_absolute_url())
        page.click("[data-progress-button]")
        page.wait_for_selector("[data-lesson-done]:not([hidden])")
    stored = json.loads(page.evaluate(f"() => localStorage.getItem('{STORE}')"))
    assert set(stored["completed"]) == {lessons[0].key, lessons[1].key}

    # A page that is not saved: the offline page, listing what is.
    page.goto("/tags/")
    assert page.locator("h1").inner_text() == "You're offline"
    listed = page.locator("[data-offline-list] a").all_inner_texts()
    assert len(listed) == 3
    assert all(any(lesson.title in text for text in listed) for lesson in lessons)
    assert page.locator("[data-offline-empty]").is_hidden()

    context.set_offline(False)
    page.goto(offline_quest.get_absolute_url())
    page.wait_for_selector("[data-toasts] .toast")
    assert "2 lessons from this device were added to your account" in page.locator("[data-toasts]").inner_text()
    assert set(Completion.objects.filter(user=e2e_user).values_list("lesson__key", flat=True)) == {
        lessons[0].key,
        lessons[1].key,
    }
    page.wait_for_function(f"() => localStorage.getItem('{STORE}') === null")


def test_saved_copies_follow_the_server_changed_lessons_refresh_and_unpublished_ones_leave(page, offline_quest):
    first, second, third = lessons_of(offline_quest)
    save_quest(page, offline_quest, total=3)
    old_title = second.title

    second.title = "Attention, rewritten"
    second.body = "## New text\n\nThe lesson was rewritten."
    second.save()
    third.status = Status.DRAFT
    third.save()

    page.goto(offline_quest.get_absolute_url())  # opening the quest online brings its copies up to date
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        copy = stored_text(page, second.get_absolute_url()) or ""
        if "Attention, rewritten" in copy and stored_text(page, third.get_absolute_url()) is None:
            break
        time.sleep(0.2)
    assert "The lesson was rewritten." in copy
    assert old_title not in page.locator("h1").inner_text()
    page.wait_for_function("() => document.querySelector('[data-offline-status]').textContent.includes('2/2 lessons')")

    go_offline(page.context)
    page.goto(second.get_absolute_url())
    assert page.locator("h1").inner_text() == "Attention, rewritten"
    page.goto(third.get_absolute_url())
    assert page.locator("h1").inner_text() == "You're offline"
    assert len(page.locator("[data-offline-list] li").all()) == 2
    page.goto(first.get_absolute_url())
    assert page.locator("h1").inner_text() == first.title

    # "Remove offline copy" undoes it all.
    page.context.set_offline(False)
    page.goto(offline_quest.get_absolute_url())
    page.click("[data-offline-action=remove]")
    page.wait_for_function(
        "() => document.querySelector('[data-offline-status]').textContent.includes('Not saved on this device')"
    )
    assert page.locator("[data-offline-action=save]").is_visible()
    assert stored_text(page, first.get_absolute_url()) is None


def test_a_lesson_opened_online_is_kept_for_reading_offline(page, offline_quest):
    first, second, _third = lessons_of(offline_quest)
    page.goto("/")
    worker_ready(page)
    page.goto(first.get_absolute_url())
    # Playwright does not await an async predicate (a Promise is truthy): poll the cache from here.
    for _ in range(100):
        if stored_text(page, first.get_absolute_url()) is not None:
            break
        page.wait_for_timeout(100)
    assert stored_text(page, first.get_absolute_url()) is not None, "the opened lesson was never kept"
    go_offline(page.context)
    page.goto(first.get_absolute_url())
    assert page.locator("h1").inner_text() == first.title
    assert page.locator("[data-offline-banner]").is_visible()
    page.goto(second.get_absolute_url())
    assert page.locator("h1").inner_text() == "You're offline"
    assert page.locator("[data-offline-list] a").all_inner_texts() == [f"{first.title} · {offline_quest.title}"]


def test_offline_forms_keep_the_text_and_completions_wait_for_the_connection(new_context, offline_quest, e2e_user):
    first, _second, _third = lessons_of(offline_quest)
    context = new_context()
    page = context.new_page()
    sign_in(page, e2e_user.email, next_path=first.get_absolute_url())
    worker_ready(page)

    go_offline(context)
    page.fill("#comment-body-new", "Typed on the train")
    note = page.locator("[data-comment-form] [data-offline-note]")
    assert note.is_visible()
    assert "send it when you're back online" in note.inner_text()
    page.click("[data-comment-form] button[type=submit]")
    assert page.input_value("#comment-body-new") == "Typed on the train"
    assert not Comment.objects.filter(lesson=first).exists()

    # Signed in, with the page already open: the completion is kept locally...
    page.click("[data-progress-button]")
    page.wait_for_selector("[data-lesson-done]:not([hidden])")
    assert "added to your account when you're back online" in page.locator("[data-toasts]").inner_text()
    assert first.key in json.loads(page.evaluate(f"() => localStorage.getItem('{STORE}')"))["completed"]

    # ... and sent by the sync when the connection returns.
    context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelector('[data-toasts]').innerText.includes('1 lesson from this device was added')"
    )
    assert note.is_hidden()
    assert list(Completion.objects.filter(user=e2e_user).values_list("lesson__key", flat=True)) == [first.key]


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_the_quest_page_with_the_save_box_passes_axe_and_fits(new_context, offline_quest, width, dark, locale):
    page = new_context(width=width, dark=dark, locale=locale).new_page()
    page.goto(offline_quest.get_absolute_url())
    worker_ready(page)
    page.click("[data-offline-action=save]")
    page.wait_for_selector("[data-offline-action=remove]:not([hidden])")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    theme = "dark" if dark else "light"
    page.screenshot(path=SCREENSHOTS / f"offline-quest-{locale[:2]}-{width}-{theme}.png", full_page=True)
    serious = serious_violations(page)
    assert not serious, serious
    if width == 360 and not dark:
        go_offline(page.context)
        page.goto(offline_quest.lessons.get(position=2).get_absolute_url())
        page.screenshot(path=SCREENSHOTS / f"offline-lesson-{locale[:2]}-{width}-{theme}.png")
        assert not serious_violations(page)
        page.goto("/tags/")
        page.screenshot(path=SCREENSHOTS / f"offline-page-{locale[:2]}-{width}-{theme}.png")
        assert not serious_violations(page)
