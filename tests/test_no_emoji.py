"""No page draws a symbol with an emoji (SPEC 10: icons never depend on an emoji font).

On a system without an emoji font an emoji is an empty box, so the site's own symbols are
inline SVG (``infra.icons``). The main pages are rendered in English and Korean, signed in
and not, with a comment and an earned achievement on them; only what people wrote (the
lesson and the comment) may hold emoji. The few symbols every text font has (✓ → ←) are fine.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments import services as comments
from lessons.models import Tag
from progress import services
from tests.conftest import make_quest, make_user

EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]")
FONT_SYMBOLS = {"✓", "→", "←"}
WRITTEN = "Loved this 🎉 — the 1958 perceptron ✨"  # a learner's comment: theirs to write


def emoji_in(html: str) -> list[str]:
    return sorted(set(EMOJI.findall(html.replace(WRITTEN, ""))) - FONT_SYMBOLS - {"\ufe0f"})


@pytest.fixture
def site(db):
    quest = make_quest("walk")
    lesson = quest.lessons.order_by("position").first()
    lesson.tags.add(Tag.objects.create(name="history", slug="history"))
    learner = make_user("learner@example.com")
    services.lesson_complete(user=learner, lesson=lesson)  # "First steps" earned, the rest locked
    other = make_user("other@example.com")
    posted = comments.comment_create(author=learner, lesson=lesson, body=WRITTEN)
    comments.comment_create(author=other, lesson=lesson, body="A reply.", parent=posted.comment)  # a notification
    return {
        "home": "/",
        "quest": quest.get_absolute_url(),
        "lesson": lesson.get_absolute_url(),
        "tags": reverse("lessons:tags"),
        "tag": reverse("lessons:tag", args=["history"]),
        "search": f"{reverse('search:results')}?q=lesson",
        "report": f"{reverse('lessons:report')}?lesson={lesson.key}",
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "not-found": "/quests/no-such-quest/",
        "learner": learner,
    }


SIGNED_IN_ONLY = {"dashboard": "/dashboard/", "settings": "/settings/", "notifications": "/notifications/"}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_no_page_draws_an_emoji(site, language):
    learner = site.pop("learner")
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(learner)
    pages = [(anonymous, name, url) for name, url in site.items()]
    pages += [
        (signed_in, name, url) for name, url in (site | SIGNED_IN_ONLY).items() if name not in {"login", "signup"}
    ]
    found = {}
    for client, name, url in pages:
        response = client.get(url, headers={"accept-language": language})
        assert response.status_code in {200, 404}, (name, response.status_code)
        html = response.content.decode()
        if name == "lesson":
            assert WRITTEN in html  # the comment is on the page: what it holds is left alone
        if left := emoji_in(html):
            found[f"{name} ({'signed in' if client is signed_in else 'anonymous'})"] = left
    assert not found


def test_the_check_finds_an_emoji_symbol_and_spares_font_symbols():
    assert emoji_in("<span>🔒</span> <span>🏅</span> <p>⚡</p>") == ["⚡", "🏅", "🔒"]
    assert emoji_in("<span>✓ done</span> <a>← Previous</a> <a>Next →</a>") == []
    assert emoji_in(f"<p>{WRITTEN}</p>") == []
