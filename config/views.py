"""Project-wide views: the health check, the offline machinery (service worker, manifest,
offline page) and the friendly error pages."""

from django.contrib.staticfiles import finders
from django.db import DatabaseError, connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from infra.page_cache import cached_page

ROBOTS_DISALLOWED = ("/admin/", "/accounts/", "/api/", "/dashboard/", "/settings/", "/notifications/", "/report/")


@require_safe  # GET and HEAD: load balancers probe with either
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a trivial query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read lessons; personal and account pages are not for them."""
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers (and every admin page) ask for /favicon.ico whatever a page links: send them to the hashed file."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker (static/sw.js), served from the site's root so that its scope is the whole site.

    Not from /static/: in production static names carry a hash that changes with every deploy,
    and a worker's address must stay the same for the browser to update it in place (it compares
    the bytes at that address). ``no-cache`` makes every check reach the server."""
    path = finders.find("sw.js")
    if not isinstance(path, str):
        raise Http404("The offline worker is missing from the static files.")
    with open(path, "rb") as worker:  # 12 KB, asked for on navigations at most daily
        response = HttpResponse(worker.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


# The colours of the stylesheet's light theme (--bg), which the page's header sits on.
THEME_COLOR = "#ffffff"


@require_safe
def web_manifest(request: HttpRequest) -> JsonResponse:
    """What an installed Stream is called and looks like; icons by their (hashed) static addresses."""
    manifest = {
        "name": "Stream",
        "short_name": "Stream",
        "description": gettext("Short lessons in quests, with XP, levels and discussion."),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": THEME_COLOR,
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
@cached_page
def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows for a page that is not saved; it fills in the list of saved lessons."""
    return render(request, "offline.html")


def bad_request(request: HttpRequest, exception: Exception | None = None):
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None):
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None):
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest):
    # Rendered without the request context: whatever broke (the database, the
    # session) may be in it, so the page must not need it.
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request: HttpRequest, reason: str = ""):
    """A form posted without a valid CSRF token: explain it in the site's layout."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "CSRF token missing or incorrect. Reload the page and try again."}, status=403)
    return render(request, "403_csrf.html", status=403)
