"""A lesson's comments area for the lesson page: the thread's HTML shared by every reader, with the
viewer's own comments drawn over it.

Why: every reader of a lesson sees the same thread except for a few comments: their own (the "you"
badge, Edit while it is young, Delete) and the ones they flagged. Reading and drawing 100 comments
cost most of a signed-in lesson page (bench/README.md). So the thread is drawn once per content
version, language, order and kind of viewer (may post or not) and kept in this process
(``infra.page_cache.shared``); a request redraws only the articles that differ for its viewer.

A comment change empties the shared copies (``Comment`` invalidates the page cache, comments/apps.py);
flags need not, since what a flag changes is drawn per viewer. Staff, and a learner whose comment a
moderator hid (only they still see it), get the exact per-viewer thread instead
(``selectors.thread_for``). The markup is the same either way: tests/comments/test_shared_thread.py
compares the two for every kind of viewer.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.safestring import SafeString

from comments import selectors, thread_html
from comments.models import MODE_REPLIES
from infra import page_cache
from lessons.models import Lesson


@dataclass
class ThreadArea:
    """The comments area of one lesson page, seen by one viewer (what lesson_comments.html shows)."""

    html: SafeString
    count: int
    order: str
    signed_in: bool
    can_post: bool  # signed in with a verified email
    subscription: str = MODE_REPLIES
    orders: tuple[str, ...] = selectors.ORDERS
    changes_at: datetime | None = None  # when the viewer's next Edit link expires (the page changes then)


def _shared(*, lesson_id: int, order: str, can_post: bool) -> tuple[selectors.SharedThread, thread_html.ThreadParts]:
    thread = selectors.shared_thread(lesson_id=lesson_id, order=order, can_post=can_post)
    return thread, thread_html.thread_parts(thread.roots)


def thread_area(*, lesson: Lesson, user, order: str = selectors.ORDER_OLDEST) -> ThreadArea:
    """The lesson's comments area for this viewer: no query for a visitor, 3 for a learner (may they
    post, their subscription, what they flagged; or, for staff and authors of hidden comments, their
    own thread), whatever the number of comments."""
    order = order if order in selectors.ORDERS else selectors.ORDER_OLDEST
    now = timezone.now()  # one moment for the Edit links drawn and for when the first one expires
    signed_in = user.is_authenticated
    can_post = selectors.email_verified(user) if signed_in else False
    subscription = selectors.subscription_mode(user=user, lesson=lesson) if signed_in else MODE_REPLIES
    thread, parts = page_cache.shared(
        f"comments:thread:{lesson.pk}:{order}:{int(can_post)}",
        lambda: _shared(lesson_id=lesson.pk, order=order, can_post=can_post),
    )
    if signed_in and thread.shows_more_to(user):
        roots, count = selectors.thread_for(lesson=lesson, user=user, order=order, can_post=can_post)
        html = thread_html.thread(roots)
    else:
        flagged = selectors.flagged_by(user=user, lesson=lesson) if can_post else set()
        redraw = (set(thread.authored_by(user)) | flagged) & parts.articles.keys() if signed_in else set()
        labels = thread_html.Labels.current() if redraw else None
        html = parts.join(
            {
                pk: thread_html.comment_article(
                    thread.comment_for(pk, user=user, flagged=pk in flagged, now=now, can_post=can_post), labels=labels
                )
                for pk in redraw
            }
        )
        count = thread.count
    deadlines = [thread.rows[pk].edit_deadline() for pk in thread.authored_by(user)]
    return ThreadArea(
        html=html,
        count=count,
        order=order,
        signed_in=signed_in,
        can_post=can_post,
        subscription=subscription,
        changes_at=min((moment for moment in deadlines if moment > now), default=None),
    )
