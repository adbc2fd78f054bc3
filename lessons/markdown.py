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


class _LinkPolicy(Filter):
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


class _FocusableCode(Filter):
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
    code = md.preprocessors["fenced_code_block"].highlight(src=src, language=language, options=options, md=md, **kwargs)
    label = escape(language or "text")
    title_html = f'<span class="code-title">{escape(title)}</span>' if title else ""
    header = f'<div class="code-header">{title_html}<span class="code-lang">{label}</span></div>'
    return f'<div class="code-block" data-lang="{label}">{header}{code}</div>'


def _without_raw_html(md: Markdown) -> Markdown:
    """Python-Markdown lost safe_mode: unplug its HTML readers so typed tags stay text (escaped)."""
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


# Ids the lesson page and the base layout use themselves (templates/, */templates/), and the
# prefixes of the ones they number (comment-12, report-body, id_body). A heading whose anchor
# would take one of them gets "section-" in front: the redirect after posting a comment must land
# on the comments, not on a heading called "Comments".
PAGE_IDS = frozenset(
    {"main", "content", "messages", "lang-select", "comments", "comments-heading", "progress", "progress-heading"}
    | {"exercise", "exercise-heading", "links", "links-heading", "report", "report-panel", "report-heading"}
    | {"report-context-heading", "standing-title", "standing-bar-label", "chart-title", "chart-desc", "top"}
)
PAGE_ID_PREFIXES = ("comment-", "report-", "id_")
EXERCISE_ID_PREFIX = "exercise-"  # the exercise renders apart from the body: its anchors never meet the body's
_slugify_heading = slugify(case="lower")  # keeps Korean


def _heading_ids(prefix: str) -> Callable[[str, str], str]:
    """The toc extension's slugify: ids in the lesson's own namespace, clear of the page's ids.

    The body's anchors never start with the exercise's prefix, the exercise's always do, and
    neither is ever a page id; toc itself numbers duplicates within one text (``_1``)."""

    def heading_id(value: str, separator: str) -> str:
        slug = prefix + _slugify_heading(value, separator)
        if (
            slug in PAGE_IDS
            or slug.startswith(PAGE_ID_PREFIXES)
            or (not prefix and slug.startswith(EXERCISE_ID_PREFIX))
        ):
            slug = f"{prefix}section-{slug[len(prefix) :]}"
        return slug

    return heading_id


def _lesson_markdown(*, id_prefix: str = "") -> Markdown:
    """A fresh parser per call: Markdown instances carry per-document state and are not thread-safe."""
    md = Markdown(
        extensions=LESSON_EXTENSIONS,
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"permalink": True, "toc_depth": "2-3", "slugify": _heading_ids(id_prefix)},
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


# --- bounded cost (issue 12; docs/decisions.md "Bounded Markdown cost") ---
#
# Python-Markdown's inline parser rescans the rest of a paragraph for every opener that does not
# close ("[" x 4,000 took 5 s), and bleach's tokenizer pays ~20 µs per tag or entity. Before
# rendering, a linear pass adds up what a text would cost from the features that drive those
# costs; a text over the budget, or whose Markdown output has too many tags and entities for
# bleach, is shown as plain text instead (escaped, paragraphs and line breaks kept). No ordinary
# text comes near the budget, and a text under it renders exactly as it always did: the pass only
# reads. The weights are microseconds on the reference machine, measured by bench/markdown_cost.py
# and rounded up.

COST_BUDGET_US = 45_000
MAX_NESTING = 16  # list and quote levels; Python-Markdown recurses per level (and overflows at ~300)

_OPENERS = re.compile(r"[\[*_`<>&~^\\|\n]")  # each may start an element or an entity
# Possessive: a line of 5,000 backticks must not make this pattern backtrack (it did: 170 ms).
_FENCE = re.compile(r"^[ \t]*+(`{3,}+|~{3,}+)[^\n]*+\n.*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
_ENTITIES = re.compile(r"[<>&]")
_PAREN_RUNS = re.compile(r"\(+")
_DOMAIN_RUNS = re.compile(r"[\w.-]+")
_BRACKETS = re.compile(r"[\[\]]")
_PARENS = re.compile(r"[()]")
_LINK_DESTINATION = re.compile(r"\]\(")
_BLOCKS = re.compile(r"\n[ \t]*\n")
_NESTING = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]*)+", re.MULTILINE)
_INDENT = re.compile(r"^(?: {4}|\t)+", re.MULTILINE)


@dataclass(frozen=True)
class _Weights:
    per_char: float  # reading, serializing and sanitizing plain text
    per_opener: float  # an element or entity built, then sanitized
    per_scan: float  # one character of a Python-level bracket or parenthesis scan
    per_rescan: float  # one character of a regex rescan (openers x paragraph length)
    per_code_char: float  # a character of a fenced code block (highlighted in lessons)
    per_paren_run: float  # squared length of a run of "(": bleach's linkify backtracks over it
    per_domain_try: float  # linkify's domain regex: each start in a run of [\w.-] tries each dot
    max_tokens: int  # tags and entities in Markdown's output that bleach may be asked to parse


COMMENT_WEIGHTS = _Weights(
    per_char=3.0,
    per_opener=40.0,
    per_scan=1.5,
    per_rescan=0.0,
    per_code_char=0.5,
    per_paren_run=0.03,
    per_domain_try=1.5,
    max_tokens=1_200,
)
LESSON_WEIGHTS = _Weights(
    per_char=3.0,
    per_opener=40.0,
    per_scan=1.5,
    per_rescan=0.0,
    per_code_char=8.0,
    per_paren_run=0.0,
    per_domain_try=0.0,
    max_tokens=1_600,
)


