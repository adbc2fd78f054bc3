"""The one Markdown pipeline: Markdown -> HTML -> bleach, with one allowlist per audience.

Lessons (staff) get headings with anchors, tables, images and titled, highlighted code; comments
(anyone) get a small subset. Raw HTML is never parsed as HTML: Markdown's HTML readers are unplugged
so what an author types reaches the page as text, and bleach runs last anyway, so a gap in one
layer is not a hole in the page. Nothing here touches Django: models call it on save.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from html import escape, unescape
from typing import Any

from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner
from markdown import Markdown
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor
from pymdownx.slugs import slugify
from pymdownx.superfences import highlight_validator

PROTOCOLS = frozenset({"http", "https", "mailto"})
COMMENT_REL = "nofollow ugc noopener"
TOC_MIN_HEADINGS = 3

_EXTERNAL = re.compile(r"\s*(?:https?:)?//", re.IGNORECASE)  # protocol-relative links leave the site too
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\s`]+")  # browsers skip these inside a scheme; so does bleach
_ANY = re.compile(r".*", re.DOTALL)

LESSON_EXTENSIONS = [
    "tables",
    "def_list",
    "sane_lists",
    "toc",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pymdownx.tilde",
    "pymdownx.caret",
]
AttributeFilter = Callable[[str, str, str], bool]


@dataclass(frozen=True)
class RenderedMarkdown:
    """A lesson body ready to store: pages mark these fields safe and never render Markdown."""

    html: str  # sanitized HTML of the body
    toc_html: str  # sanitized <ul> of the h2/h3 headings; "" when there are fewer than TOC_MIN_HEADINGS


def _allow(**rules: re.Pattern[str]) -> AttributeFilter:
    """Allow only the named attributes, each only when its whole value matches its pattern."""

    def check(tag: str, name: str, value: str) -> bool:
        rule = rules.get(name)
        return rule is not None and rule.fullmatch(value) is not None

    return check


_ALIGN = _allow(**{"class": re.compile(r"align-(?:left|center|right)")})
LESSON_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "hr", "br"}
    | {"table", "thead", "tbody", "tr", "th", "td", "a", "img", "code", "pre", "span", "div"}
    | {"em", "strong", "del", "sup", "sub"}
)
LESSON_ATTRIBUTES: dict[str, list[str] | AttributeFilter] = {
    **{f"h{level}": ["id"] for level in range(1, 7)},  # heading anchors
    "a": _allow(href=_ANY, title=_ANY, rel=_ANY, **{"class": re.compile("headerlink")}),
    "img": _allow(src=re.compile(r"https?://.+", re.IGNORECASE), alt=_ANY, title=_ANY),
    "div": _allow(**{"class": _ANY, "data-lang": re.compile(r"[\w#+.-]{1,40}")}),
    "span": ["class"],
    "ol": _allow(start=re.compile(r"\d{1,6}")),  # sane_lists keeps "3. …" numbering
    "th": _ALIGN,
    "td": _ALIGN,
}
COMMENT_TAGS = frozenset({"p", "br", "em", "strong", "a", "ul", "ol", "li", "code", "pre", "blockquote"})
COMMENT_ATTRIBUTES: dict[str, list[str] | AttributeFilter] = {"a": ["href", "title"]}


def _foreign_scheme(url: str) -> bool:
    """True if the URL names a scheme other than ours however many times its entities are decoded.

    bleach decodes entities once; Markdown sometimes leaves "&" raw and sometimes escapes it, so
    layered encodings ("&#x26;#106;avascript:") can come out as a harmless-looking relative URL that
    a careless consumer decoding once more would turn into a live one. Drop those too."""
    previous = None
    while url != previous:
        previous, url = url, unescape(url)
    scheme = _SCHEME.match(_INVISIBLE.sub("", url).lower())
    return scheme is not None and scheme[1] not in PROTOCOLS


class _LinkPolicy(Filter):  # type: ignore[misc]  # html5lib's filters are untyped
    """After sanitizing: drop URLs hiding a foreign scheme, and set rel so no author can choose or drop it."""

    def __init__(self, source: Any, *, rel: str, external_only: bool) -> None:
        super().__init__(source)
        self.rel, self.external_only = rel, external_only

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in {"StartTag", "EmptyTag"}:
                attrs = token["data"]
                for key in [(None, "href"), (None, "src")]:
                    if key in attrs and _foreign_scheme(attrs[key]):
                        del attrs[key]
                if token["name"] == "a" and (not self.external_only or _EXTERNAL.match(attrs.get((None, "href"), ""))):
                    attrs[(None, "rel")] = self.rel
            yield token


class _FocusableCode(Filter):  # type: ignore[misc]
    """Code blocks scroll sideways on narrow screens; tabindex lets keyboard users scroll them (WCAG 2.1.1)."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "pre":
                token["data"][(None, "tabindex")] = "0"
            yield token


