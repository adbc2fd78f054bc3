"""Comment and notification pages: thin views over comments.services and comments.selectors.

Every action works as a plain form POST that redirects back to the comment's anchor. The same views
answer comments.js (``X-Requested-With: fetch``) with a fragment of HTML instead: the new or changed
comment, or the error, which the script puts in place. ``infra.fragments.fragment_or_page`` is the one
way every view makes that choice. Services refuse with errors that know nothing of HTTP; this module,
the edge, turns them into status codes (``REFUSAL_STATUS``) and pages or fragments.
"""

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import selectors, services
from comments.forms import CommentForm, FlagForm, PreviewForm, SubscriptionForm
from comments.models import Comment
from comments.services import (
    CommentRefused,
    EditWindowClosed,
    EmailNotVerified,
    InvalidComment,
    NotAllowed,
    RateLimited,
)
from comments.tokens import unsubscribe_account_id
from infra import drafts
from infra.fragments import fragment_or_page
from lessons.models import Lesson
from progress import presentation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- the edge: refusals to status codes ---

REFUSAL_STATUS: dict[type[CommentRefused], int] = {
    InvalidComment: 400,
    NotAllowed: 403,
    EmailNotVerified: 403,
    EditWindowClosed: 403,
    RateLimited: 429,
}


def _status(refusal: CommentRefused) -> int:
    """The HTTP status of a refusal: that of its nearest class in REFUSAL_STATUS, 400 for any other."""
    return next((REFUSAL_STATUS[kind] for kind in type(refusal).__mro__ if kind in REFUSAL_STATUS), 400)


# --- access: one helper per object, on one visibility rule ---


def _get_lesson_for_user(request: HttpRequest, lesson_id: int) -> Lesson:
    """A lesson this user may see (``Lesson.objects.visible_to``), with its quest; 404 otherwise."""
    return get_object_or_404(Lesson.objects.visible_to(request.user).select_related("quest"), pk=lesson_id)


def _get_comment_for_user(request: HttpRequest, pk: int) -> Comment:
    """A comment on a lesson this user may see (``Comment.objects.visible_to``), with its lesson and
    quest (so its permalink costs no query); 404 otherwise."""
    return get_object_or_404(Comment.objects.visible_to(request.user).select_related("lesson__quest"), pk=pk)


def _get_rw_comment_for_user(request: HttpRequest, pk: int, *, may: Callable[[Comment, Any], bool]) -> Comment:
    """The comment (as ``_get_comment_for_user``) when this user ``may`` act on it, by the rule on the
    model; raises ``NotAllowed`` otherwise (``EditWindowClosed`` for its author after 15 minutes).

    For the pages that offer an action (a confirmation, the edit form): no point showing what the POST
    would refuse. The POST itself is checked by the service, whose refusal says more."""
    comment = _get_comment_for_user(request, pk)
    if may(comment, request.user):
        return comment
    if may is Comment.can_edit and comment.is_by(request.user):
        raise EditWindowClosed
    raise NotAllowed


def _sign_in_first(request: HttpRequest, next_url: str) -> HttpResponse:
    """Not signed in (or the session expired): to the login page, which brings the reader back."""
    login = redirect_to_login(next_url)
    context = {"error": _("Please sign in first."), "login_url": login.url}
    return fragment_or_page(
        request,
        fragment=lambda: render(request, "comments/_error.html", context, status=403),
        page=lambda: login,
    )


def _refused(
    request: HttpRequest, refusal: CommentRefused, *, comment: Comment | None = None, lesson: Lesson | None = None
) -> HttpResponse:
    """A rule said no: the message in place (script) or on a page with a way back (no script)."""
    context = {
        "error": refusal.message,
        "needs_verification": isinstance(refusal, EmailNotVerified),
        "comment": comment,
        "lesson": lesson or (comment.lesson if comment else None),
    }
    return fragment_or_page(
        request,
        fragment=lambda: render(request, "comments/_error.html", context, status=_status(refusal)),
        page=lambda: render(request, "comments/refused.html", context, status=_status(refusal)),
    )


