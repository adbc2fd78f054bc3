"""Whole-page cache for anonymous readers, and its one invalidation path.

Why: a lesson page costs a handful of queries and ~10 ms of rendering, most readers
are anonymous and see the same bytes (numbers in docs/decisions.md). Those bytes are
kept in the ``pages`` cache alias (Redis in production, else its own database
table), never beside the rate-limit counters.

**Invalidation.** Everything that changes what anonymous readers see calls
``invalidate()``, directly or through ``invalidate_on_change(Model, …)``, which each
app declares in its ``apps.py`` (grep ``page_cache.invalidate``). ``invalidate()``
stores a new random *version*; page keys contain the version, so every page stored
before is unreachable at once. Versions are random, never counted: after the shared
cache is flushed (or the version evicted) a new one is drawn, so no page stored under
an old version can come back. Only changes anonymous readers can see invalidate: for
users and profiles only the named fields count, so a sign-in (``last_login``) or a
time-zone change empties nothing.

**Keys** hold the version, the language, the host and path, and only the query
parameters the page declares (``params``); ``?utm_source=…`` and the like are removed
from the request before the view sees it, so they neither make new entries nor miss.

**Per-request values.** The CSP nonce and the CSRF tokens differ per request. When a
page is stored, it is split at the exact values issued while rendering it (fresh
random strings nobody could have written into a comment), and a hit joins the pieces
with the new request's values. User text never contains a placeholder to replace.

**This process's copies.** Each process keeps the newest pages it served (a small LRU)
and rereads the shared version at most every ``PAGE_CACHE_VERSION_SECONDS`` (1 s): a hit
usually costs no query. A copy is only a copy: it expires with the entry it copies
(``PAGE_CACHE_SECONDS`` after rendering) and is found only under the current version.
A request with a session cookie rereads the version first (``ContentVersionMiddleware``):
a learner who has just written something sees it whichever process answers next.

**Signed-in learners' own copies** (``cached_page(learners=True)``: the lesson page, the
dashboard, ``GET /api/progress/``). A learner's page is a function of the content version and
of their own rows: progress, achievements, profile, notifications, flags, subscriptions, email
addresses, their comments and account. Every write to such a row gives the learner a new random
*learner version* (``learner_changed``, declared per model with ``learner_changes_on`` in each
app's ``apps.py``, called directly after bulk writes that send no signals). Their pages are kept
under both versions in this process only (``LOCAL_LEARNER_PAGES``): the shared cache holds the
learner's version, never a page only one person reads. ``ContentVersionMiddleware`` reads both
versions in one cache read. A kept page is found from the session alone (the learner's pk, the
session's authentication hash and backend, both versions): serving it loads no user, since every
save of the user row (password, staff and active flags, last login) is a write of theirs too.
A page that changes with time alone (Edit disappears 15 minutes after posting) says when
(``changes_at``) and is kept no longer. Staff, and a request with a message waiting, are always
rendered; so are other requests with a session cookie (signed out, or a view without
``learners``). ``learner_value`` keeps values the same way (the learner's standing).

Development and the test suite run with it off (``PAGE_CACHE_SECONDS=0``):
what a test writes, by whatever path, it sees next request.
"""

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import caches
from django.db import transaction
from django.db.models import Field, Model
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

ALIAS = "pages"
VERSION_KEY = "page-cache:version"
LOCAL_PAGES = 256
LOCAL_SHARED = 1024  # shared values (infra.page_cache.shared) kept per process
LOCAL_LEARNER_PAGES = 128  # learners' own pages kept per process (apart: they must not push out the others)
LOCAL_LEARNER_VALUES = 256  # learners' own values (page_cache.learner_value) kept per process
LEARNER_KEY = "page-cache:learner:"  # + the user's pk: that learner's version
NONCE, CSRF = "nonce", "csrf"
_ISSUED_TOKENS = "_page_cache_csrf_tokens"  # request attribute: tokens issued while rendering
_LEARNER_VERSION = "_page_cache_learner_version"  # request attribute: (user pk, learner version)
_CHANGES_AT = "_page_cache_changes_at"  # request attribute: when the page being rendered changes by itself

# What is stored: (expires_at, pieces, slots, content type). The page is pieces[0] + slot value +
# pieces[1] + …; a plain tuple so that entries stay readable across code changes (pickle names no
# class of ours). Entries stored before the content type was kept have three items (HTML).
Entry = tuple


