"""Drafts kept in the browser until they are posted (SPEC 10, "nothing a person types is lost").

static/js/drafts.js keeps what is typed into a field marked ``data-draft="<name>"`` in localStorage,
under that name. The names are built here, once, and rendered by the server on the forms (and on the
Reply links, whose form is cloned from a template); the browser never builds one. A name holds no
space, so several fit in one ``data-draft-posted`` marker.

Without in-place posting (no script, or a form on a page of its own), the page a successful post
redirects to carries the names it used up on its success message (``posted``): base.html renders
them as ``data-draft-posted`` and drafts.js forgets those drafts.
"""

from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from django.contrib import messages
from django.http import HttpRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def new_comment_draft(*, lesson_id: int) -> str:
    """A new comment on a lesson."""
    return f"comment:{lesson_id}:new"


def reply_draft(*, parent_id: int) -> str:
    """A reply to a comment (the comment fixes the lesson: the Reply link, rendered from what the
    comment shows, names it without knowing its lesson)."""
    return f"reply:{parent_id}"


def edit_draft(*, comment_id: int) -> str:
    """A change to one's own comment."""
    return f"edit:{comment_id}"


def report_drafts(*, page: str) -> tuple[str, str]:
    """A report about a page: (what happened, the optional email). By the page's path, without its
    query, so a lesson's report keeps one draft whatever the comment order chosen."""
    path = quote(urlsplit(page).path, safe="/%")
    return f"report:{path}", f"report-email:{path}"


def posted(request: HttpRequest, message: "StrOrPromise", *drafts: str) -> None:
    """A success message for the page the poster is sent to, marked with the drafts the post used up."""
    messages.success(request, message, extra_tags=" ".join(drafts))
