"""Fixtures for search: lessons with chosen text, the demo content, a search helper."""

import pytest
from django.contrib.auth.models import AnonymousUser

from lessons.models import Lesson, Quest, Status, Tag
from search.selectors import lessons_search


def found(query: str, user=None) -> list[str]:
    """The slugs a search returns, best first."""
    return [hit.lesson.slug for hit in lessons_search(query=query, user=user or AnonymousUser()).hits]


def make_lesson(quest: Quest, position: int, *, title: str, summary: str = "", body: str = "", tags=(), **extra):
    slug = extra.pop("slug", f"{quest.slug}-{position}")
    lesson = Lesson.objects.create(
        quest=quest,
        position=position,
        key=slug,
        slug=slug,
        title=title,
        summary=summary,
        body=body,
        status=extra.pop("status", Status.PUBLISHED),
        **extra,
    )
    for name in tags:
        tag, _ = Tag.objects.get_or_create(slug=name, defaults={"name": name})
        lesson.tags.add(tag)
    return lesson


@pytest.fixture
def history(db):
    return Quest.objects.create(title="딥러닝의 역사", slug="history", order=1)
