"""Reads the lesson pages need, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from lessons.models import Lesson, Quest, Status, Tag


def _lesson_filter_for(user) -> Q:
    """The condition on Lesson rows, seen from a Quest, for what this user may see."""
    if user.is_staff:
        return Q()
    return Q(lessons__status=Status.PUBLISHED)


def quest_list(*, user) -> QuerySet[Quest]:
    """Quests in order with their visible lessons (2 queries); empty quests only for staff."""
    lessons = Lesson.objects.visible_to(user).only("id", "quest_id", "key", "title", "slug", "position", "xp", "status")
    quests = (
        Quest.objects.visible_to(user)
        .annotate(lesson_count=Count("lessons", filter=_lesson_filter_for(user)))
        .order_by("order", "pk")  # Meta.ordering does not apply to GROUP BY queries
        .prefetch_related(Prefetch("lessons", queryset=lessons.order_by("position"), to_attr="visible_lessons"))
    )
    return quests if user.is_staff else quests.filter(lesson_count__gt=0)


def quest_detail(*, slug: str, user) -> Quest:
    """A quest with its visible lessons and their tags (3 queries); 404 for drafts."""
    lessons = Lesson.objects.visible_to(user).order_by("position").prefetch_related("tags")
    return get_object_or_404(
        Quest.objects.visible_to(user).prefetch_related(
            Prefetch("lessons", queryset=lessons, to_attr="visible_lessons")
        ),
        slug=slug,
    )


def tag_detail(*, slug: str, user) -> tuple[Tag, QuerySet[Lesson]]:
    tag = get_object_or_404(Tag, slug=slug)
    lessons = tag.lessons.visible_to(user).select_related("quest").prefetch_related("tags").in_order()
    return tag, lessons


@dataclass(frozen=True)
class LessonContext:
    lesson: Lesson
    number: int  # 1-based place among the quest's visible lessons
    total: int
    previous: Lesson | None
    next: Lesson | None


def lesson_detail(*, quest_slug: str, slug: str, user) -> LessonContext:
    """A lesson with its quest, tags, links and neighbours (4 queries); 404 for drafts."""
    lesson = get_object_or_404(
        Lesson.objects.visible_to(user).select_related("quest").prefetch_related("tags", "links"),
        quest__slug=quest_slug,
        slug=slug,
    )
    siblings = list(
        Lesson.objects.visible_to(user)
        .filter(quest_id=lesson.quest_id)
        .order_by("position")
        .only("id", "title", "slug", "position", "quest_id")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == lesson.pk)
    for sibling in siblings:
        sibling.quest = lesson.quest  # get_absolute_url() without a query per sibling
    return LessonContext(
        lesson=lesson,
        number=index + 1,
        total=len(siblings),
        previous=siblings[index - 1] if index > 0 else None,
        next=siblings[index + 1] if index + 1 < len(siblings) else None,
    )


def with_place_in_quest(lessons: QuerySet[Lesson], *, user) -> QuerySet[Lesson]:
    """Annotate ``place_number`` and ``place_total``: "Lesson N of M" as ``lesson_detail`` counts it
    (N is the place among the quest's lessons visible to this user, by position), for any number
    of lessons within the same query."""
    siblings = Lesson.objects.visible_to(user).filter(quest_id=OuterRef("quest_id")).order_by()
    count = Func(F("id"), function="COUNT")
    return lessons.annotate(
        place_number=Subquery(siblings.filter(position__lte=OuterRef("position")).annotate(n=count).values("n")),
        place_total=Subquery(siblings.annotate(n=count).values("n")),
    )
