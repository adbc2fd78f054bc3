"""The lessons' XSS corpus, posted through the comment form: nothing executable is stored or shown.

Each vector is posted as a signed-in learner would, then checked twice: the HTML stored with the
comment, and the comments section of the lesson page as a reader receives it (the whole section, so
that the page's own markup around the comment is checked too). The preview endpoint gets the same.
"""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from comments.models import Comment
from lessons.markdown import COMMENT_TAGS
from tests.comments.conftest import PARTIAL
from tests.xss import assert_harmless, load_vectors

# The page's own markup around comments, and the attributes it uses.
PAGE_TAGS = {"section", "div", "h2", "span", "p", "a", "nav", "ol", "li", "article", "header", "time"}
PAGE_ATTRIBUTES = {"id", "class", "href", "rel", "title", "datetime", "hidden", "role", "tabindex"}
# What the comment allowlist may put on its tags (tabindex: a scrollable <pre> must be reachable by keyboard).
BODY_ATTRIBUTES = {"href", "title", "rel", "tabindex"}


def comments_section(page: str) -> str:
    """The comments section, without the page's own bell icon (an exact, known SVG): nothing else
    may be an SVG."""
    start = page.index('<section class="comments"')
    section = page[start : page.index("</section>", start) + len("</section>")]
    return section.replace(render_to_string("comments/_bell_icon.html"), "")


VECTORS = load_vectors()


def test_the_corpus_is_the_lessons_one_and_is_large():
    assert len(VECTORS) >= 60
    assert "[x](javascript:alert(1))" in VECTORS
    assert "<script>safe()</script>" in VECTORS


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives_the_comment_form(vector, author_client, client, lesson, no_rate_limit):
    response = author_client.post(reverse("comments:create", args=[lesson.pk]), {"body": vector})
    assert response.status_code in {302, 400}, response.content
    comment = Comment.objects.filter(lesson=lesson).first()
    if response.status_code == 400:  # only a vector that is blank once trimmed may be refused
        assert comment is None
        assert "Write something" in response.content.decode()
        return
    assert comment.body == vector.replace("\x00", "").strip()
    assert_harmless(comment.body_html, tags=set(COMMENT_TAGS), attributes=BODY_ATTRIBUTES)
    for anchor in re.findall(r"<a [^>]*>", comment.body_html):
        assert 'rel="nofollow ugc noopener"' in anchor
    page = client.get(lesson.get_absolute_url()).content.decode()
    section = comments_section(page)
    assert comment.body_html in section  # the stored, sanitized HTML is what readers get
    assert_harmless(section, tags=PAGE_TAGS | set(COMMENT_TAGS), attributes=PAGE_ATTRIBUTES)


@pytest.mark.parametrize("vector", VECTORS[::7])
def test_no_vector_survives_the_preview(vector, author_client):
    response = author_client.post(reverse("comments:preview"), {"body": vector}, **PARTIAL)
    assert response.status_code == 200
    assert_harmless(response.content.decode(), tags=set(COMMENT_TAGS) | {"p"}, attributes=BODY_ATTRIBUTES | {"class"})


@pytest.mark.parametrize("vector", VECTORS[::9])
def test_no_vector_survives_the_reply_email(
    vector, make_comment, user, other_client, lesson, mailoutbox, django_capture_on_commit_callbacks
):
    parent = make_comment(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = other_client.post(
            reverse("comments:create", args=[lesson.pk]), {"body": vector, "parent": parent.pk}
        )
    if response.status_code == 400:  # only a vector that is blank once trimmed may be refused: no reply, no email
        assert "Write something" in response.content.decode()
        assert mailoutbox == []
        return
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body_html, _mimetype = mailoutbox[0].alternatives[0]
    quoted = body_html[body_html.index("<blockquote>") : body_html.index("</blockquote>")]
    assert_harmless(quoted, tags=set(COMMENT_TAGS), attributes=BODY_ATTRIBUTES)


def test_names_are_escaped_too(make_comment, user, client, lesson):
    from progress.models import Profile

    profile = Profile.for_user(user)
    profile.display_name = '<img src=x onerror="alert(1)">'
    profile.save()
    make_comment(user, "hi")
    section = comments_section(client.get(lesson.get_absolute_url()).content.decode())
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in section
    assert_harmless(section, tags=PAGE_TAGS | set(COMMENT_TAGS), attributes=PAGE_ATTRIBUTES)