def _pages():
    return caches[ALIAS]


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


class _Local:
    """This process's copy of the version and of recently served pages."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: str | None = None
        self.version_read_at = float("-inf")
        self.pages: OrderedDict[str, Entry] = OrderedDict()
        self.learner_pages: OrderedDict[str, Entry] = OrderedDict()
        self.learner_values: OrderedDict[tuple[str, ...], tuple[float, object]] = OrderedDict()
        self.shared: OrderedDict[tuple[str, ...], tuple[float, object]] = OrderedDict()

    def current_version(self, *, reread: bool = False) -> str:
        now = time.monotonic()
        fresh = now - self.version_read_at < settings.PAGE_CACHE_VERSION_SECONDS
        if self.version is not None and fresh and not reread:
            return self.version
        version = _pages().get(VERSION_KEY)
        if version is None:  # never set, flushed or evicted: a new one, never an old one again
            _pages().add(VERSION_KEY, secrets.token_hex(16), None)
            version = _pages().get(VERSION_KEY) or secrets.token_hex(16)
        self.set_version(version, now)
        return version

    def set_version(self, version: str, read_at: float) -> None:
        with self.lock:
            if version != self.version:
                self.pages.clear()  # copies under another version can never be served again
                self.learner_pages.clear()
                self.learner_values.clear()
                self.shared.clear()
            self.version, self.version_read_at = version, read_at

    def _lru(self, key: str) -> tuple[OrderedDict[str, Entry], int]:
        if key.startswith("learner-page:"):
            return self.learner_pages, LOCAL_LEARNER_PAGES
        return self.pages, LOCAL_PAGES

    def get(self, key: str) -> Entry | None:
        pages, _size = self._lru(key)
        with self.lock:
            entry = pages.get(key)
            if entry is None:
                return None
            if entry[0] <= time.time():
                del pages[key]
                return None
            pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        pages, size = self._lru(key)
        with self.lock:
            pages[key] = entry
            while len(pages) > size:
                pages.popitem(last=False)


_local = _Local()


def shared[T](name: str, build: Callable[[], T]) -> T:
    """A value every viewer sees alike (the catalogue, a lesson's comment thread), built once per
    content version and language in this process, and kept at most ``PAGE_CACHE_SECONDS`` (as
    pages are: "5 minutes ago" must not grow old).

    It is dropped with the pages: whatever ``invalidate()`` marks stale is rebuilt on the next
    read here, and in other processes within ``PAGE_CACHE_VERSION_SECONDS``. Only for reads
    that show content: a write reads the rows it decides on itself. With the cache off
    (development, tests) it is built on every call."""
    if not enabled():
        return build()
    version = _local.current_version()
    return _kept(_local.shared, (name, get_language() or ""), LOCAL_SHARED, version, build)[1]


def _kept[T](
    store: OrderedDict[tuple[str, ...], tuple[float, object]],
    key: tuple[str, ...],
    limit: int,
    version: str,
    build: Callable[[], T],
) -> tuple[float, T]:
    """(expires at, value): the value this process keeps under ``key`` while it is fresh, else built
    and kept ``PAGE_CACHE_SECONDS``, but not if the content version changed while it was built; the
    oldest go past ``limit``."""
    now = time.time()
    with _local.lock:
        found = store.get(key)
    if found is not None and found[0] > now:
        return found  # type: ignore[return-value]  # stored below, under this key, by the same caller
    value = build()
    expires_at = now + settings.PAGE_CACHE_SECONDS
    with _local.lock:
        if _local.version == version:
            store[key] = (expires_at, value)
            while len(store) > limit:
                store.popitem(last=False)
    return expires_at, value


def learner_value[T](request: HttpRequest, name: str, build: Callable[[], T]) -> T:
    """A value only this request's learner sees (their standing), built once per learner version,
    content version and language in this process, and kept at most ``PAGE_CACHE_SECONDS``: a page
    drawn from a kept value is itself kept only as long as the value (time moves the streak on).

    Any write of theirs gives them a new version (``learner_changed``), which also forgets their
    values here at once: the request that wrote still holds the version it read. Built on every
    call when the cache is off, for a request without a learner version, or for staff."""
    learner = getattr(request, _LEARNER_VERSION, None)
    user = getattr(request, "user", None)
    if not (enabled() and learner and user is not None and user.is_authenticated and not user.is_staff):
        return build()
    if str(user.pk) != learner[0]:
        return build()
    version = _local.current_version()
    key = (name, *learner, version, get_language() or "")
    expires_at, value = _kept(_local.learner_values, key, LOCAL_LEARNER_VALUES, version, build)
    _expires_by(request, expires_at)  # a page drawn from it is kept no longer than the value
    return value


def reread_versions(request: HttpRequest) -> None:
    """Read the shared content version now, not up to ``PAGE_CACHE_VERSION_SECONDS`` late, and the
    signed-in learner's version with it, in one cache read (for requests that must see every write
    at once: ``infra.middleware.ContentVersionMiddleware``). The session is read here, as
    authentication would read it next; a learner's version is only trusted for that learner."""
    if not enabled():
        return
    user_id = request.session.get(SESSION_KEY)
    learner = f"{LEARNER_KEY}{user_id}" if user_id else None
    found = _pages().get_many([VERSION_KEY, learner] if learner else [VERSION_KEY])
    if VERSION_KEY in found:
        _local.set_version(found[VERSION_KEY], time.monotonic())
    else:
        _local.current_version(reread=True)  # never set, flushed or evicted: draws a new one
    if learner:
        version = found.get(learner)
        if version is None:
            _pages().add(learner, secrets.token_hex(8), None)
            version = _pages().get(learner) or secrets.token_hex(8)
        setattr(request, _LEARNER_VERSION, (str(user_id), version))


