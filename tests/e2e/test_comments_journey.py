"""Journeys of the comments issue: two learners hold a threaded conversation in place, each is told
of the other's replies (header bell, notifications page, email); the same without JavaScript; and
axe finds nothing serious in a busy thread."""

import re

import pytest
from django.core import mail

from comments.models import Comment, Notification
from tests.conftest import make_user
from tests.e2e.conftest import serious_violations, sign_in


@pytest.fixture
def second_user(transactional_db):
    return make_user("second@example.com")


def test_two_learners_talk_in_place_and_are_told_of_replies(new_context, demo_content, e2e_user, second_user):
    url = demo_content.get_absolute_url()
    first = new_context().new_page()
    sign_in(first, "reader@example.com", next_path=url)
    section = first.locator("[data-comments]")
    assert "No comments yet. Be the first." in section.inner_text()

    section.get_by_label("Your comment").fill("Why did *AlexNet* need **two** GPUs?")
    section.locator("[data-preview-button]").click()
    section.locator("[data-preview] em").wait_for()
    assert "<em>AlexNet</em>" in section.locator("[data-preview]").inner_html()
    section.get_by_role("button", name="Post comment").click()
    section.locator("li[data-comment]").wait_for()
    question = Comment.objects.get()
    assert section.locator("li[data-comment]").get_attribute("id") == f"comment-{question.pk}"
    assert first.url.endswith(url)  # never left the page
    assert section.locator("[data-comment-count]").inner_text() == "1"
    assert section.locator("[data-comments-empty]").is_hidden()
    assert section.get_by_label("Your comment").input_value() == ""

    second = new_context(width=360).new_page()
    sign_in(second, "second@example.com", next_path=url)
    second.locator(f"#comment-{question.pk} > article a[data-reply]").click()
    reply_box = second.locator(f"#comment-{question.pk} > form textarea")
    assert second.evaluate("document.activeElement.tagName") == "TEXTAREA"
    reply_box.fill("Memory: 3 GB per card was not enough.")
    second.locator(f"#comment-{question.pk} > form button[type=submit]").click()
    second.locator(f"#comment-{question.pk} > ol.comment-replies > li").wait_for()
    answer = Comment.objects.get(parent=question)
    assert second.locator(f"#comment-{question.pk} > ol.comment-replies > #comment-{answer.pk}").count() == 1

    # The first learner is told: one notification, one email with the link to the answer.
    assert Notification.objects.filter(recipient=e2e_user, comment=answer).count() == 1
    assert len(mail.outbox) == 1
    assert f"{url}#comment-{answer.pk}" in mail.outbox[0].body
    first.goto("/")
    assert first.locator(".nav-bell .bell-count").inner_text() == "1"
    first.locator(".nav-bell a").click()
    first.get_by_role("link", name=re.compile("replied to your comment")).click()
    first.wait_for_url(f"**{url}#comment-{answer.pk}")

    # …answers back, then fixes a typo in place.
    first.locator(f"#comment-{answer.pk} > article a[data-reply]").click()
    first.locator(f"#comment-{answer.pk} > form textarea").fill("Thanks, that makes sence.")
    first.locator(f"#comment-{answer.pk} > form button[type=submit]").click()
    first.locator(f"#comment-{answer.pk} > ol.comment-replies > li").wait_for()
    thanks = Comment.objects.get(parent=answer)
    item = first.locator(f"#comment-{thanks.pk}")
    item.locator("a[data-edit]").click()
    item.locator("form textarea").fill("Thanks, that makes sense.")
    item.locator("form button[type=submit]").click()
    item.get_by_text("(edited)").wait_for()
    assert "makes sense" in item.inner_text()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["second@example.com"]


def test_without_javascript_posting_and_replying_land_on_the_comment(browser, live_server, demo_content, e2e_user):
    nojs = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    plain = nojs.new_page()
    sign_in(plain, "reader@example.com", next_path=demo_content.get_absolute_url())
    plain.goto(demo_content.get_absolute_url())
    plain.locator("#comment-body-new").fill("Posted the old-fashioned way.")
    plain.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get()
    assert plain.url.endswith(f"#comment-{comment.pk}")
    assert "Your comment was posted." in plain.locator("#messages").inner_text()

    plain.locator(f"#comment-{comment.pk} > article a[data-reply]").click()
    plain.get_by_label("Your reply").fill("And a reply without script.")
    plain.get_by_role("button", name="Post reply").click()
    reply = Comment.objects.get(parent=comment)
    assert plain.url.endswith(f"#comment-{reply.pk}")
    assert plain.locator(f"#comment-{comment.pk} #comment-{reply.pk}").count() == 1
    nojs.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_busy_thread_has_no_serious_accessibility_problems(new_context, demo_content, e2e_user, second_user, dark):
    question = Comment.objects.create(lesson=demo_content, author=e2e_user, body="A *question* with `code`")
    answer = Comment.objects.create(lesson=demo_content, author=second_user, parent=question, body="> quoted\n\nAnswer")
    Comment.objects.create(lesson=demo_content, author=e2e_user, parent=answer, body="- a\n- list")
    page = new_context(width=360, dark=dark).new_page()
    sign_in(page, "reader@example.com", next_path=demo_content.get_absolute_url())
    page.locator(f"#comment-{answer.pk} > article a[data-reply]").click()  # an open reply form too
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    serious = serious_violations(page, context="#comments")
    assert not serious, serious


def test_a_flag_with_a_reason_reaches_staff_who_hide_it_and_its_author_is_told(
    new_context, demo_content, e2e_user, second_user, e2e_staff
):
    url = demo_content.get_absolute_url()
    spam = Comment.objects.create(lesson=demo_content, author=second_user, body="Buy *cheap* watches")
    reader = new_context().new_page()
    asked = []

    def give_reason(dialog) -> None:
        asked.append(dialog.type)
        dialog.accept("Spam: selling watches")

    reader.on("dialog", give_reason)
    sign_in(reader, "reader@example.com", next_path=url)
    before = reader.locator("[data-comment-count]").inner_text()
    reader.locator(f"#comment-{spam.pk} > article a[href$='/flag/']").click()
    reader.wait_for_function(f"() => document.querySelector('#comment-{spam.pk}').innerText.includes('Flagged')")
    assert asked == ["prompt"]
    assert reader.url.endswith(url)  # in place
    assert spam.flags.get().reason == "Spam: selling watches"

    staff = new_context().new_page()
    staff.on("dialog", lambda dialog: dialog.accept())
    sign_in(staff, e2e_staff.email, next_path="/admin/comments/flaggedcomment/")
    assert "Spam: selling watches" in staff.locator("#result_list").inner_text()
    staff.goto(url)
    staff.locator(f"#comment-{spam.pk} > article a[href$='/hide/']").click()
    staff.wait_for_function(f"() => document.querySelector('#comment-{spam.pk}').innerText.includes('Unhide')")
    assert staff.locator("[data-comment-count]").inner_text() == before  # staff still see it: still counted

    author = new_context(width=360).new_page()
    sign_in(author, "second@example.com", next_path=url)
    item = author.locator(f"#comment-{spam.pk}")
    assert item.get_by_role("note").inner_text() == "Hidden by a moderator; only you can see it."
    assert "cheap" in item.inner_text()
    reader.reload()
    assert reader.locator(f"#comment-{spam.pk}").count() == 0
    assert "cheap" not in reader.locator("[data-comments]").inner_text()
