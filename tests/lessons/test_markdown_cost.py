"""Bounded Markdown cost: no comment up to the length limit, and no lesson, renders slowly.

The bound here is generous (ten times the 50 ms that bench/markdown_cost.py holds on the
reference machine) so that a busy CI runner never fails it; what these tests catch is the
quadratic blow-up (seconds), not a few milliseconds. CPU time of this process is measured,
which other processes on the machine do not inflate.
"""

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.markdown_cost import FAMILIES, LESSON_MAX_LENGTH
from comments.models import BODY_MAX_LENGTH
from lessons import markdown
from lessons.markdown import COMMENT_TAGS, LESSON_TAGS, plain_html, render_comment, render_lesson
from tests.lessons.test_markdown import assert_harmless_markdown

GENEROUS_MS = 500.0
CONTENT = Path(__file__).resolve().parents[2] / "content" / "lessons"


def cpu_ms(render, text: str) -> float:
    start = time.process_time()
    render(text)
    return (time.process_time() - start) * 1000


def full_pipeline_comment(text: str) -> str:
    """What render_comment did before its cost was bounded: Markdown then bleach, nothing else."""
    return markdown._comment_cleaner().clean(markdown._comment_markdown().convert(text))


def full_pipeline_lesson(text: str) -> str:
    return markdown._lesson_cleaner().clean(markdown._lesson_markdown().convert(text))


# --- every family, at the comment limit and at the largest lesson ---


@pytest.mark.parametrize("family", list(FAMILIES))
def test_no_family_is_slow_at_the_comment_limit(family):
    text = FAMILIES[family](BODY_MAX_LENGTH)
    assert cpu_ms(render_comment, text) < GENEROUS_MS


@pytest.mark.parametrize("family", list(FAMILIES))
def test_no_family_is_slow_as_a_large_lesson(family):
    text = FAMILIES[family](LESSON_MAX_LENGTH)
    assert cpu_ms(render_lesson, text) < GENEROUS_MS


def test_the_worst_measured_inputs_render_quickly_and_as_text():
    """Issue 12 measured 5.3 s for "[" x 4,000 and 3.4 s for "![" x 2,000."""
    for text in ("[" * 4000, "![" * 2000, "a-." * 1666):
        assert cpu_ms(render_comment, text) < GENEROUS_MS
        assert render_comment(text) == plain_html(text)


def test_deep_nesting_no_longer_overflows_the_stack():
    for text in ("- " * 2500, "1. " * 1666, ">" * 5000):
        assert render_comment(text) == plain_html(text)  # used to raise RecursionError
        assert render_lesson(text).html == plain_html(text)


def test_the_fallback_is_escaped_text_with_paragraphs_and_line_breaks():
    text = "[" * 3000 + "<script>alert(1)</script>\nnext & last\n\nsecond"
    html_ = render_comment(text)
    assert html_.startswith("<p>[[[")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>\nnext &amp; last</p>\n<p>second</p>" in html_
    assert_harmless_markdown(html_, COMMENT_TAGS)
    assert_harmless_markdown(render_lesson(text).html, LESSON_TAGS)


# --- hypothesis: adversarial mixtures of the families' pieces ---

PIECES = ["[", "]", "(", ")", "![", "[]()", "[a](", "](", "*", "_", "**", "`", "``", "<", ">", "&", "&#", "\\"]
PIECES += ["\n", "\n\n", " ", "a", "-", ".", "a-.", "- ", "> ", "1. ", "    ", '"', "'", "http://", "~", "^", "|"]
runs = st.tuples(st.sampled_from(PIECES), st.integers(min_value=1, max_value=BODY_MAX_LENGTH))
texts = st.lists(runs, min_size=1, max_size=8).map(
    lambda parts: "".join(piece * count for piece, count in parts)[:BODY_MAX_LENGTH]
)
random_texts = st.text(alphabet="".join(set("".join(PIECES))), max_size=BODY_MAX_LENGTH)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, random_texts))
def test_no_comment_up_to_the_limit_renders_slowly(text):
    assert cpu_ms(render_comment, text) < GENEROUS_MS


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, random_texts))
def test_no_lesson_renders_slowly(text):
    assert cpu_ms(render_lesson, text) < GENEROUS_MS


# --- ordinary Markdown renders exactly as it did ---

ORDINARY_COMMENTS = [
    "*em* **strong** `code`\nnext line\n\n- item\n\n> quote\n\n```python\nx = 1 < 2\n```",
    "see https://example.com/a and `https://example.com/b` and [paper](https://arxiv.org/abs/1706.03762)",
    ("A long comment (with asides) about **deep learning**, see [paper](https://arxiv.org/abs/1706.03762). " * 48),
    "\n".join(f"- item {i} with `code` and *emphasis*" for i in range(120)),
    "Here is my attempt:\n\n```python\n"
    + "def f(x):\n    return [x[i] for i in range(len(x)) if x[i] < 2]\n" * 40
    + "```",
    "1. first\n2. second\n    - nested\n        - deeper\n\n> quoted\n> > twice",
    "Ranges like 2012~2014 and a_b_c and 3 * 4 * 5 and <not html> & friends",
]


@pytest.mark.parametrize("text", ORDINARY_COMMENTS)
def test_ordinary_comments_render_exactly_as_before(text):
    assert len(text) <= BODY_MAX_LENGTH
    assert markdown._affordable(text, markdown.COMMENT_WEIGHTS)  # not the plain-text fallback
    assert render_comment(text) == full_pipeline_comment(text)


@pytest.mark.parametrize("path", sorted(CONTENT.glob("*/*.md")), ids=lambda path: path.name)
def test_every_demo_lesson_renders_exactly_as_before(path):
    text = path.read_text(encoding="utf-8")
    assert markdown._affordable(text, markdown.LESSON_WEIGHTS)
    assert render_lesson(text).html == full_pipeline_lesson(text)
    assert render_comment(text) == full_pipeline_comment(text)  # lessons are ordinary comments too


def test_a_lesson_half_again_the_largest_demo_lesson_renders_fully():
    """Half again the largest demo lesson is still under the budget: real lessons never meet the fallback
    (past about 7,000 characters of dense Markdown, staff are asked to split the lesson)."""
    largest = max((path.read_text(encoding="utf-8") for path in CONTENT.glob("*/*.md")), key=len)
    text = largest + largest[: len(largest) // 2]
    assert not markdown.lesson_over_budget(text)
    assert render_lesson(text).html == full_pipeline_lesson(text)


def test_staff_are_told_when_a_lesson_is_over_the_budget_instead_of_publishing_plain_text(db, tmp_path):
    from django.core.exceptions import ValidationError

    from lessons.importing import LessonFileError, parse_lesson_file
    from lessons.models import Lesson
    from tests.conftest import make_quest

    heavy = FAMILIES["["](LESSON_MAX_LENGTH)
    assert markdown.lesson_over_budget(heavy)
    lesson = Lesson(quest=make_quest("budget", lessons=0), position=1, title="Heavy", slug="heavy", body=heavy)
    with pytest.raises(ValidationError) as refused:
        lesson.full_clean()
    assert "too long or too intricate" in str(refused.value.message_dict["body"])
    path = tmp_path / "heavy.md"
    path.write_text(f"---\ntitle: Heavy\nquest: budget\n---\n{heavy}\n", encoding="utf-8")
    with pytest.raises(LessonFileError) as refused_file:
        parse_lesson_file(path)
    assert refused_file.value.field == "body"
