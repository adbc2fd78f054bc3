"""The Markdown pipeline: what lessons and comments render, and what no author can smuggle through.

Plain pytest, no database: the pipeline imports nothing from Django.
"""

import re
from dataclasses import FrozenInstanceError

import pytest

from lessons.markdown import COMMENT_TAGS, LESSON_TAGS, RenderedMarkdown, render_comment, render_lesson
from tests.xss import Tags, assert_harmless, load_vectors

_BAD_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math"}
_BAD_TAGS |= {"form", "input", "button", "textarea", "base", "link", "meta", "noscript", "xmp", "plaintext"}
_KNOWN_ATTRIBUTES = {"href", "src", "alt", "title", "rel", "class", "id", "data-lang", "start", "tabindex"}


def assert_harmless_markdown(markup: str, allowed_tags: frozenset[str]) -> None:
    for tag, _attrs in Tags(markup).tags:
        assert tag not in _BAD_TAGS, markup
    assert_harmless(markup, tags=allowed_tags, attributes=_KNOWN_ATTRIBUTES, attribute_prefixes=())


VECTORS = load_vectors()


def test_the_corpus_is_large_enough_and_covers_markdown_tricks():
    assert len(VECTORS) >= 60
    assert "[x](javascript:alert(1))" in VECTORS
    assert " [x](java\tscript:alert(1))" in VECTORS
    assert any(vector.startswith("```python title=") for vector in VECTORS)


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives_the_lesson_profile(vector):
    rendered = render_lesson(vector)
    assert_harmless_markdown(rendered.html, LESSON_TAGS)
    assert_harmless_markdown(rendered.toc_html, LESSON_TAGS)


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives_the_comment_profile(vector):
    assert_harmless_markdown(render_comment(vector), COMMENT_TAGS)


# --- lessons: code blocks ---

TITLED = '```python title="The architecture rush in one screen"\nfor year in milestones:\n    print(year)\n```'


def test_titled_code_block_has_a_header_with_title_and_language():
    html_ = render_lesson(TITLED).html
    assert '<div class="code-block" data-lang="python"><div class="code-header">' in html_
    assert (
        '<span class="code-title">The architecture rush in one screen</span><span class="code-lang">python</span>'
        in html_
    )
    assert "<button" not in html_  # copy.js adds the button


def test_code_block_without_title_still_shows_its_language():
    parser = Tags(render_lesson("```bash\nls -la\n```").html)
    assert parser.named("div")[0] == {"class": "code-block", "data-lang": "bash"}
    assert not [attrs for attrs in parser.named("span") if attrs.get("class") == "code-title"]
    assert '<span class="code-lang">bash</span>' in render_lesson("```bash\nls -la\n```").html


def test_code_block_without_language_is_labelled_text():
    html_ = render_lesson("```\nplain words\n```").html
    assert 'data-lang="text"' in html_
    assert '<span class="code-lang">text</span>' in html_


def test_code_is_highlighted_with_pygments_classes_not_inline_styles():
    html_ = render_lesson(TITLED).html
    assert '<div class="highlight"><pre tabindex="0">' in html_
    assert '<span class="k">for</span>' in html_
    assert '<span class="nb">print</span>' in html_
    assert "style=" not in html_


def test_code_title_is_escaped_not_interpreted():
    html_ = render_lesson('```python title="A & B <i>"\nx = 1\n```').html
    assert '<span class="code-title">A &amp; B &lt;i&gt;</span>' in html_


def test_code_content_is_escaped():
    html_ = render_lesson("```html\n<script>alert(1)</script>\n```").html
    assert "<script>" not in html_
    assert "&lt;" in html_


# --- lessons: structure ---


def test_tables_render_with_alignment_as_classes():
    html_ = render_lesson("| Year | Model |\n|:----:|------:|\n| 2012 | AlexNet |").html
    assert all(tag in html_ for tag in ("<table>", "<thead>", "<tbody>"))
    assert '<th class="align-center">Year</th>' in html_
    assert '<td class="align-right">AlexNet</td>' in html_
    assert "style" not in html_
    assert "align=" not in html_


def test_headings_get_anchors_that_keep_korean_text():
    html_ = render_lesson("## 딥러닝의 역사\n\ntext").html
    assert '<h2 id="딥러닝의-역사">' in html_
    assert '<a class="headerlink" href="#딥러닝의-역사"' in html_


def test_duplicate_headings_get_distinct_anchors():
    parser = Tags(render_lesson("## 정리\n\n## 정리").html)
    assert [attrs["id"] for attrs in parser.named("h2")] == ["정리", "정리_1"]


def test_toc_lists_h2_and_h3_headings_when_there_are_three_or_more():
    toc = render_lesson("## 배경\n\n### AlexNet 이전\n\n## Transformer & 이후\n\n#### 깊은 제목").toc_html
    assert toc == (
        '<ul><li><a href="#배경">배경</a><ul><li><a href="#alexnet-이전">AlexNet 이전</a></li></ul></li>'
        '<li><a href="#transformer--이후">Transformer &amp; 이후</a></li></ul>'
    )


