"""Writes with rules for comments: posting, editing, deleting, moderation, notifications.

Every rule is enforced here, whatever the caller (view, admin, shell): refusals are ``CommentRefused``
subclasses whose message is for the person. Notifications are rows created in the same transaction
as the comment; email goes out after commit, through the task framework.
"""

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import (
    BODY_MAX_LENGTH,
    FLAG_REASON_MAX_LENGTH,
    MODE_REPLIES,
    Comment,
    Flag,
    LessonSubscription,
    Notification,
)
from comments.selectors import email_verified
from comments.tasks import send_reply_email
from comments.tokens import unsubscribe_account_id
from infra import page_cache, ratelimit
from lessons.markdown import render_comment
from lessons.models import Lesson
from progress.models import Profile
from progress.services import achievements_award

RATE_LIMITS = (  # (window name, seconds, most comments in one window)
    ("minute", 60, 5),
    ("day", 60 * 60 * 24, 50),
)
# The other writes that render Markdown or reach staff, limited the same way (issue 12: unlimited
# previews of pathological text could occupy every worker; flags land in the staff's queue).
PREVIEW_RATE_LIMITS = (("minute", 60, 30), ("day", 60 * 60 * 24, 1000))
EDIT_RATE_LIMITS = (("minute", 60, 10), ("day", 60 * 60 * 24, 200))
FLAG_RATE_LIMITS = (("minute", 60, 10), ("day", 60 * 60 * 24, 50))


class CommentRefused(Exception):
    """A rule said no; ``message`` tells the person why. How to answer (a status code, a page) is the
    caller's business: comments.views maps each kind to its HTTP status."""

    message: Any = _("That could not be done.")

    def __init__(self, message: Any = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotAllowed(CommentRefused):
    message = _("You can't do that with this comment.")


class EmailNotVerified(CommentRefused):
    message = _("Please verify your email address before commenting.")
    flag_message = _("Please verify your email address before flagging comments.")


class RateLimited(CommentRefused):
    message = _("You're commenting very quickly. Please wait a minute and post again; your text is kept below.")
    daily_message = _(
        "You've posted %(limit)d comments today, the daily limit. Please come back tomorrow; your text is kept below."
    )
    # What a refusal says (this minute, today) for each limited action, by its counters' name.
    messages_by_action = {
        "comments": (message, daily_message),
        "comments-preview": (
            _("You're previewing very quickly. Please wait a minute and preview again; your text is kept."),
            _("You've previewed %(limit)d times today, the daily limit. You can still post; your text is kept."),
        ),
        "comments-edit": (
            _("You're editing very quickly. Please wait a minute and save again; your text is kept below."),
            _(
                "You've saved %(limit)d edits today, the daily limit. Please come back tomorrow; your text is kept below."
            ),
        ),
        "comments-flag": (
            _("You're flagging very quickly. Please wait a minute and flag again."),
            _("You've flagged %(limit)d comments today, the daily limit. Staff will review them; thank you."),
        ),
    }


class EditWindowClosed(CommentRefused):
    message = _("Comments can be edited for 15 minutes after posting; this one can no longer be changed.")


class InvalidComment(CommentRefused):
    """The input broke a rule (empty, too long, a reply to a removed comment, flagged twice)."""


@dataclass
class Posted:
    comment: Comment
    new_achievements: list = field(default_factory=list)


# --- rate limit ---


def _rate_limit_take(*, user, now, action: str = "comments", windows=None) -> None:
    """Count one ``action`` (posting a comment, unless named) against the user's minute and day, or
    refuse when either is spent. ``windows``: (name, seconds, limit); posting's are ``RATE_LIMITS``.

    The counters are rows shared by every process, counted atomically (infra.ratelimit);
    a refused attempt does not count."""
    hits = [
        (ratelimit.Rate(f"{action}:{window}", limit, seconds), f"user:{user.pk}")
        for window, seconds, limit in (RATE_LIMITS if windows is None else windows)
    ]
    try:
        ratelimit.take(hits=hits, now=now)
    except ratelimit.RateLimited as refused:
        minute_message, daily_message = RateLimited.messages_by_action[action]
        daily = refused.rate.name == f"{action}:day"
        raise RateLimited(daily_message % {"limit": refused.rate.limit} if daily else minute_message) from None


# --- posting and changing ---


def _clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise InvalidComment(_("Write something before posting."))
    if len(body) > BODY_MAX_LENGTH:
        raise InvalidComment(
            _("Comments can be at most %(max)d characters long (this one has %(length)d).")
            % {"max": BODY_MAX_LENGTH, "length": len(body)}
        )
    return body


def _require_poster(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Please sign in to comment."))
    if not email_verified(user):
        raise EmailNotVerified


def _notify(*, comment: Comment) -> list[Notification]:
    """Create the notifications a new comment causes, and queue the reply email after commit.

    The parent's author hears of a reply; the lesson's subscribers hear of any new comment; muting
    the lesson silences both; nobody hears of their own comment; the unique constraint makes one
    event one notification per person."""
    settings_by_user = dict(
        LessonSubscription.objects.filter(lesson_id=comment.lesson_id).values_list("user_id", "mode")
    )
    wanted: dict[int, str] = {}
    for user_id, mode in settings_by_user.items():
        if mode == LessonSubscription.Mode.ALL:
            wanted[user_id] = Notification.Kind.COMMENT
    parent = comment.parent
    if parent is not None and parent.author_id is not None and parent.is_visible:
        wanted[parent.author_id] = Notification.Kind.REPLY
    if comment.author_id is not None:
        wanted.pop(comment.author_id, None)
    for user_id in [user_id for user_id in wanted if settings_by_user.get(user_id) == LessonSubscription.Mode.MUTED]:
        del wanted[user_id]
    if not wanted:
        return []
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=user_id, comment=comment, kind=kind, created_at=comment.created_at)
            for user_id, kind in wanted.items()
        ],
        ignore_conflicts=True,
    )
    page_cache.learner_changed(*wanted)  # their 🔔 (bulk_create sends no signal)
    created = list(Notification.objects.filter(comment=comment))
    for notification in created:
        if notification.kind == Notification.Kind.REPLY:
            # robust: the comment is saved; a mail server failing must not turn that into an error page.
            transaction.on_commit(partial(send_reply_email.enqueue, notification.pk), robust=True)
    return created


