# Temporary: replaced by the Markdown pipeline being written now.
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc_html: str


def render_lesson(text: str) -> RenderedMarkdown:
    return RenderedMarkdown(f"<p>{escape(text)}</p>", "")


def render_comment(text: str) -> str:
    return f"<p>{escape(text)}</p>"
