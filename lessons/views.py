"""Lesson pages: thin views over lessons.selectors."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from infra.page_cache import cached_page
from lessons import selectors
from lessons.markdown import EXERCISE_ID_PREFIX, render_lesson


@require_safe  # pages: a POST here is a mistake (405), never a page served from the cache
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    quests = selectors.quest_list(user=request.user)
    return render(request, "lessons/home.html", {"quests": quests})


@require_safe  # pages: a POST here is a mistake (405), never a page served from the cache
@cached_page
def quest(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.quest_page(slug=slug, user=request.user)
    return render(request, "lessons/quest.html", {"page": page, "quest": page.quest, "lessons": page.lessons})


@require_safe  # pages: a POST here is a mistake (405), never a page served from the cache
@cached_page
def tag_list(request: HttpRequest) -> HttpResponse:
    return render(request, "lessons/tags.html", {"tags": selectors.tag_index(user=request.user)})


@require_safe  # pages: a POST here is a mistake (405), never a page served from the cache
@cached_page
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    tag, rows = selectors.tag_detail(slug=slug, user=request.user)
    return render(request, "lessons/tag.html", {"tag": tag, "rows": rows})


# The comment order the comments part reads (comments.selectors.ORDERS); every other parameter is dropped.
@require_safe
@cached_page(params={"comments": ("oldest", "newest")}, learners=True)
def lesson(request: HttpRequest, quest_slug: str, slug: str) -> HttpResponse:
    context = selectors.lesson_detail(quest_slug=quest_slug, slug=slug, user=request.user)
    return render(request, "lessons/lesson.html", {"page": context, "lesson": context.lesson})


@staff_member_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """Render unsaved Markdown through the same pipeline as a saved lesson (opened from the admin form)."""
    body = render_lesson(request.POST.get("body", ""))
    exercise = render_lesson(request.POST.get("exercise", ""), id_prefix=EXERCISE_ID_PREFIX)
    return render(
        request,
        "lessons/preview.html",
        {"title": request.POST.get("title", ""), "body": body, "exercise_html": exercise.html},
    )
