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
from lessons.models import Lesson
from progress.models import Profile


def unsubscribe_url(user) -> str:
    """The absolute one-click unsubscribe address: a signed token, so no sign-in is needed."""
    return settings.SITE_URL + reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(user)})


def comment_url(comment: Comment) -> str:
    """The absolute address of a comment on its lesson page."""
    return settings.SITE_URL + comment.get_absolute_url()


def recipient_language(profile: Profile | None) -> str:
    """The language mail to a learner is written in: theirs when kept, else the site's (never the
    language of whoever's action caused the mail)."""
    return (profile.language if profile is not None else "") or settings.LANGUAGE_CODE


def _display_name(user) -> str:
    from comments.selectors import display_name  # selectors import models only; keep tasks light to load

    return display_name(user)


@task
def send_reply_email(notification_id: int) -> int:
    """Email someone that their comment got a reply; returns how many messages were sent (0 or 1).

    Nothing goes out when the reply was since hidden or deleted, its lesson is no longer one the
    recipient may see (taken back to draft), the recipient turned reply emails off or muted the
    lesson, or this notification was already emailed (a retried task sends once).

    Written in the recipient's kept language (``Profile.language``), never in the replier's: in
    development and tests the task runs inside the replier's request."""
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
    if not Lesson.objects.visible_to(recipient).filter(pk=comment.lesson_id).exists():
        return 0
    # Claim the notification before sending, so two runs of this task cannot both send.
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    with translation.override(recipient_language(profile)):
        context = {
            "recipient_name": _display_name(recipient),
            "author_name": _display_name(comment.author),
            "lesson": comment.lesson,
            "comment": comment,
            "parent": comment.parent,
            "comment_url": comment_url(comment),
            "unsubscribe_url": unsubscribe_url(recipient),
            "settings_url": settings.SITE_URL + reverse("progress:settings"),
        }
        # The same "[Stream] " as the account mails (allauth's subject prefix).
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("%(name)s replied to your comment on “%(lesson)s”") % {
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
