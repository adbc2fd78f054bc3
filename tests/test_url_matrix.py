"""A permission matrix generated from the URL configuration (issue 12): every named URL pattern
× every role, with the status each must answer.

The list of URLs is walked from the root resolver, so a new URL cannot be forgotten: a name
missing from ``EXPECTED`` (or from the admin's rule) fails ``test_every_named_url_has_expectations``
with its name. Each row gives the statuses for GET and, where the view takes POST, for a POST with a
well-formed body (so the status says what the role may do, not that a field was missing), in the
order of ``ROLES``: anonymous, learner (who wrote the comment), other learner, unverified learner,
staff (``is_staff`` without model permissions), superuser. ``405`` means the method is not taken.
Objects: a published lesson, a draft lesson (``|draft``: a lesson taken back to draft, with a
comment written while it was published), the learner's comment, an unsubscribe token.

Every request runs in a transaction that is rolled back and each client's cookies are restored,
so one row's POST (a deletion, a sign-out) never changes what the next row sees.
"""

import copy
import json
import time

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse

from lessons.forms import report_form_token
from progress.models import EarnedAchievement
from tests.url_world import ROLES, make_world, named_patterns, url_kwargs

A, L, O, U, S, SU = range(6)  # noqa: E741 (positions in ROLES)


def every(status: int) -> tuple[int, ...]:
    return (status,) * len(ROLES)


SIGNED_IN = (302, 200, 200, 200, 200, 200)  # anonymous readers are sent to sign in
NO = every(405)

# name (or name|variant): (GET statuses, POST statuses or None when the view does not take POST)
EXPECTED: dict[str, tuple[tuple[int, ...], tuple[int, ...] | None]] = {
    # Public pages: GET only.
    "lessons:home": (every(200), NO),
    "lessons:tags": (every(200), NO),
    "lessons:tag": (every(200), NO),
    "lessons:quest": (every(200), NO),
    "lessons:lesson": (every(200), NO),
    "lessons:lesson|draft": ((404, 404, 404, 404, 200, 200), NO),  # drafts: staff only, 404 for the rest
    "search:results": (every(200), NO),
    "healthz": (every(200), NO),
    "sitemap": (every(200), None),
    "robots_txt": (every(200), NO),
    "favicon": (every(301), NO),
    "offline": (every(200), NO),  # the offline page the worker keeps
    "service_worker": (every(200), NO),
    "web_manifest": (every(200), NO),
    "set_language": (every(302), every(302)),
    # Reports: anyone may send one.
    "lessons:report": (every(200), every(302)),
    # Staff tools outside the admin.
    "lessons:preview": ((302, 302, 302, 302, 405, 405), (302, 302, 302, 302, 200, 200)),
    # Progress: the learner's own pages and the JSON API (401 without a session, SPEC 4).
    "progress:dashboard": (SIGNED_IN, None),
    "progress:settings": (SIGNED_IN, (302, 302, 302, 302, 302, 302)),  # saved, then back to the page
    "progress:account_delete": ((302, 405, 405, 405, 405, 405), (302, 400, 400, 400, 400, 400)),  # wrong password
    "progress:data_export": (SIGNED_IN, None),
    "progress:verification_send": ((302, 405, 405, 405, 405, 405), every(302)),
    "progress:lesson_mark": (NO, every(302)),
    "progress:api_state": ((401, 200, 200, 200, 200, 200), NO),
    "progress:api_catalogue": (every(200), NO),  # public: the published lessons the browser keeps
    "progress:api_sync": (NO, (401, 200, 200, 200, 200, 200)),
    "progress:api_complete": (NO, (401, 200, 200, 200, 200, 200)),
    "progress:api_uncomplete": (NO, (401, 200, 200, 200, 200, 200)),
    # Comments. Posting needs a verified address; edit and delete are the author's; hide is staff's.
    "comments:create": (NO, (302, 302, 302, 403, 302, 302)),
    "comments:create|draft": (NO, (404, 404, 404, 404, 302, 302)),
    "comments:subscription": (NO, (302, 302, 302, 302, 302, 302)),
    "comments:subscription|draft": (NO, (404, 404, 404, 404, 302, 302)),
    "comments:preview": (NO, (302, 200, 200, 200, 200, 200)),
    "comments:permalink": (every(302), NO),
    "comments:permalink|draft": ((404, 404, 404, 404, 302, 302), NO),
    "comments:reply": (SIGNED_IN, NO),
    "comments:reply|draft": ((404, 404, 404, 404, 200, 200), NO),
    "comments:edit": ((302, 200, 403, 403, 403, 403), (302, 302, 403, 403, 403, 403)),
    "comments:edit|draft": ((404, 404, 404, 404, 403, 403), (404, 404, 404, 404, 403, 403)),
    "comments:delete": ((302, 200, 403, 403, 403, 403), (302, 302, 403, 403, 403, 403)),
    "comments:delete|draft": ((404, 404, 404, 404, 403, 403), (404, 404, 404, 404, 403, 403)),
    "comments:flag": (
        (302, 403, 200, 200, 200, 200),
        (302, 403, 302, 403, 302, 302),
    ),  # flagging needs a verified email
    "comments:flag|draft": ((404, 404, 404, 404, 200, 200), (404, 404, 404, 404, 302, 302)),
    "comments:hide": ((302, 403, 403, 403, 200, 200), (302, 403, 403, 403, 302, 302)),
    "comments:hide|draft": ((404, 404, 404, 404, 200, 200), (404, 404, 404, 404, 302, 302)),
    "comments:unhide": ((302, 403, 403, 403, 200, 200), (302, 403, 403, 403, 302, 302)),
    "comments:unhide|draft": ((404, 404, 404, 404, 200, 200), (404, 404, 404, 404, 302, 302)),
    "comments:notifications": (SIGNED_IN, (302, 405, 405, 405, 405, 405)),
    "comments:read_all": ((302, 405, 405, 405, 405, 405), every(302)),
    "comments:unsubscribe": (every(200), every(200)),  # the signed token is the permission, not the session
    "comments:unsubscribe|forged": (every(400), every(400)),
    "comments:resubscribe": (NO, every(200)),
    # allauth's pages (its own rules; ours: /accounts/email/ says when a mail can be sent again).
    "account_login": ((200, 302, 302, 302, 302, 302), (200, 302, 302, 302, 302, 302)),
    "account_signup": ((200, 302, 302, 302, 302, 302), (200, 302, 302, 302, 302, 302)),
    "account_logout": (SIGNED_IN, every(302)),
    "account_email": (SIGNED_IN, every(302)),
    "account_inactive": (every(200), NO),
    "account_reauthenticate": (SIGNED_IN, SIGNED_IN),
    "account_email_verification_sent": (every(200), NO),
    "account_change_password": (SIGNED_IN, SIGNED_IN),
    "account_set_password": (every(302), every(302)),  # these accounts have passwords: sent to change it
    "account_reset_password": (every(200), every(200)),
    "account_reset_password_done": (every(200), NO),
    "account_reset_password_from_key": (every(200), every(200)),  # "the link is invalid"
    "account_reset_password_from_key_done": (every(200), NO),
    "account_confirm_email": (every(200), every(404)),  # an unknown key: a page saying so; POST: 404
    "account_confirm_login_code": (every(302), every(302)),  # no code was requested
    "socialaccount_login_cancelled": (every(200), NO),
    "socialaccount_login_error": (every(401), NO),
    "socialaccount_signup": (every(302), every(302)),  # no sign-up in progress
    "socialaccount_connections": (SIGNED_IN, SIGNED_IN),
    # The admin's own pages (its model pages follow ADMIN_MODEL_RULE).
    "admin:index": ((302, 302, 302, 302, 200, 200), None),
    "admin:login": ((302, 403, 403, 403, 302, 302), None),  # through allauth's login (rate-limited)
    "admin:logout": ((302, 302, 302, 302, 405, 405), (302, 302, 302, 302, 200, 200)),
    "admin:password_change": ((302, 302, 302, 302, 200, 200), None),
    "admin:password_change_done": ((302, 302, 302, 302, 200, 200), None),
    "admin:autocomplete": ((302, 302, 302, 302, 403, 403), None),  # 403: no field asked for
    "admin:jsi18n": ((302, 302, 302, 302, 200, 200), None),
    "admin:view_on_site": ((302, 302, 302, 302, 404, 404), None),
    "admin:app_list": ((302, 302, 302, 302, 404, 200), None),  # 404: staff without permissions see no app
}

