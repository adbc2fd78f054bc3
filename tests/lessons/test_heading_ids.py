"""Lesson headings never take the page's own ids, and the body and the exercise never share one.

A lesson with headings "Comments" and "Main" used to give them id="comments" and id="main", so the
redirect to #comments after posting a comment landed inside the lesson body (issue 12).
"""

from collections import Counter

import pytest

from comments.models import Comment
from lessons.markdown import EXERCISE_ID_PREFIX, PAGE_IDS, render_lesson
from lessons.models import ExternalLink
from tests.xss import Tags

PAGE_WORDS = ["Comments", "Main", "Content", "Progress", "Exercise", "Report", "Messages", "Links", "Top"]
HEADINGS = [*PAGE_WORDS, "Comments heading", "Exercise heading", "Report panel", "Comment 1", "정리", "Part one"]
BODY = "\n\n".join(f"## {heading}\n\ntext" for heading in HEADINGS)


def ids(markup: str) -> list[str]:
    return [attrs["id"] for _tag, attrs in Tags(markup).tags if "id" in attrs]


@pytest.fixture
def lesson_with_page_words(lessons, user):
    lesson = lessons[0]
    lesson.body = BODY
    lesson.exercise = BODY
    lesson.save()
    ExternalLink.objects.create(lesson=lesson, title="Paper", url="https://example.com/paper")
    Comment.objects.create(lesson=lesson, author=user, body="A comment, so the comment ids are on the page")
    return lesson


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_id_on_a_lesson_page_is_unique(client, user, lesson_with_page_words, signed_in):
    if signed_in:
        client.force_login(user)  # the comment form and its numbered ids
    page = client.get(lesson_with_page_words.get_absolute_url()).content.decode()
    counts = Counter(ids(page))
    assert {name for name, count in counts.items() if count > 1} == set()
    assert len([name for name in counts if name.startswith(EXERCISE_ID_PREFIX)]) >= len(HEADINGS)
    # The lesson's anchors and the page's own are disjoint, and the page keeps one of each of its own.
    lesson = lesson_with_page_words
    assert lesson.body_html in page
    assert lesson.exercise_html in page
    own = ids(page.replace(lesson.body_html, "").replace(lesson.exercise_html, ""))
    assert set(own).isdisjoint(ids(lesson.body_html) + ids(lesson.exercise_html))
    assert {"main", "comments", "exercise-heading", "links-heading"} <= set(own)


def test_headings_named_like_the_page_get_a_section_prefix():
    rendered = render_lesson("## Comments\n\n## Main\n\n## Comment 5\n\n## Ordinary")
    assert ids(rendered.html) == ["section-comments", "section-main", "section-comment-5", "ordinary"]
    assert 'href="#section-comments"' in rendered.html


def test_body_and_exercise_anchors_live_in_separate_namespaces():
    body = ids(render_lesson(BODY).html)
    exercise = ids(render_lesson(BODY, id_prefix=EXERCISE_ID_PREFIX).html)
    assert set(body).isdisjoint(exercise)
    assert all(anchor.startswith(EXERCISE_ID_PREFIX) for anchor in exercise)
    assert not any(anchor.startswith(EXERCISE_ID_PREFIX) for anchor in body)
    assert set(body + exercise).isdisjoint(PAGE_IDS)
    assert "exercise-정리" in exercise