def _scan_lengths(text: str) -> int:
    """How far the link processors read: from each "[" to its "]", from each "](" to its ")".

    Python-Markdown reads to the end of the paragraph when there is no closing bracket (counted
    here to the end of the text), and once per link processor; the weight carries the factor."""
    total, stack = 0, []
    for match in _BRACKETS.finditer(text):
        if match[0] == "[":
            stack.append(match.start())
        elif stack:
            total += match.start() - stack.pop()
    total += sum(len(text) - start for start in stack)
    closing: dict[int, int] = {}
    stack = []
    for match in _PARENS.finditer(text):
        if match[0] == "(":
            stack.append(match.start())
        elif stack:
            closing[stack.pop()] = match.start()
    for match in _LINK_DESTINATION.finditer(text):
        start = match.end() - 1
        end = closing.get(start, len(text))
        # A quote inside the destination starts a title, which may read on to the end.
        total += (len(text) if '"' in text[start:end] or "'" in text[start:end] else end) - start
    return total


def _domain_tries(text: str) -> float:
    r"""Work for bleach's URL pattern, ``([\w-]+\.)+(?:tld…)``: it may start after every "-" of a
    run of word characters, dots and dashes, and from each start reads the run and tries the
    TLD list at every dot ("a-." x 1,666 took 3.5 s). Counted in tries of the TLD list."""
    tries = 0.0
    for run in _DOMAIN_RUNS.findall(text):
        if "." not in run and "-" not in run:
            continue
        starts = run.count("-") + 1
        tries += starts * (run.count(".") + len(run) / 125)
    return tries


def _nesting(text: str) -> int:
    markers = max((len(re.findall(r"[>*+-]|\d[.)]", m[0])) for m in _NESTING.finditer(text)), default=0)
    indents = max((len(m[0].replace("\t", "    ")) // 4 for m in _INDENT.finditer(text)), default=0)
    return markers + indents


def estimated_cost_us(text: str, weights: _Weights) -> float:
    """The render cost the features of the text predict, in microseconds; linear in the text.

    Fenced code is set aside first: Markdown does not parse inside it, so it costs per character
    (and per escaped "<", ">" or "&"), not per opener."""
    code = [match[0] for match in _FENCE.finditer(text)]
    prose = _FENCE.sub("\n", text) if code else text
    rescan = sum(len(_OPENERS.findall(block)) * len(block) for block in _BLOCKS.split(prose))
    return (
        weights.per_char * len(text)
        + weights.per_code_char * sum(map(len, code))
        + weights.per_opener * (len(_OPENERS.findall(prose)) + sum(len(_ENTITIES.findall(block)) for block in code))
        + weights.per_scan * _scan_lengths(prose)
        + weights.per_rescan * rescan
        + weights.per_paren_run * sum(len(run) ** 2 for run in _PAREN_RUNS.findall(text))
        + weights.per_domain_try * _domain_tries(text)
    )


def _affordable(text: str, weights: _Weights) -> bool:
    return _nesting(text) <= MAX_NESTING and estimated_cost_us(text, weights) <= COST_BUDGET_US


def _markup_tokens(html: str) -> int:
    return html.count("<") + html.count("&")


def plain_html(text: str) -> str:
    """The fallback: the text as typed, escaped; blank lines make paragraphs, newlines <br>."""
    paragraphs = (block.strip("\n") for block in _BLOCKS.split(text.replace("\r\n", "\n")))
    return "\n".join(f"<p>{escape(block).replace(chr(10), '<br>' + chr(10))}</p>" for block in paragraphs if block)


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


def render_lesson(text: str, *, id_prefix: str = "") -> RenderedMarkdown:
    """Render a staff-written lesson or exercise to sanitized HTML and its table of contents.

    The exercise passes ``id_prefix=EXERCISE_ID_PREFIX``: it shares the page with the body."""
    if not _affordable(text, LESSON_WEIGHTS):
        return RenderedMarkdown(html=plain_html(text), toc_html="")
    md = _lesson_markdown(id_prefix=id_prefix)
    body = md.convert(text)
    if _markup_tokens(body) > LESSON_WEIGHTS.max_tokens:
        return RenderedMarkdown(html=plain_html(text), toc_html="")
    tokens: list[dict[str, Any]] = getattr(md, "toc_tokens", [])
    cleaner = _lesson_cleaner()
    toc = cleaner.clean(_toc_list(tokens)) if _count(tokens) >= TOC_MIN_HEADINGS else ""
    return RenderedMarkdown(html=cleaner.clean(body), toc_html=toc)


def lesson_over_budget(text: str) -> bool:
    """Whether ``render_lesson`` would show this text as plain text (over the rendering budget).

    Staff forms and the importer refuse such a lesson with a message, so a published lesson never
    falls back silently: the fallback is only the last guard for text that reached the model
    another way."""
    if not _affordable(text, LESSON_WEIGHTS):
        return True
    return _markup_tokens(_lesson_markdown().convert(text)) > LESSON_WEIGHTS.max_tokens


def render_comment(text: str) -> str:
    """Render a user comment with the small allowlist; bare URLs become links, every link nofollow ugc."""
    if not _affordable(text, COMMENT_WEIGHTS):
        return plain_html(text)
    html = _comment_markdown().convert(text)
    if _markup_tokens(html) > COMMENT_WEIGHTS.max_tokens:
        return plain_html(text)
    return _comment_cleaner().clean(html)
