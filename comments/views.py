"""Comment and notification pages: thin views over comments.services and comments.selectors.

Every action works as a plain form POST that redirects back to the comment's anchor. The same views
answer script requests (any ``X-Requested-With`` header) with a server-rendered fragment of HTML
instead: the new or changed comment, or the error, which comments.js puts in place.
"""

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
from comments.forms import CommentForm, PreviewForm, SubscriptionForm
from comments.models import Comment
from comments.services import CommentRefused, EmailNotVerified
from lessons.markdown import render_comment
from lessons.models import Lesson, Status


def _is_partial(request: HttpRequest) -> bool:
    """Script requests (comments.js sends X-Requested-With) get fragments, not pages."""
    return bool(request.headers.get("X-Requested-With"))


def _get_lesson_for_user(request: HttpRequest, lesson_id: int) -> Lesson:
    return get_object_or_404(Lesson.objects.visible_to(request.user).select_related("quest"), pk=lesson_id)


def _get_comment_for_user(request: HttpRequest, pk: int) -> Comment:
    """A comment on a lesson this user may see (404 otherwise), with its lesson and quest."""
    comments = Comment.objects.select_related("lesson__quest")
    if not request.user.is_staff:
        comments = comments.filter(lesson__status=Status.PUBLISHED, lesson__quest__status=Status.PUBLISHED)
    return get_object_or_404(comments, pk=pk)


def _achievement_messages(request: HttpRequest, earned) -> list[str]:
    texts = []
    for item in earned:
        achievement = getattr(item, "achievement", item)
        name = getattr(achievement, "display_name", None) or str(achievement)
        icon = getattr(achievement, "icon", "🏅")
        texts.append(_("Achievement earned: %(icon)s %(name)s") % {"icon": icon, "name": name})
    if not _is_partial(request):
        for text in texts:
            messages.success(request, text)
    return texts


def _login_needed(request: HttpRequest, next_url: str) -> HttpResponse:
    if _is_partial(request):
        return render(request, "comments/_error.html", {"error": _("Please sign in first."), "login": True}, status=403)
    return redirect_to_login(next_url)


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
    template = "comments/_error.html" if _is_partial(request) else "comments/refused.html"
    return render(request, template, context, status=refusal.status)


def _comment_fragment(request: HttpRequest, pk: int, *, template: str, status: int = 200, **extra) -> HttpResponse:
    comment = selectors.comment_for_viewer(pk=pk, user=request.user)
    return render(request, template, {"comment": comment, **extra}, status=status)


