"""Whole-page cache for anonymous readers.

A lesson page costs a handful of queries and ~10 ms of template rendering; most
readers are anonymous and see the same bytes. Those bytes are cached per path,
language and host, under a site-wide version number that every write affecting
what anonymous readers see bumps (model saves and deletes through
``invalidate_on_change``, bulk updates through ``bump``). A hit costs two cache
reads and two string substitutions: the request's CSP nonce and CSRF token,
which are per request and never cached.

Each process also keeps the newest pages it served (a small LRU) and reads the
shared version at most every PAGE_CACHE_VERSION_SECONDS (1 s in production), so
a hit usually costs no query at all. That memory is only a copy of what the
shared cache holds: a new process, or another one, loses nothing without it,
and a write is seen everywhere within that second.

Requests with any session or message cookie are rendered normally: they may be
signed in, or have a message waiting. Entries expire after PAGE_CACHE_SECONDS
(60 in production), so relative times ("3 minutes ago") drift by at most that.
Development and the test suite run with it off (0): what a test writes, by
whatever path, it sees on the next request.
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.translation import get_language

VERSION_KEY = "pages:version"
NONCE_MARK = "__stream_csp_nonce__"
CSRF_MARK = "__stream_csrf_token__"
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
LOCAL_PAGES = 256


class _Local:
    """This process's copy of the version number and of recently served pages."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = 0
        self.version_read_at = float("-inf")
        self.pages: OrderedDict[str, str] = OrderedDict()

    def current_version(self) -> int:
        ttl = settings.PAGE_CACHE_VERSION_SECONDS
        now = time.monotonic()
        if now - self.version_read_at >= ttl:
            version = cache.get(VERSION_KEY, 0)
            with self.lock:
                self.version, self.version_read_at = version, now
        return self.version

    def get(self, key: str) -> str | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
        return page

    def put(self, key: str, page: str) -> None:
        with self.lock:
            self.pages[key] = page
            while len(self.pages) > LOCAL_PAGES:
                self.pages.popitem(last=False)


_local = _Local()


def _increment(**_ignored) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted: any new value invalidates
        cache.set(VERSION_KEY, 1, None)


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def bump() -> None:
    """Call after a write that changes what anonymous readers see.

    Now, for reads inside the same transaction, and again at commit: a page
    rendered from the old rows in between is then never served."""
    if enabled():
        _increment()
        transaction.on_commit(_increment)


def _bump_on_signal(**_ignored) -> None:
    bump()


def invalidate_on_change(*models) -> None:
    """Bump the version whenever one of these models is saved or deleted.

    Not business logic in a signal: the receiver only marks cached pages stale."""
    for model in models:
        post_save.connect(_bump_on_signal, sender=model, dispatch_uid=f"page-cache-save-{model._meta.label}")
        post_delete.connect(_bump_on_signal, sender=model, dispatch_uid=f"page-cache-delete-{model._meta.label}")


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request: HttpRequest, version: int) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"pages:{version}:{get_language()}:{hashlib.sha256(where.encode()).hexdigest()}"


def anonymous_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (enabled() and _cacheable(request)):
            return view(request, *args, **kwargs)
        key = _key(request, _local.current_version())
        cached = _local.get(key)
        if cached is None:
            cached = cache.get(key)
            if cached is not None:
                _local.put(key, cached)
        if cached is not None:
            body = cached.replace(NONCE_MARK, str(get_nonce(request)))
            if CSRF_MARK in body:
                body = body.replace(CSRF_MARK, get_token(request))
            return HttpResponse(body)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            body = response.content.decode()
            body = body.replace(str(get_nonce(request)), NONCE_MARK)
            body = CSRF_INPUT.sub(rf"\1{CSRF_MARK}\2", body)
            cache.set(key, body, settings.PAGE_CACHE_SECONDS)
            _local.put(key, body)
        return response

    return wrapped
