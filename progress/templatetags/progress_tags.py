"""The progress parts of every page: the standing area, the lesson's complete button,
quest progress, done marks and "continue where you left off".

One standing is computed per request (a fixed number of queries, see
``selectors.standing_for``) and shared by every tag on the page. The same tags embed,
with ``json_script``, what the browser needs to keep an anonymous learner's standing
from localStorage (``presentation.browser_payload``): the address of the published lessons'
document (``progress:api_catalogue``, which the browser keeps), the level table, the totals
and the interface's sentences in the page's language.
The rules stay in Python (``progress.rules``); the browser applies the few it must in
``static/js/standing.js``.
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from progress import names, presentation, selectors

register = template.Library()


def _standing(context) -> selectors.Standing:
    request = context.get("request")
    return selectors.standing_for(None) if request is None else selectors.standing_for_request(request)


@register.inclusion_tag("progress/_standing.html", takes_context=True)
def standing_area(context) -> dict:
    standing = _standing(context)
    return {
        "standing": standing,
        "lines": presentation.standing_lines(standing),
        "data": presentation.browser_payload(standing),
    }


@register.inclusion_tag("progress/_lesson_progress.html", takes_context=True)
def lesson_progress(context, lesson) -> dict:
    standing = _standing(context)
    request = context.get("request")
    path = request.get_full_path() if request else lesson.get_absolute_url()
    return {
        "lesson": lesson,
        "csrf_token": context.get("csrf_token"),
        "signed_in": standing.signed_in,
        "countable": lesson.key in standing.catalog.by_key,
        "done": lesson.key in standing.completed,
        "completed_at": standing.completed.get(lesson.key),
        "next": path,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': path})}",
    }


@register.inclusion_tag("progress/_quest_progress.html", takes_context=True)
def quest_progress(context, quest) -> dict:
    standing = _standing(context)
    total = standing.catalog.quest_totals.get(quest.pk, 0)
    done = standing.quest_done(quest.pk)
    return {
        "quest": quest,
        "total": total,
        "done": done,
        "text": presentation.quest_line(done=done, total=total),
    }


@register.inclusion_tag("progress/_continue.html", takes_context=True)
def continue_learning(context) -> dict:
    standing = _standing(context)
    return {
        "target": standing.continue_target,
        "signed_in": standing.signed_in,
        "order": presentation.reading_order(standing),
    }


@register.simple_tag(takes_context=True)
def lesson_done(context, lesson) -> bool:
    """Whether the learner completed this lesson (for signed-in learners; the browser marks the rest)."""
    return lesson.key in _standing(context).completed


@register.inclusion_tag("progress/_quest_complete.html", takes_context=True)
def quest_complete(context, quest, next_quest=None) -> dict:
    """ "Quest complete", when, and what comes next: rendered for signed-in learners who finished it;
    for anonymous visitors it stays hidden until the browser finds every lesson in its local progress."""
    standing = _standing(context)
    total = standing.catalog.quest_totals.get(quest.pk, 0)
    finished = bool(total) and standing.quest_done(quest.pk) >= total
    finished_at = None
    if finished:
        finished_at = max(
            moment for key, moment in standing.completed.items() if standing.catalog.by_key[key].quest_id == quest.pk
        )
    return {"quest": quest, "next_quest": next_quest, "finished": finished, "finished_at": finished_at}


@register.inclusion_tag("progress/_name_invite.html", takes_context=True)
def name_invite(context) -> dict:
    """Above the comment form: a learner who has not chosen a public name is told how they
    appear ("Learner 4821") and invited to choose one. No query: the standing read the profile."""
    standing = _standing(context)
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (standing.signed_in and not standing.name_chosen and user is not None):
        return {"show": False, "default_name": ""}
    return {"show": True, "default_name": names.default_name(user.pk)}