def changes_at(request: HttpRequest | None, moment: datetime | None) -> None:
    """The page being rendered for this request changes by itself at ``moment`` (an Edit link that
    expires): a learner's copy is kept no longer than that."""
    if request is not None and moment is not None:
        _expires_by(request, moment.timestamp())


def _expires_by(request: HttpRequest, timestamp: float) -> None:
    earlier = getattr(request, _CHANGES_AT, None)
    setattr(request, _CHANGES_AT, timestamp if earlier is None else min(earlier, timestamp))


# --- invalidation: the one path ---------------------------------------------------------------


def _new_version() -> None:
    version = secrets.token_hex(16)
    _pages().set(VERSION_KEY, version, None)
    _local.set_version(version, time.monotonic())


def invalidate() -> None:
    """Call after a write that changes what anonymous readers see.

    Now, for reads inside the same transaction, and again at commit: a page rendered
    from the old rows in between is then never served."""
    if enabled():
        _new_version()
        transaction.on_commit(_new_version)


def _original_values(instance: Model, fields: Collection[str]) -> dict[str, object]:
    # __dict__, not getattr: a deferred field must not cost a query here.
    return {name: instance.__dict__.get(name, _UNKNOWN) for name in fields}


_UNKNOWN = object()
_SEEN = "_page_cache_seen"


def invalidate_on_change(*models: type[Model], fields: Collection[str] | None = None) -> None:
    """Invalidate whenever a row of these models is saved or deleted (or, for a
    many-to-many table, linked or unlinked).

    With ``fields`` (field names), a save invalidates only if one of them changed since
    the row was loaded (a new row: if one differs from its default). A receiver here
    only marks cached pages stale: no business logic lives in these signals."""
    for model in models:
        _connect(model, fields)


def _connect(model: type[Model], fields: Collection[str] | None) -> None:
    label = model._meta.label
    if model._meta.auto_created:  # a many-to-many table: .add() and .remove() send m2m_changed only
        m2m_changed.connect(_on_m2m_changed, sender=model, dispatch_uid=f"page-cache-m2m-{label}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"page-cache-delete-{label}")
    if fields is None:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"page-cache-save-{label}")
        return
    concrete = [model._meta.get_field(name) for name in fields]
    if not all(isinstance(field, Field) for field in concrete):
        raise TypeError(f"invalidate_on_change({label}): fields must be concrete fields, not relations")
    watched = tuple(field.attname for field in concrete)  # type: ignore[union-attr]  # checked just above
    defaults = {field.attname: field.get_default() for field in concrete}  # type: ignore[union-attr]

    def remember(sender, instance: Model, **_ignored) -> None:
        if instance.pk is not None:
            instance.__dict__[_SEEN] = _original_values(instance, watched)

    def on_save(sender, instance: Model, created: bool, update_fields=None, raw: bool = False, **_ignored) -> None:
        before = defaults if created else instance.__dict__.get(_SEEN)
        now = _original_values(instance, watched)
        instance.__dict__[_SEEN] = now
        changed = {getattr(model._meta.get_field(f), "attname", f) for f in update_fields or ()}
        if update_fields is not None and not changed & set(watched):
            return
        if before is None or any(before[name] is _UNKNOWN or before[name] != now[name] for name in watched):
            invalidate()

    # weak=False: the receivers are closures that would otherwise be collected at once.
    post_init.connect(remember, sender=model, weak=False, dispatch_uid=f"page-cache-init-{label}")
    post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"page-cache-save-{label}")


