"""Reads for the comments area and the notifications page, each in a fixed number of queries.

A lesson's whole thread is one query (comments with their authors' names, as plain rows: no model
instance per comment); the tree is built in Python, so 500 comments cost what 5 do. What a viewer may
do with each comment is decided here, from the rules on the model (``CommentRules``), and handed to
``comments.thread_html`` as a frozen ``CommentView`` per comment.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import MAX_DEPTH, MODE_REPLIES, Comment, CommentRules, Flag, LessonSubscription, Notification
from lessons.models import Lesson
from progress.models import Profile

ORDER_OLDEST = "oldest"
ORDER_NEWEST = "newest"
ORDERS = (ORDER_OLDEST, ORDER_NEWEST)
NOTIFICATIONS_PER_PAGE = 20


def display_name(user) -> str:
    """A commenter's public name; "[deleted]" for a deleted account.

    Expects ``user.profile`` loaded with select_related (no query); a learner without a profile row
    yet gets the same fallback ``Profile.name`` gives."""
    if user is None:
        return _("[deleted]")
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = Profile(user=user)
    return profile.name


def email_verified(user) -> bool:
    """Posting needs a verified primary address (one query)."""
    if not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user=user, primary=True, verified=True).exists()


def subscription_mode(*, user, lesson: Lesson) -> str:
    """ "all", "muted" or "replies" (the default: only replies to your own comments notify). One query."""
    if not user.is_authenticated:
        return MODE_REPLIES
    mode = LessonSubscription.objects.filter(user=user, lesson=lesson).values_list("mode", flat=True).first()
    return mode or MODE_REPLIES


# --- one comment as one viewer sees it ---


@dataclass(frozen=True, slots=True)
class CommentView:
    """One comment as one viewer sees it: exactly what its markup shows, and what this viewer may do.

    Built here from plain rows and turned into HTML by ``comments.thread_html``. ``body_html`` was
    sanitized when it was saved; it is the only value the markup inserts unescaped."""

    pk: int
    depth: int  # 1 … MAX_DEPTH: where the page shows it, not how deep it was written
    author_name: str
    reply_to_name: str  # whom it answers, when shown at MAX_DEPTH beside the comment it answers
    created_at: datetime
    is_edited: bool
    is_deleted: bool
    is_hidden: bool
    show_body: bool
    body_html: str
    is_mine: bool
    may_reply: bool
    may_edit: bool
    may_delete: bool
    may_flag: bool
    flagged_by_me: bool
    may_moderate: bool
    children: tuple["CommentView", ...] = ()

    @property
    def is_visible(self) -> bool:
        return not (self.is_deleted or self.is_hidden)


@dataclass(slots=True)
class _Row(CommentRules):
    """One comment as the database returns it, while its thread's tree is arranged."""

    pk: int
    parent_id: int | None
    author_id: int | None
    created_at: datetime
    edited_at: datetime | None
    is_deleted: bool
    is_hidden: bool
    body_html: str
    author_name: str
    flagged_by_me: bool
    depth: int = 1
    reply_to_name: str = ""
    children: list["_Row"] = field(default_factory=list)


# What a comment shows, and no more, read as plain values: building a model instance (with its author
# and profile) per comment cost two thirds of a signed-in lesson page with 100 comments.
_NAME_FIELDS = ("author_id", "author__profile__display_name")
_ROW_FIELDS = (
    *("id", "parent_id", "created_at", "edited_at", "is_deleted", "is_hidden", "body_html"),
    *_NAME_FIELDS,
    "flagged_by_me",
)


def _with_flagged_by_me(comments: QuerySet[Comment], user) -> QuerySet[Comment]:
    """``flagged_by_me`` in the same query (a subquery for signed-in viewers, a constant otherwise)."""
    if not user.is_authenticated:
        return comments.annotate(flagged_by_me=Value(False, output_field=BooleanField()))
    return comments.annotate(flagged_by_me=Exists(Flag.objects.filter(comment=OuterRef("pk"), user=user)))


def _author_name(author_id: int | None, display_name: str | None) -> str:
    """``display_name`` from a row's values (the same fallbacks, without loading the user)."""
    if author_id is None:
        return _("[deleted]")
    return Profile.public_name(display_name=display_name, user_id=author_id)


def _row(values: Sequence, names: dict[int | None, str]) -> _Row:
    """A _Row from ``_ROW_FIELDS`` values; ``names`` keeps each author's name across a thread."""
    pk, parent_id, created_at, edited_at, is_deleted, is_hidden, body_html, author_id, *name, flagged = values
    author_name: str | None
    if is_deleted:
        author_name = _("[deleted]")
    elif (author_name := names.get(author_id)) is None:
        author_name = names[author_id] = _author_name(author_id, *name)
    return _Row(
        pk, parent_id, author_id, created_at, edited_at, is_deleted, is_hidden, body_html, author_name, bool(flagged)
    )