PARENT_GONE = _("The comment you replied to no longer exists. Your reply wasn't posted; its text is kept below.")


def comment_create(*, author, lesson: Lesson, body: str, parent: Comment | int | None = None) -> Posted:
    """Post a comment or a reply, notify who should hear of it, and award comment achievements.

    A reply whose parent is deleted at the same moment is refused (``InvalidComment``), never an
    error: the parent is read locked, so a concurrent delete either finished first (no parent: refused)
    or waits for the reply (the parent then stays as "[deleted]" above it). Should the database still
    find the parent gone when the reply is written, that too is the same refusal."""
    parent_id = parent.pk if isinstance(parent, Comment) else parent
    try:
        return _comment_create(author=author, lesson=lesson, body=body, parent_id=parent_id)
    except IntegrityError:
        if parent_id is None or Comment.objects.filter(pk=parent_id).exists():
            raise
        raise InvalidComment(PARENT_GONE) from None


@transaction.atomic
def _comment_create(*, author, lesson: Lesson, body: str, parent_id: int | None) -> Posted:
    _require_poster(author)
    body = _clean_body(body)
    parent = None
    if parent_id is not None:
        # Read as it is now (it may have been hidden or deleted since the form was shown), and locked.
        parent = Comment.objects.select_for_update().filter(pk=parent_id).first()
        if parent is None:
            raise InvalidComment(PARENT_GONE)
        if parent.lesson_id != lesson.pk:
            raise InvalidComment(_("That reply belongs to another lesson."))
        if not parent.is_visible:
            raise InvalidComment(_("The comment you replied to was removed, so it can't take replies."))
    now = timezone.now()
    _rate_limit_take(user=author, now=now)
    comment = Comment(lesson=lesson, parent=parent, author=author, body=body, created_at=now)
    comment.save()
    _notify(comment=comment)
    count = Comment.objects.filter(author=author).visible().count()
    new_achievements = achievements_award(user=author, kind="comments_posted", value=count) or []
    return Posted(comment=comment, new_achievements=list(new_achievements))


def comment_preview(*, user, body: str) -> str:
    """Unsaved text rendered as a posted comment would be (the form's Preview button).

    Rendering is the costly part of posting, so previews are limited too (``PREVIEW_RATE_LIMITS``);
    an empty text renders nothing and counts nothing."""
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Please sign in to comment."))
    body = (body or "").replace("\x00", "").strip()
    if not body:
        return ""
    _rate_limit_take(user=user, now=timezone.now(), action="comments-preview", windows=PREVIEW_RATE_LIMITS)
    return render_comment(body)


@transaction.atomic
def comment_edit(*, comment: Comment, user, body: str) -> Comment:
    """Change a comment's text: its author only, within 15 minutes; it shows as edited."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.is_by(user) or not comment.is_visible:
        raise NotAllowed(_("Only its author can edit this comment."))
    now = timezone.now()
    if not comment.can_edit(user, now=now):
        raise EditWindowClosed
    body = _clean_body(body)
    _rate_limit_take(user=user, now=now, action="comments-edit", windows=EDIT_RATE_LIMITS)
    if body != comment.body:
        comment.body = body
        comment.edited_at = now
        comment.save(update_fields=["body", "edited_at"])
    return comment


def _has_replies(comment_id: int) -> bool:
    return Comment.objects.filter(parent_id=comment_id).exists()


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> Comment | None:
    """Delete a comment (its author, any time).

    With replies it stays as "[deleted]", its text erased, so the thread holds; without, it goes, and so
    does a "[deleted]" parent left with no replies. Returns the placeholder, or None when removed."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.can_delete(user):
        raise NotAllowed(_("Only its author can delete this comment."))
    if _has_replies(comment.pk):
        comment.is_deleted = True
        comment.body = ""
        comment.save(update_fields=["is_deleted", "body"])
        return comment
    parent_id = comment.parent_id
    comment.delete()
    while parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, is_deleted=True).first()
        if parent is None or _has_replies(parent.pk):
            break
        parent_id = parent.parent_id
        parent.delete()
    return None