# Admin model pages (changelist, add, change, delete, history of every registered model): nobody
# but staff gets in (302 to the admin's sign-in); staff without permissions are refused (403,
# or 302 when the object does not exist: Django says so before checking); superusers get in,
# except where the site takes the permission away from everybody:
ADMIN_ACTIONS = ("changelist", "add", "change", "delete", "history")
SUPERUSER_REFUSED = {
    # Written only by the site's own forms, with their rules and context.
    "admin:lessons_report_add",
    "admin:comments_comment_add",
    "admin:comments_flaggedcomment_add",
    "admin:comments_notification_add",
    "admin:django_tasks_database_dbtaskresult_add",
    "admin:django_tasks_database_dbtaskresult_delete",
}


def admin_model_pages() -> dict[str, tuple]:
    """admin URL name → (model, action) for every registered model."""
    pages = {}
    for model in admin.site._registry:
        for action in ADMIN_ACTIONS:
            pages[f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"] = (model, action)
    return pages


def test_every_named_url_has_expectations():
    admin_pages = admin_model_pages()
    covered = {key.split("|")[0] for key in EXPECTED} | set(admin_pages) | {"admin:auth_user_password_change"}
    missing = sorted(set(named_patterns()) - covered)
    assert not missing, f"URL names with no expected statuses in tests/test_url_matrix.py: {missing}"
    gone = sorted(name for name in {key.split("|")[0] for key in EXPECTED} if name not in named_patterns())
    assert not gone, f"expectations for URL names that no longer exist: {gone}"


# --- Running a row ---------------------------------------------------------------------------


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    learner = world.users["learner"]
    # One object of each admin model that has none yet, so the admin rule meets a real object.
    Group.objects.create(name="Editors")
    from progress.models import Achievement

    EarnedAchievement.objects.create(
        user=learner, achievement=Achievement.objects.first(), earned_at=world.lesson.updated_at
    )
    world.clients = {role: world.client(role) for role in ROLES}
    world.jars = {role: copy.deepcopy(client.cookies) for role, client in world.clients.items()}
    return world


def post_body(key: str, world) -> dict:
    """A well-formed body for each view that takes POST: the status then says what the role may do."""
    lesson = world.lesson
    bodies = {
        "lessons:report": {
            "kind": "bug",
            "body": "The table is cut off.",
            "lesson": lesson.key,
            "page": lesson.get_absolute_url(),
            "started": report_form_token(issued_at=time.time() - 10),
        },
        "lessons:preview": {"body": "# A heading\n\nText."},
        "set_language": {"language": "ko", "next": "/"},
        "progress:settings": {"display_name": "Ada", "time_zone": "UTC", "email_on_reply": "on"},
        "progress:account_delete": {"password": "not the password", "email": "nobody@example.com"},
        "progress:lesson_mark": {"lesson": lesson.key, "done": "1", "next": lesson.get_absolute_url()},
        "comments:create": {"body": "A new comment."},
        "comments:create|draft": {"body": "A new comment."},
        "comments:subscription": {"mode": "all"},
        "comments:subscription|draft": {"mode": "all"},
        "comments:preview": {"body": "*Preview* me."},
        "comments:edit": {"body": "Edited text."},
        "comments:edit|draft": {"body": "Edited text."},
    }
    return bodies.get(key, {})


JSON_BODIES = {
    "progress:api_sync": lambda world: {"completed": {world.lesson.key: "2025-01-31T09:30:00Z"}},
    "progress:api_complete": lambda world: {"lesson": world.lesson.key},
    "progress:api_uncomplete": lambda world: {"lesson": world.lesson.key},
}


def request_statuses(world, url: str, method: str, key: str) -> tuple[int, ...]:
    statuses = []
    for role in ROLES:
        client = world.clients[role]
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            elif key in JSON_BODIES:
                response = client.post(url, json.dumps(JSON_BODIES[key](world)), content_type="application/json")
            else:
                response = client.post(url, post_body(key, world))
            transaction.set_rollback(True)
        client.cookies = copy.deepcopy(world.jars[role])
        statuses.append(response.status_code)
    return tuple(statuses)


def _check(world, key: str, url: str, get: tuple, post: tuple | None) -> list[str]:
    problems = []
    got = request_statuses(world, url, "GET", key)
    if got != get:
        problems.append(
            f"GET {url} ({key}): expected {dict(zip(ROLES, get, strict=True))}, got {dict(zip(ROLES, got, strict=True))}"
        )
    if post is not None:
        got = request_statuses(world, url, "POST", key)
        if got != post:
            problems.append(
                f"POST {url} ({key}): expected {dict(zip(ROLES, post, strict=True))}, got {dict(zip(ROLES, got, strict=True))}"
            )
    return problems


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_site_url_answers_each_role_as_expected(world, key):
    name = key.split("|")[0]
    url = reverse(name, kwargs=url_kwargs(world).get(key, {}) or _admin_fixed_kwargs(name))
    get, post = EXPECTED[key]
    problems = _check(world, key, url, get, post)
    assert not problems, "\n".join(problems)


def _admin_fixed_kwargs(name: str) -> dict:
    return {"view_on_site": {"content_type_id": "1", "object_id": "1"}, "app_list": {"app_label": "lessons"}}.get(
        name.removeprefix("admin:"), {}
    )


def test_admin_model_pages_are_staff_only_and_follow_their_permissions(world):
    superuser = world.users["superuser"]
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = superuser
    problems = []
    for name, (model, action) in sorted(admin_model_pages().items()):
        kwargs = {}
        exists = True
        if action in ("change", "delete", "history"):
            first = admin.site._registry[model].get_queryset(request).order_by("pk").first()
            exists = first is not None
            kwargs = {"object_id": str(first.pk) if exists else "0"}
        url = reverse(name, kwargs=kwargs)
        staff = 302 if action == "history" and not exists else 403
        refused = name in SUPERUSER_REFUSED
        superuser_status = 403 if refused else (200 if exists else 302)
        expected = (302, 302, 302, 302, staff, superuser_status)
        got = request_statuses(world, url, "GET", name)
        if got != expected:
            problems.append(f"GET {url} ({name}): expected {expected}, got {got}")
    assert not problems, "\n".join(problems)


def test_the_user_password_page_of_the_admin_is_for_superusers(world):
    url = reverse("admin:auth_user_password_change", kwargs={"id": world.users["learner"].pk})
    assert request_statuses(world, url, "GET", "admin:auth_user_password_change") == (302, 302, 302, 302, 403, 200)
