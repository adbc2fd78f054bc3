"""The main journeys of SPEC's browser-test issue, end to end on the demo content."""

import re

from django.core import mail

from comments.models import Comment
from progress.models import Completion
from tests.conftest import make_user
from tests.e2e.conftest import sign_in, sign_up

STORE = "stream.progress"


def complete(page, path: str) -> None:
    page.goto(path)
    page.click("[data-progress-button]")
    page.wait_for_selector("[data-lesson-done]:not([hidden])")


def test_anonymous_progress_then_sign_up_verify_sign_out_and_sign_in_elsewhere(new_context, demo_content):
    lesson5 = demo_content.quest.lessons.get(position=5)
    total = demo_content.__class__.objects.published().count()
    page = new_context().new_page()

    # 1. Anonymous: home, a quest, lesson 4; two lessons completed; a reload keeps them.
    page.goto("/")
    page.click(f"text={demo_content.quest.title}")
    page.click("text=History Arc")
    assert page.locator("h1").inner_text() == "History Arc"
    complete(page, demo_content.get_absolute_url())
    complete(page, lesson5.get_absolute_url())
    expected_xp = demo_content.xp + lesson5.xp
    standing = page.locator("[data-standing]").inner_text()
    assert f"{expected_xp} XP" in standing
    assert "Level 0" in standing
    assert f"2/{total} lessons" in standing
    page.reload()
    assert f"2/{total} lessons" in page.locator("[data-standing]").inner_text()

    # 2. Sign up: the account takes both lessons and the page says so.
    sign_up(page, "learner2@example.com")
    page.wait_for_selector("[data-toasts] .toast")
    assert "2 lessons from this device were added to your account" in page.locator("[data-toasts]").inner_text()
    assert Completion.objects.filter(user__email="learner2@example.com").count() == 2

    # …verifies the email with the link from the outbox…
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.click("form.stacked-form button[type=submit]")
    page.goto("/accounts/email/")
    assert "Verified" in page.locator("main").inner_text()

    # …signs out: the browser keeps nothing…
    page.goto("/")
    page.click("[data-logout-form] button")
    page.wait_for_url("**/")
    assert page.evaluate(f"localStorage.getItem('{STORE}')") is None
    assert f"0/{total} lessons" in page.locator("[data-standing]").inner_text()

    # …and signs in on another browser: the progress is there.
    elsewhere = new_context(width=360).new_page()
    sign_in(elsewhere, "learner2@example.com", next_path=demo_content.get_absolute_url())
    assert f"2/{total} lessons" in elsewhere.locator("[data-standing]").inner_text()
    assert elsewhere.locator("[data-lesson-done]").is_visible()


def test_edit_delete_with_replies_and_staff_hide_a_flagged_comment(new_context, demo_content, e2e_user, e2e_staff):
    url = demo_content.get_absolute_url()
    make_user("bee@example.com")
    author = new_context().new_page()
    author.on("dialog", lambda dialog: dialog.accept())
    sign_in(author, e2e_user.email, next_path=url)
    author.get_by_label("Your comment").fill("First thoughts, with a typo: AlexNett.")
    author.get_by_role("button", name="Post comment").click()
    author.locator("li[data-comment]").wait_for()
    question = Comment.objects.get()

    # Edited within 15 minutes: marked as edited.
    item = author.locator(f"#comment-{question.pk}")
    item.locator("a[data-edit]").first.click()
    item.locator("form textarea").fill("First thoughts: AlexNet.")
    item.locator("form button[type=submit]").click()
    item.get_by_text("(edited)").wait_for()

    # Someone replies; then the author deletes the question: "[deleted]" holds the thread.
    bee = new_context().new_page()
    bee.on("dialog", lambda dialog: dialog.accept())
    sign_in(bee, "bee@example.com", next_path=url)
    bee.locator(f"#comment-{question.pk} > article a[data-reply]").click()
    bee.locator(f"#comment-{question.pk} > form textarea").fill("A reply that keeps the thread.")
    bee.locator(f"#comment-{question.pk} > form button[type=submit]").click()
    bee.locator(f"#comment-{question.pk} ol.comment-replies > li").wait_for()
    reply = Comment.objects.get(parent=question)

    author.reload()
    author.locator(f"#comment-{question.pk} > article a[href$='/delete/']").click()
    author.wait_for_function(f"() => document.querySelector('#comment-{question.pk}').innerText.includes('[deleted]')")
    author.reload()
    thread = author.locator(f"#comment-{question.pk}")
    assert "[deleted]" in thread.inner_text()
    assert "AlexNet" not in thread.locator("> article").inner_text()
    assert thread.locator(f"#comment-{reply.pk}").is_visible()

    # The author flags the reply; staff hide it; readers no longer see it.
    author.locator(f"#comment-{reply.pk} > article a[href$='/flag/']").click()
    author.wait_for_function(f"() => document.querySelector('#comment-{reply.pk}').innerText.includes('Flagged')")
    staff = new_context().new_page()
    staff.on("dialog", lambda dialog: dialog.accept())
    sign_in(staff, e2e_staff.email, next_path="/admin/comments/flaggedcomment/")
    assert "A reply that keeps the thread." in staff.locator("#result_list").inner_text()
    staff.goto(url)
    staff.locator(f"#comment-{reply.pk} > article a[href$='/hide/']").click()
    staff.wait_for_function(f"() => document.querySelector('#comment-{reply.pk}').innerText.includes('Unhide')")
    reader = new_context().new_page()
    reader.goto(url)
    assert "A reply that keeps the thread." not in reader.locator("[data-comments]").inner_text()


def test_keyboard_only_completes_a_lesson_and_posts_a_comment(new_context, demo_content, e2e_user):
    page = new_context().new_page()
    sign_in(page, e2e_user.email, next_path=demo_content.get_absolute_url())

    def tab_to(selector: str, limit: int = 400) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("[data-progress-button]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-lesson-done]:not([hidden])")
    assert Completion.objects.filter(user=e2e_user, lesson=demo_content).exists()

    tab_to("[data-comments] textarea")
    page.keyboard.type("Typed without a mouse.")
    tab_to("[data-comments] [data-comment-form] button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("li[data-comment]").wait_for()
    assert Comment.objects.get().body == "Typed without a mouse."