@transaction.atomic
def comments_visibility_set(*, comments: QuerySet[Comment], user, hidden: bool) -> int:
    """Staff hide comments from readers (kept for the record; their notifications stop showing) or show
    them again: the one write behind the lesson page's Hide/Unhide and the admin's bulk actions.

    Comments their authors deleted are left as they are. Returns how many changed; either way the
    cached anonymous pages are made stale here, the one place this write happens."""
    if not (user.is_authenticated and user.is_staff):
        raise NotAllowed(_("Only staff can hide comments.") if hidden else _("Only staff can unhide comments."))
    changes = {"is_hidden": hidden, "hidden_at": timezone.now() if hidden else None}
    changed = comments.filter(is_deleted=False).exclude(is_hidden=hidden).update(**changes)
    page_cache.invalidate()
    return changed


@transaction.atomic
def comments_flags_clear(*, comments, user) -> int:
    """Dismiss the flags on comments staff reviewed and kept; returns how many comments."""
    if not (user.is_authenticated and user.is_staff):
        raise NotAllowed
    ids = list(comments.values_list("pk", flat=True))
    Flag.objects.filter(comment_id__in=ids).delete()
    return Comment.objects.filter(pk__in=ids).update(flag_count=0)


@transaction.atomic
def comment_flag(*, comment: Comment, user, reason: str = "") -> Comment:
    """Any signed-in reader with a verified email flags a comment for staff, once (within ``FLAG_RATE_LIMITS``),
    saying why if they wish (``reason``, shown in the admin's flagged queue)."""
    if not user.is_authenticated:
        raise NotAllowed(_("Please sign in to flag comments."))
    if not email_verified(user):
        raise EmailNotVerified(EmailNotVerified.flag_message)
    if comment.is_by(user):
        raise NotAllowed(_("You can't flag your own comment."))
    if not comment.is_visible:
        raise NotAllowed(_("This comment was already removed."))
    reason = _clean_reason(reason)
    _rate_limit_take(user=user, now=timezone.now(), action="comments-flag", windows=FLAG_RATE_LIMITS)
    try:
        with transaction.atomic():  # a savepoint, so the duplicate leaves the outer transaction usable
            Flag.objects.create(comment=comment, user=user, reason=reason)
    except IntegrityError:
        raise InvalidComment(_("You already flagged this comment. Staff will review it.")) from None
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    comment.refresh_from_db(fields=["flag_count"])
    return comment


def _clean_reason(reason: str) -> str:
    """A flag's optional reason, on one line: what staff read in the queue."""
    reason = " ".join((reason or "").replace("\x00", "").split())
    if len(reason) > FLAG_REASON_MAX_LENGTH:
        raise InvalidComment(
            _("A reason can be at most %(max)d characters long (this one has %(length)d).")
            % {"max": FLAG_REASON_MAX_LENGTH, "length": len(reason)}
        )
    return reason


# --- notification settings ---


@transaction.atomic
def subscription_set(*, user, lesson: Lesson, mode: str) -> str:
    """Follow every new comment on a lesson ("all"), mute it ("muted"), or go back to replies only."""
    if not user.is_authenticated:
        raise NotAllowed(_("Please sign in to change notifications."))
    if mode == MODE_REPLIES:
        LessonSubscription.objects.filter(user=user, lesson=lesson).delete()
        return mode
    if mode not in LessonSubscription.Mode.values:
        raise InvalidComment(_("Choose one of the notification options."))
    LessonSubscription.objects.update_or_create(user=user, lesson=lesson, defaults={"mode": mode})
    return mode


@transaction.atomic
def notifications_mark_read(*, user, ids=None) -> int:
    """Mark notifications read: the given ones (a queryset of ids or a list), or all of them."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    page_cache.learner_changed(user.pk)  # their 🔔 (an UPDATE sends no signal)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def reply_emails_set(*, token: str, enabled: bool) -> Profile:
    """Turn reply emails off (or back on) for the account named by a signed token.

    Raises ``signing.BadSignature`` for a tampered or foreign token."""
    user_id = unsubscribe_account_id(token)
    profile, _ = Profile.objects.get_or_create(user_id=user_id)
    if profile.email_on_reply != enabled:
        profile.email_on_reply = enabled
        profile.save(update_fields=["email_on_reply"])
    return profile
