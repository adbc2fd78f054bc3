"""The HTML of one comment (and of a whole thread), built in Python.

Why not a template: Django's template engine spends about 0.4 ms per comment on variable lookups,
includes and ``{% url %}``; a lesson page with hundreds of comments must stay as fast as one with
none (SPEC 10). This module is the only place comment markup is written, for the full page and for
the fragments the views return to comments.js. It decides nothing: what to show comes from the
attributes ``comments.selectors.decorate`` sets. Every value is escaped; only ``body_html``, which
went through the sanitizer when it was saved, is inserted as is.
"""

from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_PK = 2_147_483_647  # stands in for a comment's pk while reversing URLs once per thread


@dataclass(frozen=True)
class Labels:
    """Everything translated or reversed that each comment repeats, computed once per render."""

    you: str
    edited: str
    hidden: str
    deleted: str
    removed: str
    reply: str
    edit: str
    delete: str
    flag: str
    flagged: str
    hide: str
    unhide: str
    permalink: str
    reply_to: str  # with %(name)s
    confirm_delete: str
    confirm_flag: str
    confirm_hide: str
    deleted_done: str
    urls: dict[str, tuple[str, str]]  # name -> (before the pk, after the pk)

    @classmethod
    def current(cls) -> "Labels":
        urls = {}
        for name in ("reply", "edit", "delete", "flag", "hide", "unhide"):
            before, _marker, after = reverse(f"comments:{name}", args=[_PK]).partition(str(_PK))
            urls[name] = (before, after)
        return cls(
            you=escape(_("you")),
            edited=escape(_("edited")),
            hidden=escape(_("hidden")),
            deleted=escape(_("[deleted]")),
            removed=escape(_("[hidden by a moderator]")),
            reply=escape(_("Reply")),
            edit=escape(_("Edit")),
            delete=escape(_("Delete")),
            flag=escape(_("Flag")),
            flagged=escape(_("Flagged")),
            hide=escape(_("Hide")),
            unhide=escape(_("Unhide")),
            permalink=escape(_("Link to this comment")),
            reply_to=_("to %(name)s"),
            confirm_delete=escape(_("Delete this comment?")),
            confirm_flag=escape(_("Flag this comment for staff to review?")),
            confirm_hide=escape(_("Hide this comment from readers?")),
            deleted_done=escape(_("Your comment was deleted.")),
            urls=urls,
        )

    def url(self, name: str, pk: int) -> str:
        before, after = self.urls[name]
        return f"{before}{pk}{after}"


def _actions(comment, labels: Labels) -> str:
    pk = comment.pk
    links = []
    if comment.show_reply:
        links.append(f'<a href="{labels.url("reply", pk)}" data-reply="{pk}">{labels.reply}</a>')
    if comment.show_edit:
        links.append(f'<a href="{labels.url("edit", pk)}" data-edit>{labels.edit}</a>')
    if comment.show_delete:
        links.append(
            f'<a href="{labels.url("delete", pk)}" data-action data-confirm="{labels.confirm_delete}" '
            f'data-done="{labels.deleted_done}">{labels.delete}</a>'
        )
    if comment.show_flag:
        if comment.flagged_by_me:
            links.append(f'<span class="comment-flagged">{labels.flagged}</span>')
        else:
            links.append(
                f'<a href="{labels.url("flag", pk)}" data-action data-confirm="{labels.confirm_flag}">{labels.flag}</a>'
            )
    if comment.show_moderation:
        if comment.is_hidden:
            links.append(f'<a href="{labels.url("unhide", pk)}" data-action>{labels.unhide}</a>')
        else:
            links.append(
                f'<a href="{labels.url("hide", pk)}" data-action data-confirm="{labels.confirm_hide}">{labels.hide}</a>'
            )
    return f'<div class="comment-actions">{"".join(links)}</div>' if links else ""


def comment_main_html(comment, *, labels: Labels | None = None, notice: str = "") -> SafeString:
    """The comment itself (an <article>): author, time, text and the viewer's actions; no replies."""
    labels = labels or Labels.current()
    classes = "comment-main"
    if comment.is_hidden:
        classes += " is-hidden"
    if not comment.show_body:
        classes += " is-removed"
    meta = [f'<span class="comment-author">{escape(comment.author_name)}</span>']
    if comment.is_mine:
        meta.append(f'<span class="badge">{labels.you}</span>')
    if comment.reply_to_name:
        meta.append(
            f'<span class="comment-reply-to">↪ {escape(labels.reply_to % {"name": comment.reply_to_name})}</span>'
        )
    created = comment.created_at
    meta.append(
        f'<a class="comment-time" href="#comment-{comment.pk}" title="{labels.permalink}">'
        f'<time datetime="{timezone.localtime(created).isoformat()}">{escape(naturaltime(created))}</time></a>'
    )
    if comment.show_body:
        if comment.edited_at is not None:
            meta.append(f'<span class="comment-edited">({labels.edited})</span>')
        if comment.is_hidden:
            meta.append(f'<span class="badge badge-draft">{labels.hidden}</span>')
        body = f'<div class="comment-body prose">{comment.body_html}</div>'
    else:
        body = f'<p class="comment-removed">{labels.deleted if comment.is_deleted else labels.removed}</p>'
    notice_html = f'<p class="comment-notice" role="status">{escape(notice)}</p>' if notice else ""
    # Every value above is escaped; body_html was sanitized when it was saved.
    return mark_safe(
        f'<article class="{classes}" data-comment-main><header class="comment-meta">{" ".join(meta)}</header>'
        f"{body}{notice_html}{_actions(comment, labels)}</article>"
    )


def comment_html(comment, *, labels: Labels | None = None) -> SafeString:
    """A comment's <li id="comment-<pk>"> with its replies' <li>s inside it (SPEC 11)."""
    labels = labels or Labels.current()
    parts = [
        f'<li id="comment-{comment.pk}" class="comment" data-comment data-depth="{comment.depth}">',
        comment_main_html(comment, labels=labels),
    ]
    if comment.children:
        parts.append('<ol class="comment-replies">')
        parts.extend(comment_html(child, labels=labels) for child in comment.children)
        parts.append("</ol>")
    parts.append("</li>")
    return mark_safe("".join(parts))  # built from the escaped parts above


def thread_html(roots) -> SafeString:
    """Every top-level comment with its replies, for the lesson page."""
    labels = Labels.current()
    return mark_safe("".join(comment_html(root, labels=labels) for root in roots))  # see comment_html