def test_toc_is_empty_with_fewer_than_three_headings():
    assert render_lesson("## One\n\n### Two\n\n#### Not counted").toc_html == ""
    assert render_lesson("just a paragraph").toc_html == ""


def test_external_links_get_noopener_and_no_target():
    parser = Tags(render_lesson("[a](https://arxiv.org/abs/1706.03762) [b](//example.com/x)").html)
    assert [attrs["rel"] for attrs in parser.named("a")] == ["noopener", "noopener"]
    assert all("target" not in attrs for attrs in parser.named("a"))


def test_links_within_the_site_get_no_rel():
    parser = Tags(render_lesson("[quest](/quests/history/) [section](#background) [mail](mailto:a@example.com)").html)
    assert [attrs.get("rel") for attrs in parser.named("a")] == [None, None, None]
    assert [attrs["href"] for attrs in parser.named("a")] == ["/quests/history/", "#background", "mailto:a@example.com"]


def test_raw_html_typed_by_an_author_is_shown_as_text():
    html_ = render_lesson('<div class="x">block</div>\n\nInline <b onclick="x()">bold</b>').html
    assert "&lt;div class=" in html_
    assert "&lt;b onclick=" in html_
    assert [tag for tag, _ in Tags(html_).tags] == ["p", "p"]


def test_https_images_are_kept_in_lessons():
    parser = Tags(render_lesson('![AlexNet](https://example.com/alexnet.png "Figure 1")').html)
    assert parser.named("img") == [{"alt": "AlexNet", "src": "https://example.com/alexnet.png", "title": "Figure 1"}]


def test_images_from_other_schemes_lose_their_source():
    parser = Tags(render_lesson("![x](ftp://example.com/a.png) ![y](javascript:alert(1))").html)
    assert all("src" not in attrs for attrs in parser.named("img"))


def test_lesson_extras_render_within_the_allowlist():
    html_ = render_lesson("~~old~~ E = mc^2^\n\nTerm\n:   Definition\n\n3. three\n4. four\n\n---").html
    for fragment in (
        "<del>old</del>",
        "<sup>2</sup>",
        "<dt>Term</dt>",
        "<dd>Definition</dd>",
        '<ol start="3">',
        "<hr>",
    ):
        assert fragment in html_


def test_korean_ranges_with_tildes_stay_text():
    assert "2012~2014년과 2020~2022년" in render_lesson("2012~2014년과 2020~2022년").html


def test_rendered_markdown_is_immutable():
    rendered = render_lesson("text")
    assert isinstance(rendered, RenderedMarkdown)
    with pytest.raises(FrozenInstanceError):
        rendered.html = ""  # type: ignore[misc]


# --- comments ---


def test_comment_links_are_nofollow_ugc_noopener():
    parser = Tags(render_comment("[paper](https://arxiv.org) and [here](/lessons/x/) and [top](#top)"))
    assert [attrs["rel"] for attrs in parser.named("a")] == ["nofollow ugc noopener"] * 3


def test_bare_urls_in_comments_become_links_but_not_inside_code():
    html_ = render_comment("see https://example.com/a and `https://example.com/b`")
    assert '<a href="https://example.com/a" rel="nofollow ugc noopener">https://example.com/a</a>' in html_
    assert "<code>https://example.com/b</code>" in html_


def test_headings_are_not_rendered_in_comments():
    html_ = render_comment("# Big\n\nTitle\n=====\n\n## Smaller")
    assert not re.search(r"<h\d", html_)
    assert "<p># Big</p>" in html_


def test_images_are_not_rendered_in_comments():
    html_ = render_comment("![cat](https://example.com/cat.png)")
    assert "<img" not in html_
    assert '<a href="https://example.com/cat.png" rel="nofollow ugc noopener">cat</a>' in html_


def test_tables_and_raw_html_are_not_rendered_in_comments():
    html_ = render_comment("| a | b |\n|---|---|\n| 1 | 2 |\n\n<b>bold</b>")
    assert "<table" not in html_
    assert "<td" not in html_
    assert "&lt;b&gt;bold&lt;/b&gt;" in html_


def test_comment_subset_renders():
    html_ = render_comment("*em* **strong** `code`\nnext line\n\n- item\n\n> quote\n\n```python\nx = 1 < 2\n```")
    for fragment in (
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<br>",
        "<li>item</li>",
        "<blockquote>",
    ):
        assert fragment in html_
    assert '<pre tabindex="0"><code>x = 1 &lt; 2\n</code></pre>' in html_


def test_code_blocks_are_keyboard_scrollable_in_both_profiles():
    assert '<pre tabindex="0">' in render_lesson("```python\nx = 1\n```").html
    assert '<pre tabindex="0">' in render_comment("```\nx = 1\n```")
