"""Drafts kept in the browser (infra.drafts, static/js/drafts.js): the server names every draft on
the fields that keep one, and marks the page a plain-form post lands on with the drafts it used up.
The browser side is tested in tests/e2e/test_drafts_journey.py."""

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from lessons.forms import report_form_token
from lessons.models import Report

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def lesson(lessons):
    return lessons[0]


@pytest.fixture
def learner(user):
    client = Client()
    client.force_login(user)
    return client


def draft_of(html: str, tag: str, name: str) -> str | None:
    """The data-draft of the first <tag name="name"> in the page."""
    match = re.search(rf'<{tag}\b[^>]*\bname="{name}"[^>]*>', html)
    assert match, f"no <{tag} name={name}>"
    found = re.search(r'\bdata-draft="([^"]*)"', match.group(0))
    return found.group(1) if found else None


def test_the_lesson_page_names_the_new_comment_draft_and_each_reply_draft(learner, user, lesson):
    first = Comment.objects.create(lesson=lesson, author=user, body="First.")
    second = Comment.objects.create(lesson=lesson, author=user, body="Second.")
    html = learner.get(lesson.get_absolute_url()).content.decode()
    assert draft_of(html, "textarea", "body") == f"comment:{lesson.pk}:new"
    # The reply template's form has no name: the Reply link that opens it brings its parent's.
    template = html[html.index("<template data-reply-template>") : html.index("</template>")]
    assert draft_of(template, "textarea", "body") is None
    for parent in (first, second):
        assert f'data-reply="{parent.pk}" data-draft="reply:{parent.pk}"' in html


def test_the_reply_and_edit_forms_name_their_drafts(learner, user, lesson):
    comment = Comment.objects.create(lesson=lesson, author=user, body="Mine.")
    reply_page = learner.get(reverse("comments:reply", args=[comment.pk])).content.decode()
    assert draft_of(reply_page, "textarea", "body") == f"reply:{comment.pk}"
    edit_page = learner.get(reverse("comments:edit", args=[comment.pk])).content.decode()
    assert draft_of(edit_page, "textarea", "body") == f"edit:{comment.pk}"
    edit_fragment = learner.get(reverse("comments:edit", args=[comment.pk]), **FETCH).content.decode()
    assert draft_of(edit_fragment, "textarea", "body") == f"edit:{comment.pk}"


def test_a_refused_comment_page_keeps_the_same_draft_name(learner, user, lesson):
    parent = Comment.objects.create(lesson=lesson, author=user, body="Parent.")
    create = reverse("comments:create", args=[lesson.pk])
    page = learner.post(create, {"body": ""}).content.decode()
    assert draft_of(page, "textarea", "body") == f"comment:{lesson.pk}:new"
    page = learner.post(create, {"body": "", "parent": parent.pk}).content.decode()
    assert draft_of(page, "textarea", "body") == f"reply:{parent.pk}"


def test_the_report_form_names_its_drafts_by_the_page_path_without_the_query(client, learner, lesson):
    path = lesson.get_absolute_url()
    url = f"{reverse('lessons:report')}?lesson={lesson.key}&page={path}%3Fcomments%3Dnewest"
    for answer in (client.get(url), client.get(url, **FETCH)):
        html = answer.content.decode()
        assert draft_of(html, "textarea", "body") == f"report:{path}"
        assert draft_of(html, "input", "email") == f"report-email:{path}"
    signed_in = learner.get(url).content.decode()
    assert draft_of(signed_in, "textarea", "body") == f"report:{path}"
    assert 'name="email"' not in signed_in


def test_a_plain_form_post_marks_the_page_it_lands_on_with_the_draft_it_used_up(learner, user, lesson):
    create = reverse("comments:create", args=[lesson.pk])
    page = learner.post(create, {"body": "New."}, follow=True).content.decode()
    assert f'data-draft-posted="comment:{lesson.pk}:new"' in page
    parent = Comment.objects.get()
    page = learner.post(create, {"body": "Reply.", "parent": parent.pk}, follow=True).content.decode()
    assert f'data-draft-posted="reply:{parent.pk}"' in page
    page = learner.post(reverse("comments:edit", args=[parent.pk]), {"body": "Changed."}, follow=True)
    assert f'data-draft-posted="edit:{parent.pk}"' in page.content.decode()
    assert 'class="message message-success"' in page.content.decode()


def test_a_sent_report_marks_the_page_it_returns_to_with_both_its_drafts(client, lesson):
    path = lesson.get_absolute_url()
    data = {
        "kind": Report.Kind.TYPO,
        "body": "A typo.",
        "email": "",
        "lesson": lesson.key,
        "page": path,
        "started": report_form_token(issued_at=time.time() - 10),
        "website": "",
    }
    page = client.post(reverse("lessons:report"), data, follow=True).content.decode()
    assert f'data-draft-posted="report:{path} report-email:{path}"' in page


def test_an_expired_session_answers_in_place_with_a_sign_in_link_back_to_the_lesson(client, lesson):
    answer = client.post(reverse("comments:create", args=[lesson.pk]), {"body": "Kept."}, **FETCH)
    assert answer.status_code == 403
    link = urlsplit(unescape(re.search(r'<a href="([^"]+)">Sign in</a>', answer.content.decode()).group(1)))
    assert link.path == reverse("account_login")
    assert parse_qs(link.query)["next"] == [f"{lesson.get_absolute_url()}#comments"]
