"""Snippets with the matched words marked, safe to put in a page.

Every piece of lesson text goes through ``format_html``/``format_html_join`` (which escape
it); only the ``<mark>`` elements around the escaped matches are markup.
"""

import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 220

_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_BLOCK_MARK = re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+|<[^>]{1,200}>", re.MULTILINE)
_INLINE_MARK = re.compile(r"\*{1,3}|_{2,3}|`+|~~")
_SPACE = re.compile(r"\s+")


def plain_text(markdown: str) -> str:
    """Lesson Markdown as running text: no fences, heading marks, emphasis or link targets."""
    text = _FENCE.sub(" ", markdown)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _BLOCK_MARK.sub(" ", text)
    text = _INLINE_MARK.sub("", text)
    return _SPACE.sub(" ", text).strip()


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(f"({alternatives})", re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """The text, escaped, with each occurrence of a term inside <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return format_html("{}", text)
    # re.split with one group alternates text, match, text, match, ..., text.
    pieces = pattern.split(text)
    return format_html_join(
        "",
        "{}",
        ((format_html("<mark>{}</mark>", piece) if index % 2 else piece,) for index, piece in enumerate(pieces)),
    )


def _window(text: str, start: int) -> str:
    """About SNIPPET_LENGTH characters around ``start``, cut at spaces, with ellipses where cut."""
    begin = max(0, start - SNIPPET_BEFORE)
    if begin > 0:
        space = text.find(" ", begin, start)
        begin = space + 1 if space != -1 else begin
    end = min(len(text), begin + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", max(start + 1, begin + SNIPPET_LENGTH // 2), end)
        end = space if space != -1 else end
    return ("…" if begin > 0 else "") + text[begin:end].strip() + ("…" if end < len(text) else "")


def snippet(*, body: str, summary: str, terms: list[str]) -> SafeString:
    """A passage of the body around the first match, or the summary when the body has none."""
    pattern = _pattern(terms)
    found = pattern.search(body) if pattern else None
    if pattern is not None and found is not None:
        # Clean only the Markdown around the match: a lesson is long, a snippet short.
        start = found.start()
        text = plain_text(body[max(0, start - 4 * SNIPPET_BEFORE) : start + 4 * SNIPPET_LENGTH])
        found = pattern.search(text)
    if found is None:
        passage = summary if len(summary) <= SNIPPET_LENGTH else _window(summary, 0)
    else:
        passage = _window(text, found.start())
    return highlight(passage, terms)