def _on_comment(view: Callable[[HttpRequest, int], HttpResponse]) -> Callable[[HttpRequest, int], HttpResponse]:
    """For the views that act on one comment: visitors are sent to sign in first, and a refusal
    raised inside (by an access helper or a service) is answered here, in one way."""

    @wraps(view)
    def answer(request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.is_authenticated:
            _get_comment_for_user(request, pk)  # 404 before "sign in": a draft's comments stay unknown
            return _sign_in_first(request, request.get_full_path())
        try:
            return view(request, pk)
        except CommentRefused as refusal:
            return _refused(request, refusal, comment=_get_comment_for_user(request, pk))

    return answer


def _comment_fragment(request: HttpRequest, pk: int, *, template: str, status: int = 200, **extra) -> HttpResponse:
    comment = selectors.comment_for_viewer(pk=pk, user=request.user)
    return render(request, template, {"comment": comment, **extra}, status=status)


def _done(request: HttpRequest, message: "StrOrPromise", url: str, *used_drafts: str) -> HttpResponse:
    """No script: say it on the page the reader is sent back to (with the browser drafts a post used up)."""
    drafts.posted(request, message, *used_drafts)
    return redirect(url)


# --- posting, replying, editing ---


@require_POST
def comment_create(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _get_lesson_for_user(request, lesson_id)
    if not request.user.is_authenticated:
        return _sign_in_first(request, f"{lesson.get_absolute_url()}#comments")
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _post_refused(request, InvalidComment(form.first_error()), form=form, lesson=lesson)
    try:
        posted = services.comment_create(
            author=request.user, lesson=lesson, body=form.cleaned_data["body"], parent=form.cleaned_data["parent"]
        )
    except CommentRefused as refusal:
        return _post_refused(request, refusal, form=form, lesson=lesson)
    achievements = [presentation.achievement_earned(earned.achievement) for earned in posted.new_achievements]

    def page() -> HttpResponse:
        for text in achievements:
            messages.success(request, text)
        parent_id = form.cleaned_data["parent"]
        used = drafts.reply_draft(parent_id=parent_id) if parent_id else drafts.new_comment_draft(lesson_id=lesson.pk)
        return _done(request, _("Your comment was posted."), posted.comment.get_absolute_url(), used)

    return fragment_or_page(
        request,
        fragment=lambda: _comment_fragment(
            request,
            posted.comment.pk,
            template="comments/_comment_created.html",
            status=201,
            announcements=[_("Your comment was posted."), *achievements],
        ),
        page=page,
    )


def _post_refused(request: HttpRequest, refusal: CommentRefused, *, form: CommentForm, lesson: Lesson) -> HttpResponse:
    """A comment or reply refused: the message in place, or (no script) the form again on its own page
    with the message and everything typed."""

    def page() -> HttpResponse:
        parent_id = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
        parent = None
        if parent_id:
            with suppress(Comment.DoesNotExist):  # gone, or on another lesson: the form without it
                parent = selectors.comment_for_viewer(pk=parent_id, user=request.user, lesson=lesson)
        context = {
            "lesson": lesson,
            "form": form,
            "error": refusal.message,
            "needs_verification": isinstance(refusal, EmailNotVerified),
            "parent": parent,
            "action": reverse("comments:create", args=[lesson.pk]),
        }
        return render(request, "comments/form_page.html", context, status=_status(refusal))

    return fragment_or_page(
        request,
        fragment=lambda: render(
            request,
            "comments/_error.html",
            {"error": refusal.message, "needs_verification": isinstance(refusal, EmailNotVerified), "lesson": lesson},
            status=_status(refusal),
        ),
        page=page,
    )


@require_GET
@_on_comment
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form on its own page, for readers without JavaScript."""
    comment = _get_comment_for_user(request, pk)
    parent = selectors.comment_for_viewer(pk=comment.pk, user=request.user)
    verified = selectors.email_verified(request.user)
    context = {
        "lesson": comment.lesson,
        "form": CommentForm(initial={"parent": comment.pk}),
        "parent": parent,
        "action": reverse("comments:create", args=[comment.lesson_id]),
        "error": "" if verified else EmailNotVerified.message,
        "needs_verification": not verified,
    }
    if not parent.is_visible:
        context["error"] = _("This comment was removed, so it can't take replies.")
    return render(request, "comments/form_page.html", context)


@require_http_methods(["GET", "POST"])
@_on_comment
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        comment = _get_rw_comment_for_user(request, pk, may=Comment.can_edit)
        context = {"lesson": comment.lesson, "form": CommentForm(initial={"body": comment.body}), "comment": comment}
        context.update(action=reverse("comments:edit", args=[pk]), field_id=f"comment-edit-{comment.pk}")
        return fragment_or_page(
            request,
            fragment=lambda: render(request, "comments/_edit_form.html", context),
            page=lambda: render(request, "comments/form_page.html", context),
        )
    comment = _get_comment_for_user(request, pk)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidComment(form.first_error())
        services.comment_edit(comment=comment, user=request.user, body=form.cleaned_data["body"])
    except CommentRefused as refusal:
        return _edit_refused(request, refusal, form=form, comment=comment)
    return fragment_or_page(
        request,
        fragment=lambda: _comment_fragment(request, comment.pk, template="comments/_comment_body.html"),
        page=lambda: _done(
            request, _("Your comment was updated."), comment.get_absolute_url(), drafts.edit_draft(comment_id=pk)
        ),
    )


def _edit_refused(request: HttpRequest, refusal: CommentRefused, *, form: CommentForm, comment: Comment):
    """An edit refused: the message in place, or (no script) the form again with the text as typed."""
    context = {
        "lesson": comment.lesson,
        "form": form,
        "comment": comment,
        "action": reverse("comments:edit", args=[comment.pk]),
        "error": refusal.message,
    }
    return fragment_or_page(
        request,
        fragment=lambda: _refused(request, refusal, comment=comment),
        page=lambda: render(request, "comments/form_page.html", context, status=_status(refusal)),
    )


# --- delete, flag, hide and unhide: GET shows a confirmation page (no script); POST does it ---


@dataclass(frozen=True, slots=True)
class _Action:
    """One of the four actions on a comment: its no-script confirmation, its rule, its write, its answer."""

    question: "StrOrPromise"
    button: "StrOrPromise"
    button_class: str
    may: Callable[[Comment, Any], bool]  # the rule on the model (the service enforces it again)
    perform: Callable[[Comment, Any, dict], Comment | None]  # (comment, user, form data); None: it is gone
    done: "StrOrPromise"
    notice_in_place: bool = True  # comments.js says "deleted" itself, from the link's data-done
    form_class: type[FlagForm] | None = None  # what the confirmation asks besides "yes" (a flag's reason)


def _visibility_set(hidden: bool) -> Callable[[Comment, Any, dict], Comment]:
    def perform(comment: Comment, user, _data: dict) -> Comment:
        services.comments_visibility_set(comments=Comment.objects.filter(pk=comment.pk), user=user, hidden=hidden)
        return comment

    return perform


DELETE = _Action(
    question=gettext_lazy("Delete this comment?"),
    button=gettext_lazy("Delete"),
    button_class="button-danger",
    may=Comment.can_delete,
    perform=lambda comment, user, _data: services.comment_delete(comment=comment, user=user),
    done=gettext_lazy("Your comment was deleted."),
    notice_in_place=False,
)
FLAG = _Action(
    question=gettext_lazy("Flag this comment for staff to review?"),
    button=gettext_lazy("Flag"),
    button_class="button-danger",
    may=Comment.can_flag,
    perform=lambda comment, user, data: services.comment_flag(comment=comment, user=user, reason=data["reason"]),
    done=gettext_lazy("Thanks. Staff will review this comment."),
    form_class=FlagForm,
)
HIDE = _Action(
    question=gettext_lazy("Hide this comment from readers?"),
    button=gettext_lazy("Hide"),
    button_class="button-danger",
    may=Comment.can_moderate,
    perform=_visibility_set(True),
    done=gettext_lazy("The comment is hidden."),
)
UNHIDE = _Action(
    question=gettext_lazy("Show this comment to readers again?"),
    button=gettext_lazy("Unhide"),
    button_class="",
    may=Comment.can_moderate,
    perform=_visibility_set(False),
    done=gettext_lazy("The comment is visible again."),
)


def _confirm_page(
    request: HttpRequest,
    comment: Comment,
    action: _Action,
    *,
    form: FlagForm | None = None,
    refusal: CommentRefused | None = None,
) -> HttpResponse:
    """The no-script confirmation of an action (again, with the message and what was typed, after a refusal)."""
    context = {
        "comment": selectors.comment_for_viewer(pk=comment.pk, user=request.user),
        "lesson": comment.lesson,
        "question": action.question,
        "button": action.button,
        "button_class": action.button_class,
        "form": form,
        "error": refusal.message if refusal else "",
        "needs_verification": isinstance(refusal, EmailNotVerified),
    }
    return render(request, "comments/confirm.html", context, status=_status(refusal) if refusal else 200)


def _comment_action(request: HttpRequest, pk: int, action: _Action) -> HttpResponse:
    if request.method == "GET":
        comment = _get_rw_comment_for_user(request, pk, may=action.may)
        return _confirm_page(request, comment, action, form=action.form_class() if action.form_class else None)
    comment = _get_comment_for_user(request, pk)
    form = action.form_class(request.POST) if action.form_class else None
    try:
        if form is not None and not form.is_valid():
            raise InvalidComment(form.first_error())
        remaining = action.perform(comment, request.user, form.cleaned_data if form is not None else {})
    except CommentRefused as refusal:
        if form is None:
            raise  # nothing typed to give back: _on_comment answers
        refused = refusal  # the except clause unbinds its name; the answers below run later
        return fragment_or_page(
            request,
            fragment=lambda: _refused(request, refused, comment=comment),
            page=lambda: _confirm_page(request, comment, action, form=form, refusal=refused),
        )
    if remaining is None:  # deleted outright, with nothing left to show
        return fragment_or_page(
            request,
            fragment=lambda: HttpResponse(status=204),
            page=lambda: _done(request, action.done, f"{comment.lesson.get_absolute_url()}#comments"),
        )
    notice = action.done if action.notice_in_place else ""
    return fragment_or_page(
        request,
        fragment=lambda: _comment_fragment(request, comment.pk, template="comments/_comment_body.html", notice=notice),
        page=lambda: _done(request, action.done, comment.get_absolute_url()),
    )


@require_http_methods(["GET", "POST"])
@_on_comment
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, DELETE)


@require_http_methods(["GET", "POST"])
@_on_comment
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, FLAG)


@require_http_methods(["GET", "POST"])
@_on_comment
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, HIDE)


@require_http_methods(["GET", "POST"])
@_on_comment
def comment_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, UNHIDE)


@require_GET
def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    return redirect(comment.get_absolute_url())


@require_POST
def comment_preview(request: HttpRequest) -> HttpResponse:
    """Render unsaved text through the same pipeline as a posted comment (the form's Preview button)."""
    if not request.user.is_authenticated:
        return _sign_in_first(request, "/")
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return render(request, "comments/_error.html", {"error": form.errors["body"][0]}, status=400)
    try:
        html = services.comment_preview(user=request.user, body=form.cleaned_data["body"])
    except CommentRefused as refusal:  # the script shows it where the preview goes; the text stays
        return render(request, "comments/_error.html", {"error": refusal.message}, status=_status(refusal))
    return render(request, "comments/_preview.html", {"html": html})


@require_POST
def subscription_set(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _get_lesson_for_user(request, lesson_id)
    back = f"{lesson.get_absolute_url()}#comments"
    if not request.user.is_authenticated:
        return _sign_in_first(request, back)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        refusal = InvalidComment(form.errors["mode"][0])

        def page() -> HttpResponse:
            messages.error(request, refusal.message)
            return redirect(back)

        return fragment_or_page(request, fragment=lambda: _refused(request, refusal, lesson=lesson), page=page)
    mode = services.subscription_set(user=request.user, lesson=lesson, mode=form.cleaned_data["mode"])
    notice = {
        "all": _("You'll be notified of every new comment on this lesson."),
        "muted": _("This lesson is muted: no notifications from it, not even replies."),
    }.get(mode, _("You'll be notified of replies to your comments."))
    context = {"lesson": lesson, "subscription": mode, "signed_in": True, "notice": notice}
    return fragment_or_page(
        request,
        fragment=lambda: render(request, "comments/_subscription.html", context),
        page=lambda: _done(request, notice, back),
    )


# --- notifications ---


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The inbox, newest first; what this page shows is marked read (and still shown as new this once)."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = selectors.notification_page(user=request.user, number=number)
    services.notifications_mark_read(
        user=request.user, ids=selectors.notification_page_ids(user=request.user, number=page.number)
    )
    return render(request, "comments/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked read."))
    return redirect("comments:notifications")


# A GET of the link (a person, or a mail scanner following links) only asks; the POST turns reply
# emails off. Mail clients send that POST themselves (RFC 8058: the body ``List-Unsubscribe=One-Click``)
# without a CSRF token, so the view is exempt: the signed token names the account and is the proof.
# The exemption concerns the POST alone; a GET changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Reply emails off, from the link in a reply email, signed in or not: asked on GET, done on POST."""
    try:
        if request.method == "GET":
            unsubscribe_account_id(token)  # a bad token is said now, not after the click
            return render(request, "comments/unsubscribe.html", {"token": token, "confirm": True})
        services.reply_emails_set(token=token, enabled=False)
    except signing.BadSignature:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    return render(request, "comments/unsubscribe.html", {"token": token, "enabled": False})


@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.reply_emails_set(token=token, enabled=True)
    except signing.BadSignature:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    return render(request, "comments/unsubscribe.html", {"token": token, "enabled": True})