def learner_changed(*user_ids: object) -> None:
    """Call after a write that changes what these learners see on their own pages (bulk writes:
    saves and deletes of the models declared with ``learner_changes_on`` call it themselves).
    Now, and again at commit, as ``invalidate()`` does."""
    ids = {str(pk) for pk in user_ids if pk is not None}
    if not (enabled() and ids):
        return

    def new_versions() -> None:
        _pages().set_many({f"{LEARNER_KEY}{pk}": secrets.token_hex(8) for pk in ids}, None)

    with _local.lock:  # this process's values under the version the writing request read
        for key in [key for key in _local.learner_values if key[1] in ids]:
            del _local.learner_values[key]
    new_versions()
    transaction.on_commit(new_versions)


def learner_changes_on(model: type[Model], owner: str) -> None:
    """Every save or delete of a row of ``model`` changes what its owner sees: ``owner`` names the
    field holding the learner's pk (``"user_id"``, ``"recipient_id"``; ``"pk"`` for the user model).
    A row given to another learner (staff can in the admin) changes what both see."""
    label = model._meta.label
    loaded_owner = f"_page_cache_owner_{owner}"

    def remember(sender, instance: Model, **_ignored) -> None:
        # __dict__, not getattr: a deferred field must not cost a query here.
        instance.__dict__[loaded_owner] = instance.pk if owner == "pk" else instance.__dict__.get(owner)

    def changed(sender, instance: Model, **_ignored) -> None:
        learner_changed(instance.__dict__.get(loaded_owner), getattr(instance, owner))
        remember(sender, instance)

    post_init.connect(remember, sender=model, weak=False, dispatch_uid=f"page-cache-learner-init-{label}")
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"page-cache-learner-save-{label}")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"page-cache-learner-delete-{label}")


def _on_save(**_ignored) -> None:
    invalidate()


def _on_delete(**_ignored) -> None:
    invalidate()


def _on_m2m_changed(action: str, **_ignored) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        invalidate()


# --- serving -----------------------------------------------------------------------------------


def csrf_context_processor(request: HttpRequest) -> dict[str, object]:
    """Django's ``csrf_token`` context variable, recording each token it issues.

    Listed after Django's own processors, it replaces the built-in one; the page cache
    splits a stored page at exactly these values."""

    def token() -> str:
        value = get_token(request)
        issued = getattr(request, _ISSUED_TOKENS, None)
        if issued is not None:
            issued.append(value)
        return value

    return {"csrf_token": SimpleLazyObject(token)}


def _keep_only(request: HttpRequest, params: Mapping[str, Collection[str] | None]) -> None:
    """Remove every query parameter the page does not use (utm_*, fbclid, …), and values it
    does not know, so that the view renders, and the key names, only what changes the page."""
    kept = []
    for name in sorted(params):
        value = request.GET.get(name)
        allowed = params[name]
        if value is not None and (allowed is None or value in allowed):
            kept.append((name, value))
    query = urlencode(kept)
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def _key(request: HttpRequest, version: str, learner: tuple[str, ...] | None = None) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()
    if learner is not None:
        whom = hashlib.sha256("\n".join(learner).encode()).hexdigest()
        return f"learner-page:{version}:{whom}:{get_language()}:{digest}"
    return f"page:{version}:{get_language()}:{digest}"


