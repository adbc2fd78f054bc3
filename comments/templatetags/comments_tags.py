"""The comments app's parts of other pages: the lesson page's thread and the header's 🔔."""

from django import template

from comments import selectors, shared_thread, thread_html
from comments.models import MAX_DEPTH
from infra import page_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_thread(context, lesson) -> shared_thread.ThreadArea:
    """The lesson's comments for the viewer, in the order the reader chose (?comments=newest)."""
    request = context["request"]
    order = request.GET.get("comments", selectors.ORDER_OLDEST)
    area = shared_thread.thread_area(lesson=lesson, user=request.user, order=order)
    page_cache.changes_at(request, area.changes_at)  # a learner's kept copy must not outlive an Edit link
    return area


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.unread_count(user=user)


@register.simple_tag
def comment_item(comment):
    """One comment's <li> with its replies."""
    return thread_html.comment_item(comment)


@register.simple_tag
def comment_article(comment, notice=""):
    """One comment's <article>, without its replies (what an edit or a moderation action replaces)."""
    return thread_html.comment_article(comment, notice=notice)


@register.simple_tag
def comment_max_depth() -> int:
    """How deep replies nest on the page (comments.models.MAX_DEPTH), handed to comments.js."""
    return MAX_DEPTH
