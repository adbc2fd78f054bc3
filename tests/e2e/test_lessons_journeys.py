"""Journeys of the lessons issue: staff publish a lesson; the Korean interface."""

from lessons.models import Lesson, Status
from tests.e2e.conftest import sign_in


def test_staff_write_a_draft_preview_it_publish_it_and_it_appears_in_the_quest(new_context, demo_content, e2e_staff):
    context = new_context()
    page = context.new_page()
    sign_in(page, e2e_staff.email, next_path="/admin/")
    page.goto("/admin/lessons/lesson/add/")
    page.select_option("select[name=quest]", label=demo_content.quest.title)
    page.fill("input[name=position]", "11")
    page.fill("input[name=title]", "Scaling laws")
    page.locator("input[name=title]").blur()
    assert page.input_value("input[name=slug]") == "scaling-laws"  # prepopulated from the title
    page.fill("textarea[name=body]", '## Why bigger works\n\n```python title="Power law"\nloss = a * n ** -0.07\n```\n')
    page.fill("textarea[name=exercise]", "Plot it.")
    page.fill("input[name=minutes]", "9")
    assert page.input_value("select[name=status]") == Status.DRAFT

    with context.expect_page() as preview_info:
        page.click("button[name=_preview]")
    preview = preview_info.value
    preview.wait_for_load_state()
    assert preview.locator("h1").inner_text() == "Scaling laws"
    assert preview.locator(".code-title").inner_text() == "Power law"
    assert preview.locator(".code-lang").inner_text() == "python"
    preview.close()

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/lessons/lesson/")
    page.wait_for_selector("text=was added successfully")
    lesson = Lesson.objects.get(slug="scaling-laws")
    assert lesson.status == Status.DRAFT
    assert lesson.xp == 20

    anonymous = new_context().new_page()
    assert anonymous.goto(lesson.get_absolute_url()).status == 404
    anonymous.goto(demo_content.quest.get_absolute_url())
    assert anonymous.locator("text=Scaling laws").count() == 0

    page.check(f"input[name=_selected_action][value='{lesson.pk}']")
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    page.wait_for_selector("text=1 lesson published.")

    anonymous.goto(demo_content.quest.get_absolute_url())
    anonymous.click("text=Scaling laws")
    assert anonymous.locator("h1").inner_text() == "Scaling laws"
    assert "Lesson 11 of 11" in anonymous.locator(".lesson-header").inner_text()


def test_the_interface_is_korean_when_the_browser_asks_for_korean(new_context, demo_content):
    page = new_context(locale="ko-KR").new_page()
    page.goto(demo_content.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "ko"
    header = page.locator(".lesson-header").inner_text()
    assert "10개 중 04번째 레슨" in header
    assert "로그인" in page.locator(".site-header").inner_text()
    assert page.locator("#exercise-heading").inner_text() == "연습 문제"

    english = new_context(locale="en-US").new_page()
    english.goto(demo_content.get_absolute_url())
    assert "Lesson 04 of 10" in english.locator(".lesson-header").inner_text()
    assert english.locator("#exercise-heading").inner_text() == "Exercise"


def test_the_language_switcher_changes_the_interface(page, demo_content):
    page.goto("/")
    page.select_option("#lang-select", "ko")
    page.wait_for_load_state()
    page.wait_for_function("() => document.documentElement.lang === 'ko'")
    assert "퀘스트" in page.locator("h1").inner_text()
