"""The progress parts of every page: the standing area, the lesson's complete button,
quest progress, done marks and "continue where you left off".

One standing is computed per request (a fixed number of queries, see
``selectors.standing_for``) and shared by every tag on the page. The same tags embed,
with ``json_script``, what the browser needs to keep an anonymous learner's standing
from localStorage: the published lessons with their XP, the level table, the totals and
the interface's sentences in the page's language. The rules stay here, in Python.
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from progress import selectors

register = template.Library()


def _standing(context) -> selectors.Standing:
    request = context.get("request")
    return selectors.standing_for(None) if request is None else selectors.standing_for_request(request)


def client_strings() -> dict[str, str]:
    """Sentences the page and progress.js both show, translated once, on the server.

    Placeholders are Python's ``%(name)s``; progress.js fills them in the same way."""
    return {
        "level": _("Level %(number)s"),
        "xp": _("%(xp)s XP"),
        "lessons": _("%(done)s/%(total)s lessons"),
        "achievements": _("%(earned)s/%(total)s achievements"),
        "to_next": _("%(into)s/%(span)s XP to next level"),
        "to_go": _("%(left)s XP to go"),
        "percent": _("%(percent)s%% complete"),
        "top": _("Top level reached"),
        "quest": _("%(done)s of %(total)s lessons done"),
        # Literal arguments, so that makemessages finds them.
        "added_one": ngettext(
            "%(count)s lesson from this device was added to your account",
            "%(count)s lessons from this device were added to your account",
            1,
        ),
        "added_other": ngettext(
            "%(count)s lesson from this device was added to your account",
            "%(count)s lessons from this device were added to your account",
            2,
        ),
        "level_up": _("Level up! You are now level %(number)s, %(name)s."),
        "achievement": _("Achievement earned: %(icon)s %(name)s"),
        "mark": _("Mark as complete"),
        "undo": _("Undo"),
        "marked": _("Lesson marked complete. You have %(xp)s XP."),
        "unmarked": _("Lesson no longer marked complete. You have %(xp)s XP."),
        "failed": _("Your progress could not be saved. Check your connection and try again."),
        "storage": _("This browser does not let the site store progress. Sign in to keep it on your account."),
        "continue": _("Continue where you left off:"),
        "start": _("Start with the first lesson:"),
        "all_done": _("You have completed every lesson. Well done!"),
    }


def standing_lines(state: dict, strings: dict[str, str]) -> dict[str, str]:
    """The standing area's sentences for a progress state (the API's shape)."""
    level = state["level"]
    xp = state["xp"]
    next_at = level["next_at"]
    span = None if next_at is None else next_at - level["xp_floor"]
    into = xp - level["xp_floor"]
    percent = 100 if not span else min(100, into * 100 // span)
    return {
        "level": strings["level"] % {"number": level["number"]},
        "level_name": level["name"],
        "xp": strings["xp"] % {"xp": xp},
        "lessons": strings["lessons"] % {"done": state["lessons_completed"], "total": state["lessons_total"]},
        "achievements": strings["achievements"]
        % {"earned": len(state["achievements"]), "total": state["achievements_total"]},
        "to_next": "" if span is None else strings["to_next"] % {"into": into, "span": span},
        "to_go": "" if span is None else strings["to_go"] % {"left": next_at - xp},
        "top": strings["top"] if span is None else "",
        "percent": strings["percent"] % {"percent": percent},
        "percent_value": percent,
    }


@register.inclusion_tag("progress/_standing.html", takes_context=True)
def standing_area(context) -> dict:
    standing = _standing(context)
    strings = client_strings()
    state = standing.as_api()
    data = {
        "signedIn": standing.signed_in,
        "lessons": [[lesson.key, lesson.xp, lesson.quest_id] for lesson in standing.catalog.lessons],
        "levels": [list(row) for row in standing.levels],
        "achievementsTotal": standing.achievements_total,
        "state": state if standing.signed_in else None,
        "strings": strings,
        "api": {
            "sync": reverse("progress:api_sync"),
            "complete": reverse("progress:api_complete"),
            "uncomplete": reverse("progress:api_uncomplete"),
        },
    }
    return {"standing": standing, "lines": standing_lines(state, strings), "data": data}


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
        "text": _("%(done)s of %(total)s lessons done") % {"done": done, "total": total},
    }


@register.inclusion_tag("progress/_continue.html", takes_context=True)
def continue_learning(context) -> dict:
    standing = _standing(context)
    target = selectors.continue_target(catalog=standing.catalog, completed=standing.completed)
    return {
        "target": target,
        "signed_in": standing.signed_in,
        "order": [[lesson.key, lesson.title, lesson.url] for lesson in standing.catalog.lessons],
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