class _AlignToClass(Treeprocessor):
    """Tables align cells with an attribute; the CSP forbids style, so carry it as a class."""

    def run(self, root: Any) -> None:
        for cell in root.iter():
            if cell.tag in {"th", "td"} and (align := cell.attrib.pop("align", None)):
                cell.set("class", f"align-{align}")


def _code_block(src: str, language: str, class_name: str, options: dict[str, str], md: Markdown, **kwargs: Any) -> str:
    """Wrap Pygments' block in the header the page shows ("title · python"); copy.js adds its button there."""
    title = options.pop("title", "")
    code = md.preprocessors["fenced_code_block"].highlight(src=src, language=language, options=options, md=md, **kwargs)  # type: ignore[attr-defined]
    label = escape(language or "text")
    title_html = f'<span class="code-title">{escape(title)}</span>' if title else ""
    header = f'<div class="code-header">{title_html}<span class="code-lang">{label}</span></div>'
    return f'<div class="code-block" data-lang="{label}">{header}{code}</div>'


def _without_raw_html(md: Markdown) -> Markdown:
    """Python-Markdown lost safe_mode: unplug its HTML readers so typed tags stay text (escaped)."""
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def _lesson_markdown() -> Markdown:
    """A fresh parser per call: Markdown instances carry per-document state and are not thread-safe."""
    md = Markdown(
        extensions=LESSON_EXTENSIONS,
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"permalink": True, "toc_depth": "2-3", "slugify": slugify(case="lower")},  # keeps Korean
            "pymdownx.highlight": {"use_pygments": True, "noclasses": False, "guess_lang": False},
            "pymdownx.superfences": {
                "custom_fences": [
                    {"name": "*", "class": "highlight", "format": _code_block, "validator": highlight_validator}
                ]
            },
            "pymdownx.tilde": {"subscript": False},  # Korean prose writes ranges as 2012~2014
            "pymdownx.caret": {"insert": False},  # <ins> is not in the allowlist
        },
    )
    md.treeprocessors.register(_AlignToClass(md), "align_to_class", 1)
    return _without_raw_html(md)


def _comment_markdown() -> Markdown:
    """Comments: emphasis, links, lists, code and quotes; headings and rules stay text, images become links."""
    md = _without_raw_html(Markdown(extensions=["fenced_code", "sane_lists", "nl2br"]))
    for block in ("hashheader", "setextheader", "hr"):
        md.parser.blockprocessors.deregister(block)
    # Same patterns and priorities as Markdown's image processors, but they build <a> instead of <img>.
    md.inlinePatterns.register(LinkInlineProcessor(IMAGE_LINK_RE, md), "image_link", 150)
    md.inlinePatterns.register(ReferenceInlineProcessor(IMAGE_REFERENCE_RE, md), "image_reference", 140)
    md.inlinePatterns.register(ShortReferenceInlineProcessor(IMAGE_REFERENCE_RE, md), "short_image_ref", 125)
    return md


def _lesson_cleaner() -> Cleaner:
    """bleach's Cleaner keeps parser state, so each call gets its own."""
    rel = partial(_LinkPolicy, rel="noopener", external_only=True)
    return Cleaner(
        LESSON_TAGS, LESSON_ATTRIBUTES, PROTOCOLS, strip=True, strip_comments=True, filters=[rel, _FocusableCode]
    )


def _comment_cleaner() -> Cleaner:
    linkify = partial(LinkifyFilter, callbacks=[], skip_tags=["pre", "code"])
    rel = partial(_LinkPolicy, rel=COMMENT_REL, external_only=False)  # after linkify: new links get it too
    return Cleaner(
        COMMENT_TAGS,
        COMMENT_ATTRIBUTES,
        PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[linkify, rel, _FocusableCode],
    )


def _count(tokens: list[dict[str, Any]]) -> int:
    return sum(1 + _count(token["children"]) for token in tokens)


def _toc_list(tokens: list[dict[str, Any]]) -> str:
    """Our own <ul> from toc's tokens: its markup comes wrapped in a div the page does not want."""
    items = "".join(
        f'<li><a href="#{escape(token["id"])}">{escape(unescape(token["name"]))}</a>'
        f"{_toc_list(token['children']) if token['children'] else ''}</li>"
        for token in tokens
    )
    return f"<ul>{items}</ul>"


def render_lesson(text: str) -> RenderedMarkdown:
    """Render a staff-written lesson or exercise to sanitized HTML and its table of contents."""
    md = _lesson_markdown()
    body = md.convert(text)
    tokens: list[dict[str, Any]] = getattr(md, "toc_tokens", [])
    cleaner = _lesson_cleaner()
    toc = cleaner.clean(_toc_list(tokens)) if _count(tokens) >= TOC_MIN_HEADINGS else ""
    return RenderedMarkdown(html=cleaner.clean(body), toc_html=toc)


def render_comment(text: str) -> str:
    """Render a user comment with the small allowlist; bare URLs become links, every link nofollow ugc."""
    return _comment_cleaner().clean(_comment_markdown().convert(text))
