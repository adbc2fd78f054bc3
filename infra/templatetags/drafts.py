"""Draft names (infra.drafts) for the forms that render them as ``data-draft``."""

from django import template

from infra import drafts

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_draft(context) -> str:
    """The draft name of the comment form being rendered (comments/_form.html): an edit of ``comment``,
    a reply to ``parent``, or a new comment on ``lesson``. "" for the reply template on the lesson page,
    whose parent is chosen by the Reply link that brings the name."""
    if context.get("edit"):
        return drafts.edit_draft(comment_id=context["comment"].pk)
    if parent := context.get("parent"):
        return drafts.reply_draft(parent_id=parent.pk)
    if context.get("reply"):
        return ""
    return drafts.new_comment_draft(lesson_id=context["lesson"].pk)
