"""Reads the lesson pages need, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from infra import page_cache
from lessons.models import Lesson, Quest, Tag


def quest_list(*, user) -> QuerySet[Quest]:
    """Quests in order with their visible lessons (2 queries); empty quests only for staff."""
    lessons = Lesson.objects.visible_to(user).only("id", "quest_id", "key", "title", "slug", "position", "xp", "status")
    quests = (
        Quest.objects.visible_to(user)
        .annotate(lesson_count=Count("lessons", filter=Q(lessons__in=Lesson.objects.visible_to(user))))
        .order_by("order", "pk")  # Meta.ordering does not apply to GROUP BY queries
        .prefetch_related(Prefetch("lessons", queryset=lessons.order_by("position"), to_attr="visible_lessons"))
    )
    return quests if user.is_staff else quests.filter(lesson_count__gt=0)


def _next_quest(quest: Quest, *, user) -> Quest | None:
    """The quest after this one in the site's order that has a lesson this user may see (1 query)."""
    later = Q(order__gt=quest.order) | Q(order=quest.order, pk__gt=quest.pk)
    return (
        Quest.objects.visible_to(user)
        .filter(later, lessons__in=Lesson.objects.visible_to(user))
        .order_by("order", "pk")
        .first()
    )


@dataclass(frozen=True)
class QuestPage:
    quest: Quest
    lessons: list[Lesson]  # in order; a lesson's place in the list is its number ("Lesson 3 of 9")
    minutes: int  # the whole quest's estimated reading time
    next_quest: Quest | None

    @property
    def offline_lessons(self) -> list[dict[str, str]]:
        """What the service worker saves for "Save for offline", and when each copy is stale."""
        return [{"url": lesson.get_absolute_url(), "version": lesson.content_version} for lesson in self.lessons]


def quest_page(*, slug: str, user) -> QuestPage:
    """A quest with its visible lessons, their tags, and the quest that follows (4 queries); 404 for drafts."""
    quest = get_object_or_404(Quest.objects.visible_to(user), slug=slug)
    lessons = list(Lesson.objects.visible_to(user).filter(quest=quest).order_by("position").prefetch_related("tags"))
    for lesson in lessons:
        lesson.quest = quest  # get_absolute_url() without a query per lesson
    return QuestPage(
        quest=quest,
        lessons=lessons,
        minutes=sum(lesson.minutes for lesson in lessons),
        next_quest=_next_quest(quest, user=user),
    )


@dataclass(frozen=True)
class NumberedLesson:
    lesson: Lesson
    number: int  # its place among the quest's lessons this user may see
    total: int


def tag_detail(*, slug: str, user) -> tuple[Tag, list[NumberedLesson]]:
    """A tag's visible lessons, each with its quest and its place in it (4 queries)."""
    tag = get_object_or_404(Tag, slug=slug)
    lessons = list(tag.lessons.visible_to(user).select_related("quest").prefetch_related("tags").in_order())
    places: dict[int, int] = {}
    totals: dict[int, int] = {}
    siblings = (
        Lesson.objects.visible_to(user)
        .filter(quest_id__in={lesson.quest_id for lesson in lessons})
        .order_by("quest_id", "position")
        .values_list("id", "quest_id")
    )
    for lesson_id, quest_id in siblings:
        totals[quest_id] = totals.get(quest_id, 0) + 1
        places[lesson_id] = totals[quest_id]
    return tag, [NumberedLesson(lesson, places[lesson.pk], totals[lesson.quest_id]) for lesson in lessons]


def tag_index(*, user) -> QuerySet[Tag]:
    """Tags that carry a lesson this user may see, with how many (1 query)."""
    return (
        Tag.objects.filter(lessons__in=Lesson.objects.visible_to(user))
        .annotate(lesson_count=Count("lessons", distinct=True))
        .order_by("name")
    )


@dataclass(frozen=True)
class LessonContext:
    lesson: Lesson
    number: int  # 1-based place among the quest's visible lessons
    total: int
    previous: Lesson | None
    next: Lesson | None
    next_quest: Quest | None  # only looked up for a quest's last lesson


def lesson_detail(*, quest_slug: str, slug: str, user) -> LessonContext:
    """A lesson with its quest, tags, links and neighbours; 404 for drafts.

    Everyone but staff sees the same published lesson: it is read once per content version in
    this process (``infra.page_cache.shared``; 4 or 5 queries then, none after). Staff, who also
    see drafts, read it each time. Pages must not change what they are handed."""
    if user.is_staff:
        return _lesson_detail(quest_slug=quest_slug, slug=slug, user=user)
    return page_cache.shared(
        f"lessons:lesson:{quest_slug}/{slug}", lambda: _lesson_detail(quest_slug=quest_slug, slug=slug, user=user)
    )


def _lesson_detail(*, quest_slug: str, slug: str, user) -> LessonContext:
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
        next_quest=_next_quest(lesson.quest, user=user) if index + 1 == len(siblings) else None,
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
