"""Public names: what other learners see next to a comment, and nothing more.

A name is never derived from an email address (nor from the username, which allauth makes
from the address). A learner who has not chosen one is shown as "Learner 4821": the
number comes from a keyed hash of their account id, so it is stable, says nothing about
the address or about when they signed up, and cannot be worked back to the account.
A learner may not choose a name the site itself shows ("[deleted]", staff labels) or one
that looks like somebody else's default name.
"""

import itertools
import re
import unicodedata

from django.utils.crypto import salted_hmac
from django.utils.translation import pgettext_lazy

DEFAULT_NUMBER_DIGITS = 4

# Characters that change how text around them is shown without being seen themselves:
# controls (Cc), format characters (Cf: bidi overrides and isolates, zero-width space,
# joiners, the BOM, soft hyphen), surrogates, private use and unassigned code points, and
# the fillers that look like nothing (Hangul fillers, the braille blank, ...).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_LINE_SEPARATORS = frozenset({"Zl", "Zp"})

# What the site writes where a name would stand, in both languages; a name equal to one
# of these (after folding case and width, ignoring punctuation and spaces) is refused.
_SITE_NAMES = ("[deleted]", "[삭제됨]", "Stream", "스트림", "you", "나", "deleted", "삭제됨", "anonymous", "익명")
# Staff labels: refused as any word of a name ("Ada (moderator)" would pass for staff).
_STAFF_WORDS = (
    "admin", "administrator", "moderator", "staff", "stream staff",
    "관리자", "운영자", "운영진", "스태프", "모더레이터",
)  # fmt: skip
# "Learner 1234" / "학습자 1234": the shape of a default name, in either language.
_DEFAULT_PREFIXES = ("learner", "학습자")

default_name_format = pgettext_lazy("public name of a learner who has not chosen one", "Learner %(number)s")


def clean_name(value: str) -> str:
    """``value`` without invisible characters, its whitespace collapsed to single spaces."""
    kept = []
    for char in unicodedata.normalize("NFC", value or ""):
        category = unicodedata.category(char)
        if char.isspace() or category in _LINE_SEPARATORS:
            kept.append(" ")
        elif category not in _INVISIBLE_CATEGORIES and char not in _BLANK_LOOKING:
            kept.append(char)
    return " ".join("".join(kept).split())


def _fold(value: str) -> str:
    """Case, width and compatibility forms folded (ＡＤＭＩＮ, ａｄｍｉｎ → admin)."""
    return unicodedata.normalize("NFKC", clean_name(value)).casefold()


def _key(value: str) -> str:
    """Letters and digits only: "[Deleted]", "de-leted" and "d e l e t e d" share a key."""
    return "".join(char for char in _fold(value) if char.isalnum())


_SITE_KEYS = frozenset(_key(name) for name in _SITE_NAMES)
_STAFF_KEYS = frozenset(_key(word) for word in _STAFF_WORDS)
_WORD = re.compile(r"\w+")
_DEFAULT_SHAPE = re.compile(r"(?:" + "|".join(_DEFAULT_PREFIXES) + r")\W*\d+")


def is_reserved(value: str) -> bool:
    """Whether ``value`` is a name the site shows itself, a staff label, or a default name's shape."""
    folded = _fold(value)
    key = _key(value)
    if key in _SITE_KEYS or key in _STAFF_KEYS:
        return True
    words = _WORD.findall(folded)
    if any(word in _STAFF_KEYS for word in words):
        return True
    # Adjacent words too: "stream staff", "Stream-Staff".
    if any(a + b in _STAFF_KEYS for a, b in itertools.pairwise(words)):
        return True
    return _DEFAULT_SHAPE.fullmatch(" ".join(words)) is not None or _DEFAULT_SHAPE.fullmatch(key) is not None


def default_number(user_id: int) -> int:
    """A stable four-digit number for the account, keyed with the secret key (not its order)."""
    digest = salted_hmac("progress.names.default_number", str(user_id), algorithm="sha256").hexdigest()
    low = 10 ** (DEFAULT_NUMBER_DIGITS - 1)
    return low + int(digest[:12], 16) % (9 * low)


def default_name(user_id: int) -> str:
    return str(default_name_format) % {"number": default_number(user_id)}


def public_name(*, display_name: str | None, user_id: int) -> str:
    """The chosen name, cleaned; else the neutral default. Never anything from the email."""
    return clean_name(display_name or "") or default_name(user_id)