def _view(row: _Row, *, user, now: datetime, can_post: bool) -> CommentView:
    """Freeze an arranged row (replies first) with what this viewer may do with it.

    ``can_post`` says whether the viewer may post at all (signed in with a verified email): without
    it there is no Reply or Flag button, since the form above says how to get there."""
    return CommentView(
        pk=row.pk,
        depth=row.depth,
        author_name=row.author_name,
        reply_to_name=row.reply_to_name,
        created_at=row.created_at,
        is_edited=row.edited_at is not None,
        is_deleted=row.is_deleted,
        is_hidden=row.is_hidden,
        show_body=row.shows_text_to(user),
        body_html=row.body_html,
        is_mine=row.is_by(user),
        may_reply=can_post and row.can_reply(user),
        may_edit=row.can_edit(user, now=now),
        may_delete=row.can_delete(user),
        may_flag=can_post and row.can_flag(user),  # flagging, like posting, needs a verified email
        flagged_by_me=row.flagged_by_me,
        may_moderate=row.can_moderate(user),
        children=tuple(_view(child, user=user, now=now, can_post=can_post) for child in row.children),
    )


def comment_for_viewer(*, pk: int, user, lesson: Lesson | None = None) -> CommentView:
    """One comment as the viewer sees it, at the depth the page shows it (for fragments and form pages).

    Two queries: the comment with its parent's chain, and whether the viewer may post. Raises
    ``Comment.DoesNotExist`` when there is no such comment (on ``lesson``, when given)."""
    comments = Comment.objects.filter(pk=pk)
    if lesson is not None:
        comments = comments.filter(lesson=lesson)
    chain = ("parent__parent_id", "parent__parent__parent_id", "parent__is_deleted")
    parent_name = tuple(f"parent__{name}" for name in _NAME_FIELDS)
    values = _with_flagged_by_me(comments, user).values_list(*_ROW_FIELDS, *chain, *parent_name).get()
    row = _row(values[: len(_ROW_FIELDS)], {})
    grandparent_id, great_grandparent_id, parent_deleted, *parent_values = values[len(_ROW_FIELDS) :]
    if row.parent_id is None:
        row.depth = 1
    elif grandparent_id is None:
        row.depth = 2
    else:
        row.depth = MAX_DEPTH
        if great_grandparent_id is not None:  # shown at the third level, under the parent's parent
            row.reply_to_name = _("[deleted]") if parent_deleted else _author_name(*parent_values)
    return _view(row, user=user, now=timezone.now(), can_post=email_verified(user))


# --- the thread ---


def arrange(rows: Iterable[_Row], *, user, order: str = ORDER_OLDEST) -> list[_Row]:
    """Build the reply tree from a flat list (oldest first) and return the top-level rows.

    Replies deeper than MAX_DEPTH are shown at that depth, under their nearest ancestor that is
    shallow enough, with "in reply to" naming who they answer. Deleted or hidden comments stay only
    as placeholders for replies that are still shown; with none, they drop out."""
    rows = list(rows)
    by_id = {row.pk: row for row in rows}
    roots: list[_Row] = []
    display_parent: dict[int, _Row | None] = {}

    def place(row: _Row, seen: frozenset[int] = frozenset()) -> None:
        if row.pk in display_parent:
            return
        parent = by_id.get(row.parent_id) if row.parent_id else None
        if parent is not None and parent.pk in seen:  # a cycle made by hand in the admin: break it
            parent = None
        if parent is not None:
            place(parent, seen | {row.pk})
        if parent is None:
            display_parent[row.pk], row.depth = None, 1
        elif parent.depth < MAX_DEPTH:
            display_parent[row.pk], row.depth = parent, parent.depth + 1
        else:
            display_parent[row.pk], row.depth = display_parent[parent.pk], MAX_DEPTH
            row.reply_to_name = parent.author_name

    for row in rows:
        place(row)
    for row in rows:  # in load order, so siblings stay oldest first
        parent = display_parent[row.pk]
        (parent.children if parent is not None else roots).append(row)

    def keep(row: _Row) -> bool:
        row.children = [child for child in row.children if keep(child)]
        return row.shows_text_to(user) or bool(row.children)

    roots = [root for root in roots if keep(root)]
    if order == ORDER_NEWEST:
        roots.reverse()
    return roots


def _shown_count(rows: list[_Row]) -> int:
    """How many comments an arranged thread shows, "[deleted]" placeholders included: the number by
    the heading counts what the reader sees below it."""
    return sum(1 + _shown_count(row.children) for row in rows)


def thread_for(*, lesson: Lesson, user, order: str, can_post: bool) -> tuple[list[CommentView], int]:
    """The top-level comments as this viewer alone sees them, and how many comments that shows (1 query,
    whatever the number of comments). The page draws the shared thread (``comments.shared_thread``)
    and uses this for staff and for authors of hidden comments; the tests compare the two."""
    comments = Comment.objects.filter(lesson=lesson).order_by("created_at", "pk")
    names: dict[int | None, str] = {}
    rows = [_row(values, names) for values in _with_flagged_by_me(comments, user).values_list(*_ROW_FIELDS)]
    now = timezone.now()
    roots = arrange(rows, user=user, order=order)
    return [_view(root, user=user, now=now, can_post=can_post) for root in roots], _shown_count(roots)


