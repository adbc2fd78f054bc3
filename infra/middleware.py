"""Response headers that depend on who asked."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from infra import page_cache


class PrivatePagesMiddleware:
    """Any response to a signed-in person says ``Cache-Control: no-store``.

    Dashboard, settings, notifications, a lesson page with the reader's progress:
    after signing out on a shared computer, Back must not show the previous person's
    pages from the browser's cache. Anonymous pages keep their own caching, and so does a
    response its view declares ``public`` (the same bytes for everyone, such as the catalogue
    document progress.js keeps)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if "public" in cache_control or "no-store" in cache_control:
            return response  # said already (a learner's kept page says it without loading the user)
        # Without a session cookie, telling costs no query (the session is empty).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class ContentVersionMiddleware:
    """Whoever has a session sees every write at once, whichever process answers.

    Cached pages and shared values (``page_cache.shared``) are found under the content version,
    which each process rereads at most every ``PAGE_CACHE_VERSION_SECONDS``: fine for anonymous
    readers, but a learner who has just posted a comment may reload into another process (or
    another server) and must find it there. A request with a session cookie rereads the version
    first, and with it the signed-in learner's own version (``page_cache.cached_page(learners=True)``):
    one cache read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            page_cache.reread_versions(request)
        return self.get_response(request)
