"""What the URL-generated tests (tests/test_url_matrix.py, tests/test_hostile_input.py) need:
every named URL pattern of the site, a small world of objects for their arguments, and the
people who visit them."""

from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from comments.models import Comment, Flag, LessonSubscription, Notification
from comments.tokens import unsubscribe_token
from lessons.models import Lesson, Report, Status, Tag
from progress.models import Completion, Profile
from tests.conftest import make_quest, make_user

ROLES = ("anonymous", "learner", "other", "unverified", "staff", "superuser")


def named_patterns() -> dict[str, str]:
    """Every named URL pattern of the site (namespaced name → route), walked from the root resolver.

    The first pattern of a name wins, as in ``reverse()`` (``account_email`` is ours, then allauth's)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.setdefault(name, prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "", None)
    return found


@dataclass
class World:
    """The objects every URL's arguments come from, and one signed-in client per role."""

    lesson: Lesson
    draft: Lesson
    comment: Comment  # by the learner, on the published lesson
    reply: Comment  # by the other learner, answering it
    draft_comment: Comment  # by the learner, on a lesson since taken back to draft
    report: Report
    users: dict

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def make_world() -> World:
    quest = make_quest("matrix", lessons=2)
    lesson, draft = quest.lessons.order_by("position")
    tag = Tag.objects.create(name="history", slug="history")
    lesson.tags.add(tag)
    users = {
        "learner": make_user("learner.matrix@example.com"),
        "other": make_user("other.matrix@example.com"),
        "unverified": make_user("unverified.matrix@example.com", verified=False),
        "staff": make_user("staff.matrix@example.com", is_staff=True),
        "superuser": make_user("super.matrix@example.com", is_staff=True, is_superuser=True),
    }
    learner = users["learner"]
    Profile.objects.create(user=learner, display_name="Matrix Learner")
    Completion.objects.create(user=learner, lesson=lesson, completed_at=timezone.now())
    comment = Comment.objects.create(lesson=lesson, author=learner, body="A comment by the learner.")
    reply = Comment.objects.create(lesson=lesson, author=users["other"], body="An answer.", parent=comment)
    draft_comment = Comment.objects.create(lesson=draft, author=learner, body="Said while it was published.")
    Lesson.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    draft.refresh_from_db()
    Flag.objects.create(comment=reply, user=learner)
    LessonSubscription.objects.create(user=learner, lesson=lesson, mode=LessonSubscription.Mode.choices[0][0])
    Notification.objects.create(recipient=learner, comment=reply, kind=Notification.Kind.choices[0][0])
    report = Report.objects.create(user=learner, kind=Report.Kind.BUG, body="A report.", lesson=lesson)
    return World(
        lesson=lesson, draft=draft, comment=comment, reply=reply, draft_comment=draft_comment, report=report,
        users=users,
    )  # fmt: skip


def url_kwargs(world: World) -> dict[str, dict]:
    """The arguments of each named pattern that takes some (``name|variant`` for a second set)."""
    lesson, draft = world.lesson, world.draft
    token = unsubscribe_token(world.users["learner"])
    return {
        "lessons:quest": {"slug": lesson.quest.slug},
        "lessons:tag": {"slug": "history"},
        "lessons:lesson": {"quest_slug": lesson.quest.slug, "slug": lesson.slug},
        "lessons:lesson|draft": {"quest_slug": draft.quest.slug, "slug": draft.slug},
        "comments:create": {"lesson_id": lesson.pk},
        "comments:create|draft": {"lesson_id": draft.pk},
        "comments:subscription": {"lesson_id": lesson.pk},
        "comments:subscription|draft": {"lesson_id": draft.pk},
        **{f"comments:{name}": {"pk": world.comment.pk} for name in COMMENT_ACTIONS},
        **{f"comments:{name}|draft": {"pk": world.draft_comment.pk} for name in COMMENT_ACTIONS},
        "comments:unsubscribe": {"token": token},
        "comments:unsubscribe|forged": {"token": token[:-2] + "xx"},
        "comments:resubscribe": {"token": token},
        "account_confirm_email": {"key": "not-a-real-key"},
        "account_reset_password_from_key": {"uidb36": "zz", "key": "not-a-real-key"},
        "progress:api_catalogue": {"version": "any-version"},  # any: an old one still gets the current document
    }


COMMENT_ACTIONS = ("permalink", "reply", "edit", "delete", "flag", "hide", "unhide")


def admin_object_id(name: str) -> str | None:
    """For an admin URL that takes an object id, the id of an object of its model (or "0": none)."""
    from django.contrib import admin

    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            first = model._default_manager.order_by("pk").first()
            return str(first.pk) if first is not None else "0"
    return None