def _learner(request: HttpRequest) -> tuple[str, ...] | None:
    """Who this request's copy would be kept for, read from the session without loading the user:
    their pk and version, and the session's authentication hash and backend (a session from before
    a password change has another hash: it never finds the copy, and is signed out as it renders).
    None when no copy may be used: no learner version read this request, or a message waiting."""
    learner = getattr(request, _LEARNER_VERSION, None)
    if learner is None or "messages" in request.COOKIES or "_messages" in request.session:
        return None
    session = request.session
    return (*learner, str(session.get(HASH_SESSION_KEY, "")), str(session.get(BACKEND_SESSION_KEY, "")))


def _may_keep_for(request: HttpRequest, learner: tuple[str, ...]) -> bool:
    """After rendering: the page was drawn for that learner, authenticated (session hash checked),
    and not staff (they see drafts and moderation: always rendered)."""
    user = request.user
    return user.is_authenticated and not user.is_staff and str(user.pk) == learner[0]


def _split(body: str, values: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The page as text pieces between occurrences of ``values`` (value -> slot name)."""
    if not values:
        return (body,), ()
    pattern = re.compile("|".join(re.escape(value) for value in sorted(values, key=len, reverse=True)))
    pieces, slots, start = [], [], 0
    for match in pattern.finditer(body):
        pieces.append(body[start : match.start()])
        slots.append(values[match.group()])
        start = match.end()
    pieces.append(body[start:])
    return tuple(pieces), tuple(slots)


def _response(request: HttpRequest, entry: Entry) -> HttpResponse:
    content_type = entry[3] if len(entry) > 3 else None
    return HttpResponse(_join(request, entry), content_type=content_type)


def _join(request: HttpRequest, entry: Entry) -> str:
    pieces, slots = entry[1], entry[2]
    values = {NONCE: str(get_nonce(request))}
    if CSRF in slots:
        values[CSRF] = get_token(request)  # also sets the CSRF cookie, as rendering would
    parts = [pieces[0]]
    for slot, piece in zip(slots, pieces[1:], strict=True):
        parts += [values[slot], piece]
    return "".join(parts)


def _lookup(key: str) -> Entry | None:
    entry = _local.get(key)
    if entry is None and not key.startswith("learner-page:"):  # a learner's copies stay in this process
        entry = _pages().get(key)
        if entry is None or entry[0] <= time.time():
            return None
        _local.put(key, entry)
    return entry


def _store(request: HttpRequest, key: str, response: HttpResponse) -> None:
    values = dict.fromkeys(getattr(request, _ISSUED_TOKENS, []), CSRF)
    nonce = getattr(request, "_csp_nonce", None)
    if nonce is not None and str(nonce):
        values[str(nonce)] = NONCE
    pieces, slots = _split(response.content.decode(), values)
    now = time.time()
    seconds = min(settings.PAGE_CACHE_SECONDS, getattr(request, _CHANGES_AT, float("inf")) - now)
    if seconds < 1:
        return
    entry: Entry = (now + seconds, pieces, slots, response["Content-Type"])
    if not key.startswith("learner-page:"):  # a learner's copies stay in this process
        _pages().set(key, entry, int(seconds))
    _local.put(key, entry)


def cached_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    params: Mapping[str, Collection[str] | None] | None = None,
    learners: bool = False,
):
    """Serve this view's page from the cache: to anonymous readers, and with ``learners`` to each
    signed-in learner from their own copy (see the module's docstring for what that requires).

    ``params`` names the query parameters the page uses, each with its allowed values
    (None: any); all others are dropped before the view runs. Use bare or with arguments:
    ``@cached_page`` or ``@cached_page(params={"comments": ("oldest", "newest")}, learners=True)``."""
    allowed = dict(params or {})

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not (enabled() and request.method == "GET" and "messages" not in request.COOKIES):
                return view(request, *args, **kwargs)
            learner = None
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                learner = _learner(request) if learners else None
                if learner is None:
                    return view(request, *args, **kwargs)
            _keep_only(request, allowed)
            key = _key(request, _local.current_version(), learner)
            entry = _lookup(key)
            if entry is not None:
                response = _response(request, entry)
                if learner is not None:
                    add_never_cache_headers(response)  # private: PrivatePagesMiddleware need not load the user
                return response
            setattr(request, _ISSUED_TOKENS, [])
            response = view(request, *args, **kwargs)
            keep = response.status_code == 200 and not response.streaming and not response.cookies
            if keep and (learner is None or _may_keep_for(request, learner)):
                _store(request, key, response)
            return response

        return wrapped

    return decorate(view) if view is not None else decorate
