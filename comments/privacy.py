"""What comments holds about a learner, for "download my data" (infra.privacy collects each app's module)."""

from comments.models import Comment, Flag, LessonSubscription, Notification
from infra.timestamps import iso


def personal_data(user) -> dict:
    return {
        "comments": [
            {
                "id": comment.pk,
                "lesson": comment.lesson.key,
                "lesson_title": comment.lesson.title,
                "reply_to": comment.parent_id,
                "body": comment.body,
                "created_at": iso(comment.created_at),
                "edited_at": iso(comment.edited_at),
                "deleted": comment.is_deleted,
                "hidden": comment.is_hidden,
            }
            for comment in Comment.objects.filter(author=user).select_related("lesson").order_by("created_at", "pk")
        ],
        "notifications": [
            {"kind": kind, "comment": comment_id, "created_at": iso(created), "read_at": iso(read)}
            for kind, comment_id, created, read in Notification.objects.filter(recipient=user)
            .order_by("created_at", "pk")
            .values_list("kind", "comment_id", "created_at", "read_at")
        ],
        "lesson_notification_settings": [
            {"lesson": key, "mode": mode}
            for key, mode in LessonSubscription.objects.filter(user=user).values_list("lesson__key", "mode")
        ],
        "flags": [
            {"comment": comment_id, "created_at": iso(created)}
            for comment_id, created in Flag.objects.filter(user=user).values_list("comment_id", "created_at")
        ],
    }
