"""The HTML of comments: one comment's <article>, its <li> with its replies, a lesson's whole thread.

Why Python and not a template: Django's template engine spends about 0.4 ms per comment on variable
lookups, includes and ``{% url %}``; a lesson page with hundreds of comments must stay as fast as one
with none (SPEC 10; docs/decisions.md). This module is the only place comment markup is written, for
the full page and for the fragments the views return to comments.js.

It decides nothing: what to show comes from ``comments.selectors.CommentView``. Everything goes
through ``format_html`` / ``format_html_join``, so every value is escaped by construction; the one
value inserted as it is, ``body_html``, went through the sanitizer when it was saved.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from comments.selectors import CommentView
from infra.drafts import reply_draft

_PK = 2_147_483_647  # stands in for a comment's pk while reversing URLs once per thread


_NOTHING = SafeString("")  # an optional part that is absent
_CLASSES = {  # (hidden, removed) -> the <article>'s classes: constants, so nothing to escape per comment
    (False, False): SafeString("comment-main"),
    (True, False): SafeString("comment-main is-hidden"),
    (False, True): SafeString("comment-main is-removed"),
    (True, True): SafeString("comment-main is-hidden is-removed"),
}


@dataclass(frozen=True, slots=True)
class Labels:
    """What every comment repeats, translated, reversed and escaped once per render.

    The parts that do not depend on the comment are built here once, with ``format_html``; each
    optional part of a comment's header carries its own leading space."""

    you: SafeString
    edited: SafeString
    hidden: SafeString
    deleted: SafeString
    removed: SafeString
    hidden_note: SafeString
    flagged: SafeString
    permalink: SafeString
    reply_to: str  # with %(name)s, escaped with the name
    reply: SafeString
    edit: SafeString
    delete: SafeString
    flag: SafeString
    hide: SafeString
    unhide: SafeString
    confirm_delete: SafeString
    prompt_flag: SafeString
    confirm_hide: SafeString
    deleted_done: SafeString
    urls: dict[str, tuple[str, str]]  # name -> (before the pk, after the pk)

    @classmethod
    def current(cls) -> "Labels":
        """For the active language (call it per render: translations are per request)."""
        urls = {}
        for name in ("reply", "edit", "delete", "flag", "hide", "unhide"):
            before, _marker, after = reverse(f"comments:{name}", args=[_PK]).partition(str(_PK))
            urls[name] = (before, after)
        return cls(
            you=format_html(' <span class="badge">{}</span>', _("you")),
            edited=format_html(' <span class="comment-edited">({})</span>', _("edited")),
            hidden=format_html(' <span class="badge badge-draft">{}</span>', _("hidden")),
            deleted=format_html('<p class="comment-removed">{}</p>', _("[deleted]")),
            removed=format_html('<p class="comment-removed">{}</p>', _("[hidden by a moderator]")),
            hidden_note=format_html(
                '<p class="comment-hidden-note" role="note">{}</p>', _("Hidden by a moderator; only you can see it.")
            ),
            flagged=format_html('<span class="comment-flagged">{}</span>', _("Flagged")),
            permalink=conditional_escape(_("Link to this comment")),
            reply_to=_("to %(name)s"),
            reply=conditional_escape(_("Reply")),
            edit=conditional_escape(_("Edit")),
            delete=conditional_escape(_("Delete")),
            flag=conditional_escape(_("Flag")),
            hide=conditional_escape(_("Hide")),
            unhide=conditional_escape(_("Unhide")),
            confirm_delete=conditional_escape(_("Delete this comment?")),
            prompt_flag=conditional_escape(_("Flag this comment for staff to review? You can say why (optional).")),
            confirm_hide=conditional_escape(_("Hide this comment from readers?")),
            deleted_done=conditional_escape(_("Your comment was deleted.")),
            urls=urls,
        )

    def url(self, name: str, pk: int) -> str:
        before, after = self.urls[name]
        return f"{before}{pk}{after}"


def _actions(comment: CommentView, labels: Labels) -> SafeString:
    """The links for what this viewer may do with the comment (none: no <div>)."""
    pk, url = comment.pk, labels.url
    reply = edit = delete = flag = moderate = _NOTHING
    if comment.may_reply:
        reply = format_html(
            '<a href="{}" data-reply="{}" data-draft="{}">{}</a>',
            url("reply", pk),
            pk,
            reply_draft(parent_id=pk),
            labels.reply,
        )
    if comment.may_edit:
        edit = format_html('<a href="{}" data-edit>{}</a>', url("edit", pk), labels.edit)
    if comment.may_delete:
        delete = format_html(
            '<a href="{}" data-action data-confirm="{}" data-done="{}">{}</a>',
            url("delete", pk),
            labels.confirm_delete,
            labels.deleted_done,
            labels.delete,
        )
    if comment.may_flag:
        if comment.flagged_by_me:
            flag = labels.flagged
        else:
            # data-prompt: comments.js asks for the optional reason (the page without script has a field).
            flag = format_html(
                '<a href="{}" data-action data-prompt="{}">{}</a>', url("flag", pk), labels.prompt_flag, labels.flag
            )
    if comment.may_moderate:
        if comment.is_hidden:
            moderate = format_html('<a href="{}" data-action>{}</a>', url("unhide", pk), labels.unhide)
        else:
            moderate = format_html(
                '<a href="{}" data-action data-confirm="{}">{}</a>', url("hide", pk), labels.confirm_hide, labels.hide
            )
    if reply is edit is delete is flag is moderate is _NOTHING:
        return _NOTHING
    return format_html('<div class="comment-actions">{}{}{}{}{}</div>', reply, edit, delete, flag, moderate)


