"""The XSS corpus (tests/data/xss_vectors.txt) and the checks every rendering of it must pass."""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

VECTORS_FILE = Path(__file__).resolve().parent / "data" / "xss_vectors.txt"
_ESCAPES = re.compile(r"\\(n|t|r|x[0-9A-Fa-f]{2})")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\s`]+")  # what browsers skip or strip inside URL schemes
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def named(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _unescape(match: re.Match[str]) -> str:
    code = match[1]
    return {"n": "\n", "t": "\t", "r": "\r"}.get(code) or chr(int(code[1:], 16))


def load_vectors() -> list[str]:
    """One vector a line; "#" lines are comments; \\n \\t \\r \\xHH are the only escapes (see the file)."""
    lines = VECTORS_FILE.read_text(encoding="utf-8").splitlines()
    return [_ESCAPES.sub(_unescape, line) for line in lines if line.strip() and not line.startswith("#")]


def dangerous_url(value: str) -> bool:
    """True when a browser would run the URL: a javascript:, vbscript: or data: scheme, however disguised."""
    return _INVISIBLE.sub("", html.unescape(value)).lower().startswith(_BAD_SCHEMES)


def assert_harmless(
    markup: str,
    *,
    tags: set[str] | frozenset[str],
    attributes: set[str],
    attribute_prefixes: tuple[str, ...] = ("data-", "aria-"),
) -> None:
    """Only allowed tags and attributes; no event handlers, no style, no dangerous URL."""
    for tag, attrs in Tags(markup).tags:
        assert tag in tags, markup
        for name, value in attrs.items():
            assert not name.startswith("on"), markup
            assert name != "style", markup
            assert name in attributes or (attribute_prefixes and name.startswith(attribute_prefixes)), markup
            if name in URL_ATTRIBUTES:
                assert not dangerous_url(value), markup
