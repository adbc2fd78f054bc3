"""Discussion under lessons: comments, flags, per-lesson notification settings, notifications.

Rules that decide who may do what live here (``CommentRules``: ``can_edit`` …) so that services
enforce them and selectors show the matching buttons from one definition; the writes themselves live
in ``comments.services``.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lessons.markdown import render_comment
from lessons.models import Lesson, lesson_visible_to

EDIT_WINDOW = timedelta(minutes=15)
BODY_MAX_LENGTH = 5000
# Replies nest this deep on the page (top level = 1); deeper replies are shown at this level.
MAX_DEPTH = 3
FLAG_REASON_MAX_LENGTH = 500


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """Comments anyone may read: neither deleted nor hidden by staff."""
        return self.filter(is_deleted=False, is_hidden=False)

    def visible_to(self, user):
        """Comments on lessons this user may see: ``lessons.models.lesson_visible_to`` is the one home of that rule.

        Says nothing of deleted or hidden comments (``visible()``): a placeholder still has a place."""
        return self.filter(lesson_visible_to(user, "lesson__"))


class CommentRules:
    """Who may do what with a comment, decided from four facts: author, posting time, deleted, hidden.

    Mixed into ``Comment``, whose services enforce these rules, and into the plain rows the lesson's
    thread is built from (``comments.selectors``), which show the matching buttons: one definition for
    both, without building a model instance per comment to show a thread."""

    __slots__ = ()
    author_id: int | None
    created_at: datetime
    is_deleted: bool
    is_hidden: bool

    @property
    def is_visible(self) -> bool:
        return not (self.is_deleted or self.is_hidden)

    def edit_deadline(self) -> datetime:
        return self.created_at + EDIT_WINDOW

    def is_by(self, user) -> bool:
        return user.is_authenticated and self.author_id is not None and self.author_id == user.pk

    def can_edit(self, user, *, now: datetime | None = None) -> bool:
        return self.is_by(user) and self.is_visible and (now or timezone.now()) < self.edit_deadline()

    def can_delete(self, user) -> bool:
        return self.is_by(user) and not self.is_deleted

    def can_flag(self, user) -> bool:
        return user.is_authenticated and not self.is_by(user) and self.is_visible

    def can_moderate(self, user) -> bool:
        return user.is_authenticated and user.is_staff and not self.is_deleted

    def can_reply(self, user) -> bool:
        """Whether the Reply button shows; posting also needs a verified email (checked by the service)."""
        return self.is_visible and user.is_authenticated

    def shows_text_to(self, user) -> bool:
        """Readers see a shown comment's text; staff also see what they hid, and so does its author, told
        that only they can see it (never what its author deleted)."""
        return self.is_visible or (self.is_hidden and not self.is_deleted and (user.is_staff or self.is_by(user)))


class Comment(CommentRules, models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="comments", verbose_name=_("lesson"))
    # The comment this one answers, as written (not as displayed: depth is capped only on the page).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies", verbose_name=_("reply to")
    )
    # SET_NULL: a deleted account's comments stay, shown as "[deleted]", so threads hold.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text (Markdown)"), max_length=BODY_MAX_LENGTH, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted by its author"), default=False)
    is_hidden = models.BooleanField(_("hidden by staff"), default=False)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    # Kept with F() by comment_flag; the admin's flagged queue sorts by it.
    flag_count = models.PositiveIntegerField(_("flags"), default=0)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # The lesson page loads a whole thread by lesson, oldest first.
            models.Index(fields=["lesson", "created_at"], name="comment_lesson_created_idx"),
            # Rate limits and achievements count an author's comments.
            models.Index(fields=["author", "created_at"], name="comment_author_created_idx"),
            # The admin's flagged queue.
            models.Index(fields=["-flag_count"], condition=Q(flag_count__gt=0), name="comment_flagged_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="comment_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.body[:60] or str(_("[deleted]"))

    def save(self, *args, **kwargs):
        """Render the Markdown on every save, so the stored HTML always matches the text."""
        self.body_html = render_comment(self.body) if self.body else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The comment's place on its lesson page. Costs queries unless lesson and quest are loaded."""
        return f"{self.lesson.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class Flag(models.Model):
    """One reader's report that a comment breaks the rules; staff see flagged comments in the admin."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("comment"))
    # SET_NULL: the moderation record outlives the account that flagged.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("flagged by")
    )
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=FLAG_REASON_MAX_LENGTH, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="flag_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.comment_id}"


class FlaggedComment(Comment):
    """The admin's moderation queue: the same rows, listed by how often they were flagged."""

    class Meta:
        proxy = True
        verbose_name = _("flagged comment")
        verbose_name_plural = _("flagged comments")


class LessonSubscription(models.Model):
    """A learner's notification setting for one lesson; without a row, only replies notify."""

    class Mode(models.TextChoices):
        ALL = "all", _("All new comments")
        MUTED = "muted", _("Muted")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_subscriptions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="subscriptions")
    mode = models.CharField(_("notify me of"), max_length=10, choices=Mode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson notification setting")
        verbose_name_plural = _("lesson notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="subscription_once_per_lesson"),
            models.CheckConstraint(condition=Q(mode__in=["all", "muted"]), name="subscription_mode_known"),
        ]
        indexes = [
            # comment_create finds the lesson's subscribers and mutes.
            models.Index(fields=["lesson", "mode"], name="subscription_lesson_mode_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson} · {self.mode}"


# Without a subscription row a learner hears about replies to their own comments only.
MODE_REPLIES = "replies"


class NotificationQuerySet(models.QuerySet):
    def visible(self):
        """Notifications whose comment can still be read: a comment hidden or deleted later stops notifying."""
        return self.filter(comment__is_deleted=False, comment__is_hidden=False)

    def visible_to(self, user):
        """Notifications this user may read: still shown (``visible()``), on a lesson they may see.

        The lesson rule is ``lessons.models.lesson_visible_to``, as for ``Comment.objects.visible_to``,
        applied as joins through the notification's comment and its lesson (no subquery over comments
        or lessons), because the header's 🔔 counts these on every signed-in page."""
        return self.visible().filter(lesson_visible_to(user, "comment__lesson__"))

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to your comment")
        COMMENT = "comment", _("New comment on a lesson you follow")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("comment")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # One event, one notification: a comment notifies each person at most once.
            models.UniqueConstraint(fields=["recipient", "comment"], name="notification_once_per_comment"),
            models.CheckConstraint(condition=Q(kind__in=["reply", "comment"]), name="notification_kind_known"),
        ]
        indexes = [
            # The header's unread count and the notifications page, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
