"""The lesson page's thread is drawn once and shared (comments.shared_thread): every viewer must still
get exactly the thread drawn for them alone, and every write that changes it must show at once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from comments import selectors, services, shared_thread, thread_html
from comments.models import Comment, Flag
from infra import page_cache
from progress.models import Profile
from tests.comments.conftest import signed_in
from tests.comments.test_queries import fill
from tests.conftest import make_user


@pytest.fixture
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60  # off in tests by default; on in production
    settings.PAGE_CACHE_VERSION_SECONDS = 60  # as in production: this process reads the version now and then
    page_cache._local.version_read_at = float("-inf")
    page_cache._local.shared.clear()
    yield
    page_cache._local.shared.clear()


@pytest.fixture
def authors(user, other_user, db):
    return [user, other_user, make_user("third@example.com")]


def exact(lesson, viewer, order="oldest"):
    """The thread drawn for this viewer alone: what the shared one must equal."""
    can_post = selectors.email_verified(viewer) if viewer.is_authenticated else False
    roots, count = selectors.thread_for(lesson=lesson, user=viewer, order=order, can_post=can_post)
    return str(thread_html.thread(roots)), count


def shared(lesson, viewer, order="oldest"):
    area = shared_thread.thread_area(lesson=lesson, user=viewer, order=order)
    return str(area.html), area.count


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_every_kind_of_viewer_gets_the_thread_drawn_for_them(
    cache_on, lesson, authors, unverified_user, staff_user, order
):
    fill(lesson, 60, authors, reader=authors[0])
    young = Comment.objects.create(lesson=lesson, author=authors[0], body="still editable")
    Comment.objects.filter(author=authors[0]).exclude(pk=young.pk).update(created_at=timezone.now() - timedelta(days=2))
    Comment.objects.create(lesson=lesson, author=authors[2], body="Hidden words", is_hidden=True)
    viewers = [AnonymousUser(), unverified_user, staff_user, *authors]
    # Drawn first for one viewer, then served from the shared copy to every other: no one's view leaks.
    for first in viewers:
        page_cache._local.shared.clear()
        shared(lesson, first, order)
        for viewer in viewers:
            assert shared(lesson, viewer, order) == exact(lesson, viewer, order), (first, viewer)
    html, _count = shared(lesson, authors[0], order)
    assert f'href="/comments/{young.pk}/edit/"' in html  # their own young comment: Edit, as drawn for them
    assert "Hidden words" in shared(lesson, authors[2], order)[0]  # its author still sees it
    assert "Hidden words" not in shared(lesson, authors[1], order)[0]


def test_a_learner_sees_the_comments_they_flagged_as_flagged(cache_on, lesson, authors):
    comment = Comment.objects.create(lesson=lesson, author=authors[1], body="x")
    shared(lesson, authors[0])
    Flag.objects.create(comment=comment, user=authors[0])  # a flag does not empty the shared thread
    html, _count = shared(lesson, authors[0])
    assert html == exact(lesson, authors[0])[0]
    assert 'class="comment-flagged"' in html
    assert 'class="comment-flagged"' not in shared(lesson, authors[2])[0]


def test_the_thread_for_learners_who_cannot_post_yet_has_no_reply_buttons(cache_on, lesson, authors, unverified_user):
    Comment.objects.create(lesson=lesson, author=authors[1], body="x")
    assert "data-reply=" in shared(lesson, authors[0])[0]
    assert "data-reply=" not in shared(lesson, unverified_user)[0]
    assert "data-reply=" not in shared(lesson, AnonymousUser())[0]


# Every write that changes the thread shows on the next read, with the shared copy already built.


def test_a_new_comment_shows_at_once(cache_on, lesson, authors, django_capture_on_commit_callbacks, no_rate_limit):
    shared(lesson, authors[1])
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(author=authors[0], lesson=lesson, body="Fresh words")
    assert "Fresh words" in shared(lesson, authors[1])[0]
    assert shared(lesson, authors[1]) == exact(lesson, authors[1])


@pytest.mark.parametrize("change", ["edit", "delete", "hide", "unhide"])
def test_edits_deletions_and_moderation_show_at_once(
    cache_on, lesson, authors, staff_user, django_capture_on_commit_callbacks, change
):
    comment = Comment.objects.create(lesson=lesson, author=authors[0], body="Old words", is_hidden=change == "unhide")
    reply = Comment.objects.create(lesson=lesson, author=authors[1], parent=comment, body="r")
    before = shared(lesson, authors[2])
    with django_capture_on_commit_callbacks(execute=True):
        if change == "edit":
            services.comment_edit(comment=comment, user=authors[0], body="New words")
        elif change == "delete":
            services.comment_delete(comment=comment, user=authors[0])
        else:
            comments = Comment.objects.filter(pk=comment.pk)
            services.comments_visibility_set(comments=comments, user=staff_user, hidden=change == "hide")
    after = shared(lesson, authors[2])
    assert after != before
    assert after == exact(lesson, authors[2])
    assert f"comment-{reply.pk}" in after[0]


def test_a_new_public_name_shows_at_once(cache_on, lesson, authors, django_capture_on_commit_callbacks):
    Comment.objects.create(lesson=lesson, author=authors[0], body="x")
    shared(lesson, authors[1])
    with django_capture_on_commit_callbacks(execute=True):
        Profile.objects.update_or_create(user=authors[0], defaults={"display_name": "Ada Lovelace"})
    assert "Ada Lovelace" in shared(lesson, authors[1])[0]


def test_the_lesson_page_reads_no_comment_rows_once_the_thread_is_shared(
    cache_on, lesson, authors, django_assert_num_queries
):
    fill(lesson, 40, authors, reader=authors[0])
    reader = make_user("reader@example.com")
    browser = signed_in(reader)
    browser.get(lesson.get_absolute_url())  # draws and keeps the thread (and the lesson, the catalogue…)
    page_cache.learner_changed(reader.pk)  # as after a write of theirs: their page is drawn, not their copy
    with django_assert_num_queries(10) as queries:  # version, session, user, 🔔, profile, achievements, completions,
        # verified email, the lesson's 🔔 setting, what they flagged
        response = browser.get(lesson.get_absolute_url())
    assert response.status_code == 200
    assert not any('FROM "comments_comment"' in q["sql"] and "lesson_id" in q["sql"] for q in queries.captured_queries
                   if "comments_flag" not in q["sql"] and "comments_notification" not in q["sql"])  # fmt: skip