# --- the thread every learner shares (comments.shared_thread) ---


class _AnyLearner:
    """A signed-in learner who wrote none of the comments, flagged none and is not staff: whom the
    shared thread is drawn for. What differs for a real viewer is drawn over it."""

    is_authenticated = True
    is_staff = False
    pk = None


@dataclass(frozen=True)
class SharedThread:
    """A lesson's thread as ``_AnyLearner`` sees it, with every comment's arranged row (its depth and
    "in reply to"), hidden and deleted ones included, to redraw single comments for a real viewer."""

    roots: list[CommentView]
    rows: dict[int, _Row]
    count: int

    def authored_by(self, user) -> list[int]:
        if not user.is_authenticated:
            return []
        author_id = user.pk
        return [pk for pk, row in self.rows.items() if row.author_id == author_id]

    def shows_more_to(self, user) -> bool:
        """Whether this viewer sees comments the shared thread leaves out (staff, or the author of a
        comment a moderator hid): they need ``thread_for`` instead."""
        if user.is_staff:
            return True
        mine = (self.rows[pk] for pk in self.authored_by(user))
        return any(row.shows_text_to(user) and not row.is_visible for row in mine)

    def comment_for(self, pk: int, *, user, flagged: bool, now: datetime, can_post: bool) -> CommentView:
        """One comment of the thread as this viewer sees it (without its replies)."""
        row = replace(self.rows[pk], flagged_by_me=flagged, children=[])
        return _view(row, user=user, now=now, can_post=can_post)


def shared_thread(*, lesson_id: int, order: str, can_post: bool) -> SharedThread:
    """The lesson's thread for any learner who may (or may not) post: one query."""
    viewer = _AnyLearner()
    comments = Comment.objects.filter(lesson_id=lesson_id).order_by("created_at", "pk")
    names: dict[int | None, str] = {}
    rows = [_row(values, names) for values in _with_flagged_by_me(comments, AnonymousUser()).values_list(*_ROW_FIELDS)]
    roots = arrange(rows, user=viewer, order=order)
    now = timezone.now()
    return SharedThread(
        roots=[_view(root, user=viewer, now=now, can_post=can_post) for root in roots],
        rows={row.pk: row for row in rows},
        count=_shown_count(roots),
    )


def flagged_by(*, user, lesson: Lesson) -> set[int]:
    """The comments on this lesson the viewer flagged (one query)."""
    return set(Flag.objects.filter(user=user, comment__lesson=lesson).values_list("comment_id", flat=True))


# --- notifications ---


def _inbox(user) -> QuerySet[Notification]:
    """The notifications this user may read (a lesson taken back to draft stops notifying learners)."""
    return Notification.objects.filter(recipient=user).visible_to(user)


def unread_count(*, user) -> int:
    """The header's 🔔 number (one query)."""
    if not user.is_authenticated:
        return 0
    return _inbox(user).unread().count()  # type: ignore[attr-defined]  # NotificationQuerySet.unread


@dataclass
class NotificationPage:
    notifications: list[Notification]
    number: int
    has_previous: bool
    has_next: bool


MAX_PAGE = 10_000


def _page_slice(number: int) -> tuple[int, int]:
    start = (min(max(1, number), MAX_PAGE) - 1) * NOTIFICATIONS_PER_PAGE
    return start, start + NOTIFICATIONS_PER_PAGE


def notification_page_ids(*, user, number: int = 1) -> QuerySet:
    """The ids on one inbox page, as a subquery (so marking them read is one UPDATE, even for none)."""
    start, end = _page_slice(number)
    return _inbox(user).order_by("-created_at", "-pk").values("pk")[start:end]


def notification_page(*, user, number: int = 1) -> NotificationPage:
    """One page of the inbox, newest first (one query: no COUNT, it fetches one extra row instead)."""
    number = min(max(1, number), MAX_PAGE)
    start, end = _page_slice(number)
    rows = list(
        _inbox(user)
        .select_related("comment__lesson__quest", "comment__author__profile")
        .order_by("-created_at", "-pk")[start : end + 1]
    )
    notifications = rows[:NOTIFICATIONS_PER_PAGE]
    for notification in notifications:
        # Shown on the page only; set here so the template reads values, not rules.
        notification.actor_name = display_name(notification.comment.author)  # type: ignore[attr-defined]
        notification.is_unread = notification.read_at is None  # type: ignore[attr-defined]
    return NotificationPage(
        notifications=notifications,
        number=number,
        has_previous=number > 1,
        has_next=len(rows) > NOTIFICATIONS_PER_PAGE,
    )
