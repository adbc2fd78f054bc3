"""Nothing typed is lost (SPEC 10): comment, reply and report drafts stay in the browser until they
are posted, across reloads, failed posts, an expired session and a sign-in round trip; a post that
succeeds, and signing out, clear them."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session

from comments.models import Comment
from lessons.forms import MIN_SECONDS_TO_SUBMIT
from lessons.models import Report
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import sign_in

STORE = "stream.drafts"
WAIT_MS = (MIN_SECONDS_TO_SUBMIT + 0.5) * 1000


def drafts(page) -> dict:
    return json.loads(page.evaluate(f"() => localStorage.getItem('{STORE}')") or "{}")


def saved(page, name: str, text: str) -> None:
    """Wait until the draft `name` holds `text` in localStorage (saving is debounced)."""
    page.wait_for_function(
        "([store, name, text]) => (JSON.parse(localStorage.getItem(store) || '{}')[name] || {}).text === text",
        arg=[STORE, name, text],
    )


def log_in_on_the_page(page, email: str) -> None:
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")


@pytest.fixture
def second_user(transactional_db):
    return make_user("second@example.com")


def test_a_comment_draft_survives_a_reload_and_a_failed_post_and_goes_once_posted(page, demo_content, e2e_user):
    url = demo_content.get_absolute_url()
    name = f"comment:{demo_content.pk}:new"
    sign_in(page, e2e_user.email, next_path=url)
    box = page.locator("#comment-body-new")
    assert box.get_attribute("data-draft") == name

    box.fill("Why did AlexNet need two GPUs?")
    page.reload()
    assert box.input_value() == "Why did AlexNet need two GPUs?"

    # The network fails: the text stays in the form and in storage, and is back after a reload.
    page.route("**/comments/lesson/*/", lambda route: route.abort())
    box.fill("Why did AlexNet need two GPUs? Memory?")
    page.get_by_role("button", name="Post comment").click()
    page.locator("[data-form-errors] .field-error").wait_for()
    assert "Your text is kept" in page.locator("[data-form-errors]").inner_text()
    assert box.input_value() == "Why did AlexNet need two GPUs? Memory?"
    assert drafts(page)[name]["text"] == "Why did AlexNet need two GPUs? Memory?"
    assert not Comment.objects.exists()
    page.unroute("**/comments/lesson/*/")
    page.reload()
    assert box.input_value() == "Why did AlexNet need two GPUs? Memory?"

    page.get_by_role("button", name="Post comment").click()
    page.locator("li[data-comment]").wait_for()
    assert Comment.objects.get().body == "Why did AlexNet need two GPUs? Memory?"
    assert name not in drafts(page)
    page.reload()
    assert box.input_value() == ""


def test_reply_drafts_are_kept_per_parent(page, demo_content, e2e_user, second_user):
    first = Comment.objects.create(lesson=demo_content, author=second_user, body="First question.")
    second = Comment.objects.create(lesson=demo_content, author=second_user, body="Second question.")
    sign_in(page, e2e_user.email, next_path=demo_content.get_absolute_url())

    def reply_box(parent):
        page.locator(f"#comment-{parent.pk} > article a[data-reply]").click()
        return page.locator(f"#comment-{parent.pk} > form textarea")

    reply_box(first).fill("An answer to the first.")
    reply_box(second).fill("An answer to the second.")
    saved(page, f"reply:{second.pk}", "An answer to the second.")
    page.reload()
    assert reply_box(first).input_value() == "An answer to the first."
    assert reply_box(second).input_value() == "An answer to the second."

    page.locator(f"#comment-{first.pk} > form button[type=submit]").click()
    page.locator(f"#comment-{first.pk} > ol.comment-replies > li").wait_for()
    assert Comment.objects.get(parent=first).body == "An answer to the first."
    assert f"reply:{first.pk}" not in drafts(page)
    assert drafts(page)[f"reply:{second.pk}"]["text"] == "An answer to the second."


def test_an_edit_draft_survives_a_failed_save(page, demo_content, e2e_user):
    comment = Comment.objects.create(lesson=demo_content, author=e2e_user, body="Thanks, that makes sence.")
    sign_in(page, e2e_user.email, next_path=demo_content.get_absolute_url())
    item = page.locator(f"#comment-{comment.pk}")
    item.locator("a[data-edit]").click()
    item.locator("form textarea").fill("Thanks, that makes sense.")
    page.route(f"**/comments/{comment.pk}/edit/", lambda route: route.abort())
    item.locator("form button[type=submit]").click()
    item.locator("form [data-form-errors] .field-error").wait_for()
    page.unroute(f"**/comments/{comment.pk}/edit/")
    page.reload()
    item.locator("a[data-edit]").click()
    assert item.locator("form textarea").input_value() == "Thanks, that makes sense."


def test_after_the_session_expires_the_draft_waits_through_signing_in_again(page, demo_content, e2e_user):
    url = demo_content.get_absolute_url()
    sign_in(page, e2e_user.email, next_path=url)
    box = page.locator("#comment-body-new")
    box.fill("Typed before the session ran out.")
    Session.objects.all().delete()

    page.get_by_role("button", name="Post comment").click()
    errors = page.locator("[data-form-errors]")
    errors.get_by_role("link", name="Sign in").wait_for()
    assert "Please sign in first." in errors.inner_text()
    assert box.input_value() == "Typed before the session ran out."
    assert not Comment.objects.exists()

    errors.get_by_role("link", name="Sign in").click()
    page.wait_for_url("**/accounts/login/**")
    log_in_on_the_page(page, e2e_user.email)
    page.wait_for_url(re.compile(re.escape(url) + "#comments$"))
    assert box.input_value() == "Typed before the session ran out."
    page.get_by_role("button", name="Post comment").click()
    page.locator("li[data-comment]").wait_for()
    assert Comment.objects.get().body == "Typed before the session ran out."


def test_a_visitor_signs_in_from_the_comments_and_their_report_draft_waits(page, demo_content, e2e_user):
    url = demo_content.get_absolute_url()
    page.goto(url)
    login = page.get_by_role("link", name="Log in")
    assert parse_qs(urlsplit(login.get_attribute("href")).query)["next"] == [f"{url}#comments"]

    # A visitor can't comment, but can report: that draft survives a reload.
    page.click("[data-report-open]")
    panel = page.locator("[data-report-panel]")
    panel.get_by_label("What happened?").fill("The year of AlexNet should be 2012.")
    panel.get_by_label("Your email (optional)").fill("visitor@example.com")
    page.reload()
    page.click("[data-report-open]")
    panel.locator("form").wait_for()
    assert panel.get_by_label("What happened?").input_value() == "The year of AlexNet should be 2012."
    assert panel.get_by_label("Your email (optional)").input_value() == "visitor@example.com"

    login.click()
    log_in_on_the_page(page, e2e_user.email)
    page.wait_for_url(re.compile(re.escape(url) + "#comments$"))
    assert page.locator("#comment-body-new").is_visible()
    page.click("[data-report-open]")
    panel.locator("form").wait_for()
    assert panel.get_by_label("What happened?").input_value() == "The year of AlexNet should be 2012."


def test_a_report_draft_goes_once_sent_in_place_or_from_its_own_page(page, demo_content):
    url = demo_content.get_absolute_url()
    page.goto(url)
    page.click("[data-report-open]")
    panel = page.locator("[data-report-panel]")
    panel.get_by_label("What happened?").fill("A typo in the second paragraph.")
    saved(page, f"report:{url}", "A typo in the second paragraph.")
    page.wait_for_timeout(WAIT_MS)
    panel.locator("button[type=submit]").click()
    panel.locator("[data-report-thanks]").wait_for()
    assert f"report:{url}" not in drafts(page)

    # The report page sends a plain form; the page it returns to says which drafts were used up.
    page.goto(f"/report/?lesson={demo_content.key}&page={url}")
    page.get_by_label("What happened?").fill("Another typo, further down.")
    page.get_by_label("Your email (optional)").fill("visitor@example.com")
    saved(page, f"report-email:{url}", "visitor@example.com")
    page.wait_for_timeout(WAIT_MS)
    page.click(".report-form button[type=submit]")
    page.wait_for_url(f"**{url}")
    assert "Thank you!" in page.locator("#messages").inner_text()
    assert drafts(page) == {}
    assert Report.objects.count() == 2


def test_signing_out_clears_every_draft(page, demo_content, e2e_user):
    sign_in(page, e2e_user.email, next_path=demo_content.get_absolute_url())
    page.locator("#comment-body-new").fill("Private thoughts.")
    saved(page, f"comment:{demo_content.pk}:new", "Private thoughts.")
    page.click("[data-logout-form] button")
    page.wait_for_url("**/")
    assert drafts(page) == {}
    sign_in(page, e2e_user.email, next_path=demo_content.get_absolute_url())
    assert page.locator("#comment-body-new").input_value() == ""