def comment_article(comment: CommentView, *, labels: Labels | None = None, notice: str = "") -> SafeString:
    """The comment itself (an <article>): author, time, text and the viewer's actions; no replies."""
    labels = labels or Labels.current()
    classes = _CLASSES[comment.is_hidden, not comment.show_body]
    reply_to = _NOTHING
    if comment.reply_to_name:
        reply_to = format_html(
            ' <span class="comment-reply-to">↪ {}</span>', labels.reply_to % {"name": comment.reply_to_name}
        )
    edited = hidden = _NOTHING
    if comment.show_body:
        edited = labels.edited if comment.is_edited else _NOTHING
        hidden = labels.hidden if comment.is_hidden else _NOTHING
        # The one value not escaped: sanitized by lessons.markdown when the comment was saved.
        body = format_html('<div class="comment-body prose">{}</div>', mark_safe(comment.body_html))
        if comment.is_hidden and comment.is_mine:  # its author still sees it, and is told why others don't
            body = format_html("{}{}", labels.hidden_note, body)
    else:
        body = labels.deleted if comment.is_deleted else labels.removed
    created = comment.created_at
    return format_html(
        '<article class="{}" data-comment-main><header class="comment-meta">'
        '<span class="comment-author">{}</span>{}{} <a class="comment-time" href="#comment-{}" title="{}">'
        '<time datetime="{}">{}</time></a>{}{}</header>{}{}{}</article>',
        classes,
        comment.author_name,
        labels.you if comment.is_mine else _NOTHING,
        reply_to,
        comment.pk,
        labels.permalink,
        timezone.localtime(created).isoformat(),
        naturaltime(created),
        edited,
        hidden,
        body,
        format_html('<p class="comment-notice" role="status">{}</p>', notice) if notice else _NOTHING,
        _actions(comment, labels),
    )


def comment_item(
    comment: CommentView,
    *,
    labels: Labels | None = None,
    article: Callable[[CommentView, Labels], SafeString] | None = None,
) -> SafeString:
    """A comment's <li id="comment-<pk>"> with its replies' <li>s inside it (SPEC 11).

    ``article`` makes each comment's <article> (``comment_article`` unless given)."""
    labels = labels or Labels.current()
    replies = _NOTHING
    if comment.children:
        replies = format_html(
            '<ol class="comment-replies">{}</ol>',
            format_html_join(
                "", "{}", ((comment_item(child, labels=labels, article=article),) for child in comment.children)
            ),
        )
    return format_html(
        '<li id="comment-{}" class="comment" data-comment data-depth="{}">{}{}</li>',
        comment.pk,
        comment.depth,
        article(comment, labels) if article else comment_article(comment, labels=labels),
        replies,
    )


def thread(roots: list[CommentView]) -> SafeString:
    """Every top-level comment with its replies, for the lesson page."""
    labels = Labels.current()
    return format_html_join("", "{}", ((comment_item(root, labels=labels),) for root in roots))


_SLOT = re.compile(r"<!--comment:(\d+)-->")


@dataclass(frozen=True, slots=True)
class ThreadParts:
    """A thread cut where each comment's <article> goes, so one article can be swapped for another:
    the markup around them is ``pieces`` and article ``pks[i]`` goes after ``pieces[i]``."""

    pieces: tuple[str, ...]
    pks: tuple[int, ...]
    articles: dict[int, SafeString]

    def join(self, replaced: dict[int, SafeString]) -> SafeString:
        """The whole thread, with the articles in ``replaced`` instead of their shared ones."""
        out = [self.pieces[0]]
        for pk, piece in zip(self.pks, self.pieces[1:], strict=True):
            out += [replaced.get(pk) or self.articles[pk], piece]
        # Every piece is markup built here with format_html; every article is comment_article's.
        return mark_safe("".join(out))


def thread_parts(roots: list[CommentView]) -> ThreadParts:
    """``thread(roots)`` in parts. The markers cut at sit between tags this module writes and never
    inside an article, so no comment's text can make one."""
    articles: dict[int, SafeString] = {}

    def article(comment: CommentView, labels: Labels) -> SafeString:
        articles[comment.pk] = comment_article(comment, labels=labels)
        return SafeString(f"<!--comment:{comment.pk}-->")

    labels = Labels.current()
    html = format_html_join("", "{}", ((comment_item(root, labels=labels, article=article),) for root in roots))
    cut = _SLOT.split(html)
    return ThreadParts(pieces=tuple(cut[0::2]), pks=tuple(int(pk) for pk in cut[1::2]), articles=articles)