@require_POST
def comment_create(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _get_lesson_for_user(request, lesson_id)
    if not request.user.is_authenticated:
        return _login_needed(request, f"{lesson.get_absolute_url()}#comments")
    form = CommentForm(request.POST)
    refusal: CommentRefused
    if form.is_valid():
        try:
            posted = services.comment_create(
                author=request.user, lesson=lesson, body=form.cleaned_data["body"], parent=form.cleaned_data["parent"]
            )
        except CommentRefused as error:
            refusal = error
        else:
            announcements = _achievement_messages(request, posted.new_achievements)
            if _is_partial(request):
                return _comment_fragment(
                    request,
                    posted.comment.pk,
                    template="comments/_comment_created.html",
                    status=201,
                    announcements=[_("Your comment was posted."), *announcements],
                )
            messages.success(request, _("Your comment was posted."))
            return redirect(posted.comment.get_absolute_url())
    else:
        refusal = services.InvalidComment(form.first_error())
    if _is_partial(request):
        return _refused(request, refusal, lesson=lesson)
    # No script: the form again on its own page, with the message and everything typed.
    parent_id = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
    parent = Comment.objects.filter(pk=parent_id, lesson=lesson).first() if parent_id else None
    context = {
        "lesson": lesson,
        "form": form,
        "error": refusal.message,
        "needs_verification": isinstance(refusal, EmailNotVerified),
        "parent": selectors.decorate(parent, user=request.user) if parent else None,
        "action": reverse("comments:create", args=[lesson.pk]),
    }
    return render(request, "comments/form_page.html", context, status=refusal.status)


@require_GET
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form on its own page, for readers without JavaScript."""
    comment = _get_comment_for_user(request, pk)
    if not request.user.is_authenticated:
        return _login_needed(request, request.get_full_path())
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
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    if not request.user.is_authenticated:
        return _login_needed(request, request.get_full_path())
    action = reverse("comments:edit", args=[comment.pk])
    if request.method == "GET":
        if not comment.can_edit(request.user):
            refusal = services.EditWindowClosed() if comment.is_by(request.user) else services.NotAllowed()
            return _refused(request, refusal, comment=comment)
        form = CommentForm(initial={"body": comment.body})
        template = "comments/_edit_form.html" if _is_partial(request) else "comments/form_page.html"
        context = {"lesson": comment.lesson, "form": form, "comment": comment, "action": action}
        return render(request, template, {**context, "field_id": f"comment-edit-{comment.pk}"})
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_edit(comment=comment, user=request.user, body=form.cleaned_data["body"])
        except CommentRefused as error:
            refusal = error
        else:
            if _is_partial(request):
                return _comment_fragment(request, comment.pk, template="comments/_comment_body.html")
            messages.success(request, _("Your comment was updated."))
            return redirect(comment.get_absolute_url())
    else:
        refusal = services.InvalidComment(form.first_error())
    if _is_partial(request):
        return _refused(request, refusal, comment=comment)
    context = {
        "lesson": comment.lesson,
        "form": form,
        "comment": comment,
        "action": action,
        "error": refusal.message,
    }
    return render(request, "comments/form_page.html", context, status=refusal.status)


# Delete, flag, hide and unhide: GET shows a confirmation page (no script); POST does it.
CONFIRMATIONS = {
    "delete": (gettext_lazy("Delete this comment?"), gettext_lazy("Delete"), "button-danger"),
    "flag": (gettext_lazy("Flag this comment for staff to review?"), gettext_lazy("Flag"), "button-danger"),
    "hide": (gettext_lazy("Hide this comment from readers?"), gettext_lazy("Hide"), "button-danger"),
    "unhide": (gettext_lazy("Show this comment to readers again?"), gettext_lazy("Unhide"), ""),
}
DONE = {
    "flag": gettext_lazy("Thanks. Staff will review this comment."),
    "hide": gettext_lazy("The comment is hidden."),
    "unhide": gettext_lazy("The comment is visible again."),
}


def _comment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    if not request.user.is_authenticated:
        return _login_needed(request, request.get_full_path())
    if request.method == "GET":
        allowed = {
            "delete": comment.can_delete,
            "flag": comment.can_flag,
            "hide": comment.can_moderate,
            "unhide": comment.can_moderate,
        }[action](request.user)
        if not allowed:  # no point confirming what the POST would refuse
            return _refused(request, services.NotAllowed(), comment=comment)
        question, button, button_class = CONFIRMATIONS[action]
        context = {"comment": selectors.comment_for_viewer(pk=comment.pk, user=request.user)}
        context.update(question=question, button=button, button_class=button_class, lesson=comment.lesson)
        return render(request, "comments/confirm.html", context)
    try:
        if action == "delete":
            remaining = services.comment_delete(comment=comment, user=request.user)
        elif action == "flag":
            services.comment_flag(comment=comment, user=request.user)
        elif action == "hide":
            services.comment_hide(comment=comment, user=request.user)
        else:
            services.comment_unhide(comment=comment, user=request.user)
    except CommentRefused as refusal:
        return _refused(request, refusal, comment=comment)
    if action == "delete":
        if _is_partial(request):
            if remaining is None:
                return HttpResponse(status=204)
            return _comment_fragment(request, comment.pk, template="comments/_comment_body.html")
        messages.success(request, _("Your comment was deleted."))
        anchor = comment.anchor if remaining is not None else "comments"
        return redirect(f"{comment.lesson.get_absolute_url()}#{anchor}")
    if _is_partial(request):
        return _comment_fragment(request, comment.pk, template="comments/_comment_body.html", notice=DONE[action])
    messages.success(request, DONE[action])
    return redirect(comment.get_absolute_url())


@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, "delete")


@require_http_methods(["GET", "POST"])
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, "flag")


@require_http_methods(["GET", "POST"])
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, "hide")


@require_http_methods(["GET", "POST"])
def comment_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_action(request, pk, "unhide")


@require_GET
def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    return redirect(comment.get_absolute_url())


@require_POST
def comment_preview(request: HttpRequest) -> HttpResponse:
    """Render unsaved text through the same pipeline as a posted comment (the form's Preview button)."""
    if not request.user.is_authenticated:
        return _login_needed(request, "/")
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return render(request, "comments/_error.html", {"error": form.errors["body"][0]}, status=400)
    body = form.cleaned_data["body"]
    return render(request, "comments/_preview.html", {"html": render_comment(body) if body else ""})


@require_POST
def subscription_set(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _get_lesson_for_user(request, lesson_id)
    if not request.user.is_authenticated:
        return _login_needed(request, f"{lesson.get_absolute_url()}#comments")
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        refusal = services.InvalidComment(form.errors["mode"][0])
        if _is_partial(request):
            return _refused(request, refusal, lesson=lesson)
        messages.error(request, refusal.message)
        return redirect(f"{lesson.get_absolute_url()}#comments")
    mode = services.subscription_set(user=request.user, lesson=lesson, mode=form.cleaned_data["mode"])
    notice = {
        "all": _("You'll be notified of every new comment on this lesson."),
        "muted": _("This lesson is muted: no notifications from it, not even replies."),
    }.get(mode, _("You'll be notified of replies to your comments."))
    if _is_partial(request):
        context = {"lesson": lesson, "subscription": mode, "signed_in": True, "notice": notice}
        return render(request, "comments/_subscription.html", context)
    messages.success(request, notice)
    return redirect(f"{lesson.get_absolute_url()}#comments")


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


# Mail clients send the one-click POST (RFC 8058) without a CSRF token; the signed token is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from a reply email turns reply emails off, signed in or not."""
    try:
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
