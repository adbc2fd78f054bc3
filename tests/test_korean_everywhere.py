"""Every page and message of every app, in Korean: no sentence the catalogue translates is left in English.

A learner who chose 한국어 (the language switcher sets the ``django_language`` cookie) walks the site:
the public pages, their own pages, the comments area as each role sees it, the pages the comments
views show without JavaScript, the fragments they send to comments.js, every message they flash, the
error pages and allauth's sign-in and sign-up. Each page is searched for the English text of every
entry in ``locale/ko/LC_MESSAGES/django.po`` that has a Korean translation; finding one means a
sentence was translated too early (``gettext`` at import time) or not at all.

Short entries ("Hide", "Sign in") are left out: they occur inside ordinary words and content too
often to mean anything. Placeholders (``%(name)s``) match any short text.
"""

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from comments import services
from comments.models import Comment, Notification
from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as site_urlpatterns
from lessons.forms import report_form_token
from lessons.models import Lesson, Report, Tag
from tests.conftest import make_quest, make_user

PO_FILE = settings.BASE_DIR / "locale" / "ko" / "LC_MESSAGES" / "django.po"
MIN_CHARS, MIN_WORDS = 15, 4
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
PARTIAL = {"HTTP_X_REQUESTED_WITH": "fetch"}
PASSWORD = "correct-horse-battery-staple"


# --- the catalogue ---


def _unquote(line: str) -> str:
    """The text of one quoted .po line: "a \\"b\\"\\n" -> a "b" (newline)."""
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def parse_po(text: str) -> list[tuple[list[str], str, bool]]:
    """(msgid and msgid_plural, first msgstr, fuzzy) per entry: just enough of the .po format for this test."""
    entries: list[tuple[list[str], str, bool]] = []
    fields: dict[str, str] = {}
    fuzzy = False
    current = ""

    def flush() -> None:
        nonlocal fields, fuzzy
        if fields.get("msgid"):
            ids = [fields["msgid"], *([fields["msgid_plural"]] if "msgid_plural" in fields else [])]
            entries.append((ids, fields.get("msgstr", fields.get("msgstr[0]", "")), fuzzy))
        fields, fuzzy = {}, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += _unquote(line)
        else:
            keyword = line.split(" ", 1)[0]
            if keyword in ("msgctxt", "msgid") and "msgid" in fields:  # a new entry without a blank line
                flush()
            current = keyword
            fields[current] = _unquote(line)
    flush()
    return entries


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _long_enough(msgid: str) -> bool:
    literal = PLACEHOLDER.sub("", msgid)
    return len(literal.strip()) >= MIN_CHARS or len(literal.split()) >= MIN_WORDS


@cache
def translated_sentences() -> dict[str, re.Pattern[str]]:
    """Each long enough English msgid with a different, non-empty Korean msgstr -> a pattern finding it."""
    patterns = {}
    for ids, msgstr, fuzzy in parse_po(PO_FILE.read_text(encoding="utf-8")):
        if fuzzy or not msgstr:
            continue
        for msgid in ids:
            english = _normalise(msgid)
            if english == _normalise(msgstr) or english in msgstr or not _long_enough(english):
                continue
            literals = [re.escape(part) for part in PLACEHOLDER.split(english)]
            patterns[english] = re.compile(r".{0,200}?".join(literals))
    return patterns


def english_left(page: str) -> list[str]:
    """The catalogue's English sentences found in a page (entities decoded, white space collapsed)."""
    text = _normalise(html.unescape(page))
    return sorted(msgid for msgid, pattern in translated_sentences().items() if pattern.search(text))


def test_the_catalogue_parser_finds_the_translated_sentences():
    sentences = translated_sentences()
    assert len(sentences) > 200
    assert "Thanks. Staff will review this comment." in sentences
    assert "Achievement earned: %(name)s" in sentences  # placeholders kept
    assert "Hide" not in sentences  # too short to mean anything


