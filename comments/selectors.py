"""Reads for the comments area and the notifications page, each in a fixed number of queries.

A lesson's whole thread is one query (comments with their authors' profiles); the tree is built in
Python, so 500 comments cost what 5 do. What a viewer may do with each comment is decided here, from
the rules on the model, and handed to the templates as plain attributes.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import MAX_DEPTH, MODE_REPLIES, Comment, Flag, LessonSubscription, Notification
from lessons.models import Lesson, Status
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


# What a thread shows, and no more: fewer columns to convert makes 500 comments noticeably cheaper.
THREAD_FIELDS = (
    *("id", "lesson_id", "parent_id", "author_id", "body_html", "created_at", "edited_at"),
    *("is_deleted", "is_hidden", "author__id", "author__email", "author__username", "author__profile__id"),
    *("author__profile__display_name", "author__profile__user_id"),
)


def _with_viewer(queryset: QuerySet[Comment], user) -> QuerySet[Comment]:
    queryset = queryset.select_related("author__profile")
    if user.is_authenticated:
        queryset = queryset.annotate(flagged_by_me=Exists(Flag.objects.filter(comment=OuterRef("pk"), user=user)))
    return queryset


def decorate(
    comment: Comment, *, user, now: datetime | None = None, can_post: bool = True, names: dict | None = None
) -> Comment:
    """Set what templates show for one comment: its author's name and the viewer's buttons.

    ``can_post`` says whether the viewer may post at all (signed in with a verified email): without
    it there is no Reply button, since the form above says how to get there. ``names`` caches display
    names by author across a thread."""
    now = now or timezone.now()
    if comment.is_deleted:
        comment.author_name = _("[deleted]")
    elif names is None:
        comment.author_name = display_name(comment.author)
    elif (name := names.get(comment.author_id)) is not None:
        comment.author_name = name
    else:
        comment.author_name = names[comment.author_id] = display_name(comment.author)
    comment.is_mine = comment.is_by(user)
    comment.show_edit = comment.can_edit(user, now=now)
    comment.show_delete = comment.can_delete(user)
    comment.show_flag = comment.can_flag(user)
    comment.show_moderation = comment.can_moderate(user)
    comment.show_reply = can_post and comment.can_reply(user)
    comment.show_body = comment.is_visible or (comment.is_hidden and not comment.is_deleted and user.is_staff)
    if not hasattr(comment, "flagged_by_me"):
        comment.flagged_by_me = False
    comment.__dict__.setdefault("children", [])
    comment.__dict__.setdefault("depth", 1)
    comment.__dict__.setdefault("reply_to_name", "")
    return comment


def comment_for_viewer(*, pk: int, user) -> Comment:
    """One comment decorated for the viewer, at the depth the page shows it (for partial responses)."""
    related = _with_viewer(
        Comment.objects.select_related("lesson__quest", "parent__author__profile", "parent__parent"), user
    )
    comment = related.get(pk=pk)
    decorate(comment, user=user, can_post=email_verified(user))
    parent = comment.parent
    if parent is None:
        comment.depth = 1
    elif parent.parent is None:
        comment.depth = 2
    else:
        comment.depth = MAX_DEPTH
        if parent.parent.parent_id is not None:  # shown at the third level, under the parent's parent
            comment.reply_to_name = display_name(parent.author) if not parent.is_deleted else _("[deleted]")
    return comment


def arrange(comments: Iterable[Comment], *, order: str = ORDER_OLDEST) -> list[Comment]:
    """Build the reply tree from a flat list (oldest first) and return the top-level comments.

    Replies deeper than MAX_DEPTH are shown at that depth, under their nearest ancestor that is
    shallow enough, with "in reply to" naming who they answer. Deleted or hidden comments stay only
    as placeholders for replies that are still shown; with none, they drop out."""
    comments = list(comments)
    by_id = {comment.pk: comment for comment in comments}
    roots: list[Comment] = []
    display_parent: dict[int, Comment | None] = {}

    def place(comment: Comment, seen: frozenset[int] = frozenset()) -> None:
        if comment.pk in display_parent:
            return
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None and parent.pk in seen:  # a cycle made by hand in the admin: break it
            parent = None
        if parent is not None:
            place(parent, seen | {comment.pk})
        if parent is None:
            display_parent[comment.pk], comment.depth = None, 1
        elif parent.depth < MAX_DEPTH:
            display_parent[comment.pk], comment.depth = parent, parent.depth + 1
        else:
            display_parent[comment.pk], comment.depth = display_parent[parent.pk], MAX_DEPTH
            comment.reply_to_name = parent.author_name

    for comment in comments:
        comment.children = []
        comment.reply_to_name = ""
    for comment in comments:
        place(comment)
    for comment in comments:  # in load order, so siblings stay oldest first
        parent = display_parent[comment.pk]
        (parent.children if parent is not None else roots).append(comment)

    def keep(comment: Comment) -> bool:
        comment.children = [child for child in comment.children if keep(child)]
        return comment.show_body or bool(comment.children)

    roots = [root for root in roots if keep(root)]
    if order == ORDER_NEWEST:
        roots.reverse()
    return roots


@dataclass
class Thread:
    """The comments area of one lesson page, seen by one viewer."""

    lesson: Lesson
    roots: list[Comment]
    count: int
    order: str
    signed_in: bool
    can_post: bool  # signed in with a verified email
    subscription: str = MODE_REPLIES
    orders: tuple[str, ...] = field(default=ORDERS)


def lesson_thread(*, lesson: Lesson, user, order: str = ORDER_OLDEST) -> Thread:
    """The lesson's comments as a tree: 1 query anonymous, 3 signed in, whatever the number of comments."""
    order = order if order in ORDERS else ORDER_OLDEST
    now = timezone.now()
    signed_in = user.is_authenticated
    can_post = email_verified(user) if signed_in else False
    thread = Comment.objects.filter(lesson=lesson).only(*THREAD_FIELDS).order_by("created_at", "pk")
    comments = list(_with_viewer(thread, user))
    names: dict[int | None, str] = {}
    for comment in comments:
        comment.lesson = lesson  # permalinks without a query each
        decorate(comment, user=user, now=now, can_post=can_post, names=names)
    roots = arrange(comments, order=order)
    return Thread(
        lesson=lesson,
        roots=roots,
        count=sum(1 for comment in comments if comment.is_visible),
        order=order,
        signed_in=signed_in,
        can_post=can_post,
        subscription=subscription_mode(user=user, lesson=lesson) if signed_in else MODE_REPLIES,
    )


# --- notifications ---


def _inbox(user) -> QuerySet[Notification]:
    inbox = Notification.objects.filter(recipient=user).visible()
    if not user.is_staff:  # a lesson taken back to draft stops notifying learners
        inbox = inbox.filter(comment__lesson__status=Status.PUBLISHED, comment__lesson__quest__status=Status.PUBLISHED)
    return inbox


def unread_count(*, user) -> int:
    """The header's 🔔 number (one query)."""
    if not user.is_authenticated:
        return 0
    return _inbox(user).unread().count()


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
        notification.actor_name = display_name(notification.comment.author)
        notification.is_unread = notification.read_at is None
    return NotificationPage(
        notifications=notifications,
        number=number,
        has_previous=number > 1,
        has_next=len(rows) > NOTIFICATIONS_PER_PAGE,
    )
