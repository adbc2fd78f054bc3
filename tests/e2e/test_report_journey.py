"""Journeys of the reports issue: report a problem in place on a lesson page, and without JavaScript."""

import json

from django.core import mail

from lessons.forms import MIN_SECONDS_TO_SUBMIT
from lessons.models import Report
from tests.e2e.conftest import sign_in

WAIT_MS = (MIN_SECONDS_TO_SUBMIT + 0.5) * 1000


def test_anonymous_learner_reports_a_typo_in_place_with_the_context_captured(new_context, demo_content):
    page = new_context(width=360).new_page()
    page.goto(demo_content.get_absolute_url())
    local = {"version": 1, "completed": {demo_content.key: "2025-01-02T03:04:05Z"}}
    page.evaluate(f"localStorage.setItem('stream.progress', {json.dumps(json.dumps(local))})")
    page.reload()

    link = page.locator("[data-report-open]")
    link.click()
    panel = page.locator("[data-report-panel]")
    panel.locator("form").wait_for()
    assert link.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "report-heading"
    assert panel.locator("[data-report-completed-label]").inner_text() == "yes"
    assert demo_content.title in panel.inner_text()

    panel.get_by_label("Typo or content error").check()
    panel.get_by_label("What happened?").fill("The year of AlexNet should be 2012.")
    panel.locator("button[type=submit]").click()  # at once: too fast for a person
    panel.locator("[data-report-errors]").wait_for()
    assert "faster than a person types" in panel.inner_text()
    assert panel.get_by_label("What happened?").input_value() == "The year of AlexNet should be 2012."
    assert not Report.objects.exists()

    page.wait_for_timeout(WAIT_MS)
    panel.locator("button[type=submit]").click()
    panel.locator("[data-report-thanks]").wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-report-thanks')")
    assert page.url.endswith(demo_content.get_absolute_url())  # never left the lesson

    report = Report.objects.get()
    assert report.kind == Report.Kind.TYPO
    assert report.lesson == demo_content
    assert report.lesson_updated_at == demo_content.updated_at
    assert report.lesson_completed is True
    assert report.page_url == demo_content.get_absolute_url()
    assert "Chrome" in report.user_agent
    assert report.user is None
    assert len(mail.outbox) == 1

    panel.locator("[data-report-close]").click()
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-report-open')")


def test_signed_in_learner_reports_with_their_account(new_context, demo_content, e2e_user):
    page = new_context().new_page()
    sign_in(page, e2e_user.email, next_path=demo_content.get_absolute_url())
    page.locator("[data-report-open]").click()
    panel = page.locator("[data-report-panel]")
    panel.locator("form").wait_for()
    assert panel.locator("input[name=email]").count() == 0
    assert e2e_user.email in panel.inner_text()
    panel.get_by_label("What happened?").fill("The copy button does nothing on my phone.")
    page.wait_for_timeout(WAIT_MS)
    panel.locator("button[type=submit]").click()
    panel.locator("[data-report-thanks]").wait_for()
    assert Report.objects.get().user == e2e_user


def test_without_javascript_the_report_is_its_own_page_and_returns_to_the_lesson(browser, live_server, demo_content):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(demo_content.get_absolute_url())
        page.click("[data-report-open]")
        page.wait_for_url("**/report/?**")
        page.get_by_label("Suggestion").check()
        page.get_by_label("What happened?").fill("A diagram of the timeline would help.")
        page.get_by_label("Your email (optional)").fill("reader@example.com")
        page.wait_for_timeout(WAIT_MS)
        page.click(".report-form button[type=submit]")
        page.wait_for_url(f"**{demo_content.get_absolute_url()}")
        assert "Thank you! Your report was sent to our staff." in page.locator("#messages").inner_text()
        report = Report.objects.get()
        assert (report.kind, report.email, report.lesson) == (
            Report.Kind.SUGGESTION,
            "reader@example.com",
            demo_content,
        )
        assert report.lesson_completed is None  # nothing could tell without JavaScript
    finally:
        context.close()