def test_the_checker_finds_english_sentences_and_passes_korean_ones():
    english = '<p class="notice">Thanks. Staff will review this comment.</p><a data-confirm="Delete this comment?">'
    assert english_left(english) == ["Delete this comment?", "Thanks. Staff will review this comment."]
    assert "Achievement earned: %(name)s" in english_left("<p>Achievement earned: First words</p>")
    assert english_left("<p>감사해요. 운영진이 이 댓글을 검토할 거예요.</p>") == []


# --- the site, in Korean ---


def forbidden(request):
    raise PermissionDenied


# This module doubles as a URL configuration: the site plus one page that raises PermissionDenied,
# so the 403 page is rendered by the site's own handler. The handlers are re-exported for Django.
urlpatterns = [path("test-forbidden/", forbidden), *site_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@dataclass
class Site:
    lesson: Lesson
    quest_url: str
    tag_url: str
    author: object
    other: object
    staff: object
    unverified: object
    mine: Comment  # by `author`, with a reply by `other`
    theirs: Comment  # by `other`
    hidden: Comment  # by `other`, hidden by staff
    deep: Comment  # fourth level: shown "to <name>" at the third

    def korean(self, user=None) -> Client:
        """A browser that chose 한국어 with the site's own switcher (the django_language cookie)."""
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.post(reverse("set_language"), {"language": "ko", "next": "/"})
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
        return client


@pytest.fixture
def site(db) -> Site:
    quest = make_quest("korean-walk")
    lesson = quest.lessons.order_by("position").first()
    lesson.tags.add(Tag.objects.create(name="history", slug="history"))
    author, other = make_user("author@example.com"), make_user("other@example.com")
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    unverified = make_user("unverified@example.com", verified=False)
    mine = services.comment_create(author=author, lesson=lesson, body="Mine, 1").comment
    reply = services.comment_create(author=other, lesson=lesson, body="Reply, 2", parent=mine).comment
    third = services.comment_create(author=author, lesson=lesson, body="Third, 3", parent=reply).comment
    deep = services.comment_create(author=other, lesson=lesson, body="Deep, 4", parent=third).comment
    theirs = services.comment_create(author=other, lesson=lesson, body="Theirs, 5").comment
    hidden = Comment.objects.create(lesson=lesson, author=other, body="Hidden, 6", is_hidden=True)
    Comment.objects.filter(pk=reply.pk).update(edited_at=timezone.now())
    assert Notification.objects.filter(recipient=author).exists()
    return Site(
        lesson=lesson,
        quest_url=quest.get_absolute_url(),
        tag_url=reverse("lessons:tag", args=["history"]),
        author=author,
        other=other,
        staff=staff,
        unverified=unverified,
        mine=mine,
        theirs=theirs,
        hidden=hidden,
        deep=deep,
    )


def _page(client: Client, url: str, *, status: int = 200, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == status, url
    return response.content.decode()


def _post(client: Client, url: str, data: dict | None = None, *, status: int = 200, **extra) -> str:
    """POST, follow the redirect (so the flashed message is on the page) and return what is shown."""
    response = client.post(url, data or {}, follow=not extra, **extra)
    assert response.status_code == status, url
    return response.content.decode()


def _action(name: str, comment_attr: str) -> Callable[[Site, Client], str]:
    return lambda s, c: _post(c, reverse(f"comments:{name}", args=[getattr(s, comment_attr).pk]))


def _report(s: Site, c: Client, **extra) -> str:
    data = {
        "kind": Report.Kind.TYPO,
        "body": "Paragraph two has a typo.",
        "email": "",
        "lesson": s.lesson.key,
        "page": s.lesson.get_absolute_url(),
        "completed": "",
        "started": report_form_token(issued_at=time.time() - 30),
        "website": "",
    }
    response = c.post(reverse("lessons:report"), data, follow=not extra, **extra)
    assert response.status_code in (200, 201)
    return response.content.decode()


def _first_comment(s: Site, c: Client, **extra) -> str:
    """Staff have not commented yet: their first comment earns an achievement, announced with it."""
    shown = _post(
        c, reverse("comments:create", args=[s.lesson.pk]), {"body": "First, 11"}, status=201 if extra else 200, **extra
    )
    assert "업적 달성" in shown  # "Achievement earned", so the announcement really is on the page checked
    return shown


def _flag_twice(s: Site, c: Client) -> str:
    _post(c, reverse("comments:flag", args=[s.theirs.pk]))
    return _post(c, reverse("comments:flag", args=[s.theirs.pk]), status=400)


def _edit_late(s: Site, c: Client) -> str:
    Comment.objects.filter(pk=s.mine.pk).update(created_at=timezone.now() - timedelta(hours=1))
    return _page(c, reverse("comments:edit", args=[s.mine.pk]), status=403)


# (who is signed in, what they do) -> the HTML they are shown
WALK: dict[str, tuple[str | None, Callable[[Site, Client], str]]] = {
    # public pages, as a visitor and as a member
    "home": (None, lambda s, c: _page(c, "/")),
    "home signed in": ("author", lambda s, c: _page(c, "/")),
    "quest": (None, lambda s, c: _page(c, s.quest_url)),
    "tag": (None, lambda s, c: _page(c, s.tag_url)),
    "lesson anonymous": (None, lambda s, c: _page(c, s.lesson.get_absolute_url())),
    "lesson author": ("author", lambda s, c: _page(c, s.lesson.get_absolute_url())),
    "lesson other": ("other", lambda s, c: _page(c, s.lesson.get_absolute_url() + "?comments=newest")),
    "lesson staff": ("staff", lambda s, c: _page(c, s.lesson.get_absolute_url())),
    "lesson unverified": ("unverified", lambda s, c: _page(c, s.lesson.get_absolute_url())),
    # a member's own pages
    "dashboard": ("author", lambda s, c: _page(c, reverse("progress:dashboard"))),
    "settings": ("author", lambda s, c: _page(c, reverse("progress:settings"))),
    "notifications": ("author", lambda s, c: _page(c, reverse("comments:notifications"))),
    "notifications read all": ("author", lambda s, c: _post(c, reverse("comments:read_all"))),
    # report a problem
    "report form": (None, lambda s, c: _page(c, reverse("lessons:report") + f"?lesson={s.lesson.key}")),
    "report form in place": ("author", lambda s, c: _page(c, reverse("lessons:report"), **PARTIAL)),
    "report sent": (None, _report),
    "report sent in place": ("author", lambda s, c: _report(s, c, **PARTIAL)),
    # the comments views without JavaScript: pages, confirmations, refusals, flashed messages
    "reply page": ("other", lambda s, c: _page(c, reverse("comments:reply", args=[s.mine.pk]))),
    "reply page unverified": ("unverified", lambda s, c: _page(c, reverse("comments:reply", args=[s.mine.pk]))),
    "edit page": ("author", lambda s, c: _page(c, reverse("comments:edit", args=[s.mine.pk]))),
    "edit page too late": ("author", _edit_late),
    "confirm delete": ("author", lambda s, c: _page(c, reverse("comments:delete", args=[s.mine.pk]))),
    "confirm flag": ("author", lambda s, c: _page(c, reverse("comments:flag", args=[s.theirs.pk]))),
    "confirm hide": ("staff", lambda s, c: _page(c, reverse("comments:hide", args=[s.theirs.pk]))),
    "confirm unhide": ("staff", lambda s, c: _page(c, reverse("comments:unhide", args=[s.hidden.pk]))),
    "refused": ("author", lambda s, c: _page(c, reverse("comments:flag", args=[s.mine.pk]), status=403)),
    "refused twice flagged": ("author", _flag_twice),
    "posted": ("author", lambda s, c: _post(c, reverse("comments:create", args=[s.lesson.pk]), {"body": "New, 7"})),
    "posted with an achievement": ("staff", _first_comment),
    "posted with an achievement in place": ("staff", lambda s, c: _first_comment(s, c, **PARTIAL)),
    "post refused unverified": (
        "unverified",
        lambda s, c: _post(c, reverse("comments:create", args=[s.lesson.pk]), {"body": "New, 8"}, status=403),
    ),
    "post empty": ("author", lambda s, c: _post(c, reverse("comments:create", args=[s.lesson.pk]), status=400)),
    "edited": ("author", lambda s, c: _post(c, reverse("comments:edit", args=[s.mine.pk]), {"body": "Changed, 9"})),
    "deleted": ("author", _action("delete", "mine")),
    "flagged": ("author", _action("flag", "theirs")),
    "hidden": ("staff", _action("hide", "theirs")),
    "unhidden": ("staff", _action("unhide", "hidden")),
    **{
        f"notifications set to {mode}": (
            "author",
            lambda s, c, mode=mode: _post(c, reverse("comments:subscription", args=[s.lesson.pk]), {"mode": mode}),
        )
        for mode in ("all", "muted", "replies", "nonsense")
    },
    "unsubscribed": (None, lambda s, c: _page(c, _unsubscribe_url(s))),
    # the same actions with JavaScript: the fragments comments.js puts in place
    "posted in place": (
        "author",
        lambda s, c: _post(
            c, reverse("comments:create", args=[s.lesson.pk]), {"body": "New, 10"}, status=201, **PARTIAL
        ),
    ),
    "edit form in place": ("author", lambda s, c: _page(c, reverse("comments:edit", args=[s.mine.pk]), **PARTIAL)),
    "flagged in place": (
        "author",
        lambda s, c: _post(c, reverse("comments:flag", args=[s.theirs.pk]), **PARTIAL),
    ),
    "hidden in place": ("staff", lambda s, c: _post(c, reverse("comments:hide", args=[s.theirs.pk]), **PARTIAL)),
    "unhidden in place": ("staff", lambda s, c: _post(c, reverse("comments:unhide", args=[s.hidden.pk]), **PARTIAL)),
    "refused in place": (
        "author",
        lambda s, c: _post(c, reverse("comments:flag", args=[s.mine.pk]), status=403, **PARTIAL),
    ),
    "sign in first in place": (
        None,
        lambda s, c: _post(c, reverse("comments:create", args=[s.lesson.pk]), {"body": "x"}, status=403, **PARTIAL),
    ),
    "notifications set in place": (
        "author",
        lambda s, c: _post(c, reverse("comments:subscription", args=[s.lesson.pk]), {"mode": "all"}, **PARTIAL),
    ),
    "preview": ("author", lambda s, c: _post(c, reverse("comments:preview"), {"body": ""}, **PARTIAL)),
    # error pages and accounts
    "404": (None, lambda s, c: _page(c, "/no-such-page/", status=404)),
    "404 no such comment": ("other", lambda s, c: _page(c, reverse("comments:permalink", args=[10**9]), status=404)),
    "login": (None, lambda s, c: _page(c, reverse("account_login"))),
    "login failed": (
        None,
        lambda s, c: _post(c, reverse("account_login"), {"login": "author@example.com", "password": "wrong"}),
    ),
    "signup": (None, lambda s, c: _page(c, reverse("account_signup"))),
}


def _unsubscribe_url(s: Site) -> str:
    from comments.tokens import unsubscribe_token

    return reverse("comments:unsubscribe", args=[unsubscribe_token(s.author)])


@pytest.mark.parametrize("step", list(WALK))
def test_every_page_and_message_is_in_korean(site, step):
    who, walk = WALK[step]
    client = site.korean(getattr(site, who) if who else None)
    shown = walk(site, client)
    assert shown.strip(), "the step showed nothing to check"
    assert english_left(shown) == []


@pytest.mark.urls(__name__)
def test_the_403_page_is_in_korean(site):
    assert english_left(_page(site.korean(), "/test-forbidden/", status=403)) == []


def test_the_csrf_failure_page_is_in_korean(site):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = client.post(reverse("comments:create", args=[site.lesson.pk]), {"body": "x"})
    assert response.status_code == 403
    assert english_left(response.content.decode()) == []


def test_the_walk_really_is_in_korean(site):
    """Guards the test itself: a switcher that stopped working would make every page pass."""
    shown = _page(site.korean(), "/")
    assert "본문으로 건너뛰기" in shown  # "Skip to content"
    assert 'lang="ko"' in shown
