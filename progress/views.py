"""Progress pages and the JSON API of SPEC section 4: thin views over services and selectors."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from infra.page_cache import cached_page
from infra.privacy import export_personal_data
from infra.redirects import local_path
from infra.timestamps import iso
from lessons.models import Lesson, is_lesson_key
from progress import presentation, selectors, services
from progress.forms import (
    MAX_BODY_BYTES,
    DeleteAccountForm,
    LessonMarkForm,
    PayloadError,
    ProfileForm,
    parse_lesson_body,
    parse_sync_body,
)
from progress.models import EarnedAchievement, Profile

# --- Access -----------------------------------------------------------------------------


def _get_lesson_for_progress(key: str) -> Lesson:
    """The lesson with this key if it counts towards progress: published, in a published
    quest (``Lesson.objects.published()``), for staff too, since drafts never count.
    Raises ``LessonNotPublished`` otherwise; the API answers 404, the button a message.
    Its quest comes with it, so ``lesson.is_public`` in the services costs no query."""
    lesson = None
    if is_lesson_key(key):
        lesson = Lesson.objects.published().select_related("quest").filter(key=key).first()
    if lesson is None:
        raise services.LessonNotPublished(key)
    return lesson


# --- JSON API ---------------------------------------------------------------------------


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _api(method: str) -> Callable:
    """Session-authenticated JSON endpoint; CSRF is enforced by the middleware before this runs."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @never_cache
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != method:
                response = _error(_("This address only answers %(method)s requests.") % {"method": method}, 405)
                response["Allow"] = method
                return response
            if not request.user.is_authenticated:
                return _error(_("Sign in to keep your progress on your account."), 401)
            try:
                return view(request, *args, **kwargs)
            except PayloadError as error:
                return _error(error.message, error.status)
            except services.LessonNotPublished as error:
                return _error(_("No published lesson has the key “%(key)s”.") % {"key": error.args[0]}, 404)

        return wrapper

    return decorator


def _body(request: HttpRequest) -> bytes:
    """The raw body, refusing anything over 64 KiB before reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise PayloadError(_("The request body is larger than 64 KiB."), status=413)
    try:
        return request.body
    except RequestDataTooBig:
        raise PayloadError(_("The request body is larger than 64 KiB."), status=413) from None
    except RawPostDataException:
        raise PayloadError(_("Send the body as JSON (Content-Type: application/json).")) from None


@require_safe
def api_catalogue(request: HttpRequest, version: str) -> HttpResponse:
    """The published lessons with their XP, for the browser (``presentation.browser_payload``).

    Public and the same for everyone. At the address pages name now it never changes, so browsers
    keep it for a year; an older address (a page from before the catalogue changed) gets the
    current document, to be asked for again next time."""
    document = presentation.catalogue_document(selectors.standing_for(None).catalog)
    response = HttpResponse(document.body, content_type="application/json")
    if version == document.version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        add_never_cache_headers(response)
    return response


def _earned_json(earned: EarnedAchievement) -> dict:
    achievement = earned.achievement
    return {
        "code": achievement.code,
        "name": achievement.display_name,
        "description": achievement.display_description,
        "icon": achievement.icon,
        "earned_at": iso(earned.earned_at),
    }


def _state(request: HttpRequest, **extra) -> JsonResponse:
    return JsonResponse({**selectors.standing_for_request(request).as_api(), **extra})


@cached_page(learners=True)  # outside: a learner's kept copy proves their session without loading the user
@_api("GET")
def api_state(request: HttpRequest) -> HttpResponse:
    return _state(request)


@_api("POST")
def api_sync(request: HttpRequest) -> HttpResponse:
    completed = parse_sync_body(_body(request))
    result = services.progress_merge(user=request.user, completed=completed)
    return _state(
        request,
        added=result.added,
        ignored=result.ignored,
        new_achievements=[_earned_json(e) for e in result.new_achievements],
    )


@_api("POST")
def api_complete(request: HttpRequest) -> HttpResponse:
    lesson = _get_lesson_for_progress(parse_lesson_body(_body(request)))
    earned = services.lesson_complete(user=request.user, lesson=lesson)
    return _state(request, new_achievements=[_earned_json(e) for e in earned])


@_api("POST")
def api_uncomplete(request: HttpRequest) -> HttpResponse:
    lesson = _get_lesson_for_progress(parse_lesson_body(_body(request)))
    services.lesson_uncomplete(user=request.user, lesson=lesson)
    return _state(request)


# --- The complete/undo button without JavaScript ------------------------------------------


def _safe_next(request: HttpRequest, url: str | None) -> str:
    return local_path(url) or reverse("lessons:home")


@require_POST
def lesson_mark(request: HttpRequest) -> HttpResponse:
    form = LessonMarkForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if not request.user.is_authenticated:
        messages.info(request, _("Sign in to keep your progress on your account."))
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    if not form.is_valid():
        messages.error(request, _("That lesson could not be found. Nothing was changed."))
        return HttpResponseRedirect(next_url)
    try:
        lesson = _get_lesson_for_progress(form.cleaned_data["lesson"])
    except services.LessonNotPublished:
        messages.error(request, _("Only published lessons can be completed. Nothing was changed."))
        return HttpResponseRedirect(next_url)
    outcome = services.lesson_mark(user=request.user, lesson=lesson, done=form.cleaned_data["done"])
    if form.cleaned_data["done"]:
        messages.success(request, _("“%(title)s” is marked complete.") % {"title": lesson.title})
    else:
        messages.success(request, _("“%(title)s” is no longer marked complete.") % {"title": lesson.title})
    for earned in outcome.new_achievements:
        messages.success(request, presentation.achievement_earned(earned.achievement))
    if outcome.level_after.number > outcome.level_before.number:
        messages.success(request, presentation.level_up(outcome.level_after))
    return HttpResponseRedirect(next_url)


# --- Pages ------------------------------------------------------------------------------


@cached_page(learners=True)  # outside: a learner's kept copy proves their session without loading the user
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "progress/dashboard.html", {"dashboard": presentation.dashboard_for(request)})


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    # Read, never created, on GET: the profile is written by profile_update on a valid POST.
    profile = Profile.saved_or_default(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        update = services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your settings were saved."))
        for earned in update.new_achievements:
            messages.success(request, presentation.achievement_earned(earned.achievement))
        return redirect("progress:settings")
    return render(
        request,
        "progress/settings.html",
        {"form": form, "delete_form": DeleteAccountForm(user=request.user), "profile": profile},
    )


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        profile = Profile.saved_or_default(request.user)
        return render(
            request,
            "progress/settings.html",
            {"form": ProfileForm(instance=profile), "delete_form": form, "profile": profile},
            status=400,
        )
    user = request.user
    logout(request)
    services.account_delete(user=user)
    messages.success(request, _("Your account and its progress were deleted. Thank you for learning with Stream."))
    return redirect("lessons:home")


@login_required
@never_cache
def data_export(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        export_personal_data(request.user),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="stream-data-{timezone.now():%Y-%m-%d}.json"'
    return response
