"""Project-wide views: the health check and the friendly error pages."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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
