"""Query counts: the lesson page and the notifications page cost the same with 0, 10 and 500 comments.

The whole page is measured (other apps' parts included), so the baseline is the same page with no
comments; the comments' own share is pinned separately, so a regression shows where it comes from.
"""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import selectors
from comments.models import Comment, Flag, LessonSubscription, Notification
from lessons.markdown import render_comment
from progress.models import Profile
from tests.comments.conftest import signed_in
from tests.conftest import make_user

SIZES = [0, 10, 500]


def fill(lesson, count: int, authors, reader) -> None:
    """`count` comments in threads up to five deep, by authors with and without profiles, some hidden,
    deleted, edited and flagged; replies to `reader` notify them (so the notifications page fills too)."""
    Profile.objects.get_or_create(user=authors[0], defaults={"display_name": "Named"})
    html = render_comment("Some *text* with a [link](https://example.com) and `code`.")
    made: list[Comment] = []
    for i, author in zip(range(count), itertools.cycle(authors), strict=False):
        parent = made[i - 1] if i % 5 else None  # chains of five: depth 1 … 5
        made.append(
            Comment(
                lesson=lesson,
                author=author,
                parent=parent,
                body="Some text",
                body_html=html,
                is_hidden=i % 17 == 3,
                is_deleted=i % 23 == 4,
                edited_at=parent.created_at if (parent and i % 3 == 0) else None,
            )
        )
        made[-1].save()  # one by one: parents need their pks
    Flag.objects.bulk_create([Flag(comment=c, user=authors[1]) for c in made[::4] if c.author != authors[1]])
    Notification.objects.bulk_create(
        [
            Notification(recipient=reader, comment=c, kind="reply")
            for c in made
            if c.parent and c.parent.author == reader and c.author != reader
        ]
    )
    assert Comment.objects.filter(lesson=lesson).count() == count


@pytest.fixture
def authors(user, other_user, db):
    third = make_user("third@example.com")
    return [user, other_user, third]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["anonymous", "learner", "staff"])
def test_the_lesson_page_costs_the_same_however_many_comments(
    client, lesson, quest, authors, staff_user, django_assert_num_queries, viewer
):
    browser = {"anonymous": client, "learner": signed_in(authors[0]), "staff": signed_in(staff_user)}[viewer]
    empty = quest.lessons.exclude(pk=lesson.pk).first()
    LessonSubscription.objects.create(user=authors[0], lesson=lesson, mode="all")
    baseline = count_queries(browser, empty.get_absolute_url())
    for size in SIZES:
        Comment.objects.all().delete()
        fill(lesson, size, authors, reader=authors[0])
        with django_assert_num_queries(baseline):
            response = browser.get(lesson.get_absolute_url())
        shown = response.content.decode().count('class="comment"')
        if size:
            assert shown > size // 2
        else:
            assert shown == 0


@pytest.mark.parametrize("size", SIZES)
def test_the_notifications_page_costs_the_same_however_many_comments(lesson, authors, django_assert_num_queries, size):
    reader = authors[0]
    fill(lesson, size, authors, reader=reader)
    browser = signed_in(reader)
    browser.get("/")  # the session is warm, as on any later page
    expected = count_queries(signed_in(authors[2]), reverse("comments:notifications"))  # an empty inbox
    with django_assert_num_queries(expected):
        response = browser.get(reverse("comments:notifications"))
    shown = Notification.objects.filter(recipient=reader).visible().count()
    assert response.content.decode().count('<li class="notification') == min(shown, 20)
    assert shown >= size // 10


@pytest.mark.parametrize("size", SIZES)
def test_the_thread_itself_is_one_query_for_readers_and_members(lesson, authors, django_assert_num_queries, size):
    fill(lesson, size, authors, reader=authors[0])
    with django_assert_num_queries(1):
        selectors.thread_for(lesson=lesson, user=AnonymousUser(), order="oldest", can_post=False)
    with django_assert_num_queries(1):  # flags are in it
        selectors.thread_for(lesson=lesson, user=authors[1], order="oldest", can_post=True)


@pytest.mark.parametrize("size", SIZES)
def test_the_header_bell_is_one_query(lesson, authors, django_assert_num_queries, size):
    fill(lesson, size, authors, reader=authors[0])
    with django_assert_num_queries(1):
        selectors.unread_count(user=authors[0])
