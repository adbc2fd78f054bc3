"""Background work for comments: the reply email.

Enqueued by ``comment_create`` after its transaction commits; in production a django-tasks-db worker
runs it, perhaps minutes later, so it checks again that the email is still wanted.
"""

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comments.models import Comment, LessonSubscription, Notification
from comments.tokens import unsubscribe_token
from infra.mail import send_templated


def unsubscribe_url(user) -> str:
    """The absolute one-click unsubscribe address: a signed token, so no sign-in is needed."""
    return settings.SITE_URL + reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(user)})


def comment_url(comment: Comment) -> str:
    """The absolute address of a comment on its lesson page."""
    return settings.SITE_URL + comment.get_absolute_url()


def _display_name(user) -> str:
    from comments.selectors import display_name  # selectors import models only; keep tasks light to load

    return display_name(user)


@task
def send_reply_email(notification_id: int) -> int:
    """Email someone that their comment got a reply; returns how many messages were sent (0 or 1).

    Nothing goes out when the reply was since hidden or deleted, the recipient turned reply emails
    off or muted the lesson, or this notification was already emailed (a retried task sends once)."""
    notification = (
        Notification.objects.select_related(
            "recipient__profile", "comment__lesson__quest", "comment__author__profile", "comment__parent"
        )
        .filter(pk=notification_id, kind=Notification.Kind.REPLY)
        .first()
    )
    if notification is None:
        return 0
    comment, recipient = notification.comment, notification.recipient
    if not comment.is_visible or not recipient.is_active or not recipient.email:
        return 0
    profile = getattr(recipient, "profile", None)  # loaded above; None when the learner has none yet
    if profile is not None and not profile.email_on_reply:
        return 0
    muted = LessonSubscription.objects.filter(
        user=recipient, lesson_id=comment.lesson_id, mode=LessonSubscription.Mode.MUTED
    ).exists()
    if muted:
        return 0
    # Claim the notification before sending, so two runs of this task cannot both send.
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "recipient_name": _display_name(recipient),
            "author_name": _display_name(comment.author),
            "lesson": comment.lesson,
            "comment": comment,
            "parent": comment.parent,
            "comment_url": comment_url(comment),
            "unsubscribe_url": unsubscribe_url(recipient),
            "settings_url": settings.SITE_URL + reverse("comments:notifications"),
        }
        subject = _("%(name)s replied to your comment on “%(lesson)s”") % {
            "name": context["author_name"],
            "lesson": comment.lesson.title,
        }
        return send_templated(
            subject=subject,
            template="comments/email/reply",
            context=context,
            to=[recipient.email],
            headers={
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
