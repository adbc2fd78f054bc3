"""Hostile input into every form and JSON endpoint (issue 12, SPEC 10): arbitrary unicode, huge
strings, repeated and missing fields, extra fields, raw bodies that are not form-encoded at all,
malformed JSON and bodies over 64 KiB. Every answer is a page with the form's errors, a JSON error
(4xx), or a redirect: never a 500 (Django's test client raises the view's exception if there is one).

The endpoints are checked against the URL configuration (``test_every_endpoint_that_takes_post_is_covered``):
a new view that takes POST must be added here, or listed in ``NOT_FUZZED`` with the reason.
Examples are few per endpoint (``max_examples=25``) so the suite stays fast; each runs in a
transaction that is rolled back, with the client's cookies restored.
"""

import copy
import json
import time

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons.forms import report_form_token
from tests.test_url_matrix import EXPECTED
from tests.url_world import make_world

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
HUGE = 70 * 1024  # over the API's 64 KiB and every field's limit

# Text as people and robots send it: any unicode (NUL, controls, bidi, emoji, astral planes), sometimes huge.
any_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "\x00", "\u202e", "\ud7ff", "[" * 4000, "<script>alert(1)</script>", "-1", "1e309"]),
    st.builds(lambda char, n: char * n, st.sampled_from(["a", "é", "한", "😀", "\x00", "["]), st.integers(5000, HUGE)),
)
values = st.one_of(any_text, st.lists(any_text, min_size=2, max_size=3))  # a list sends the field several times


def form_data(fields: list[str]):
    """A form body: some of the fields (any may be missing), each any text or repeated, plus extras."""
    known = st.dictionaries(st.sampled_from(fields), values, max_size=len(fields)) if fields else st.just({})
    extra = st.dictionaries(st.text(min_size=1, max_size=20).filter(lambda k: "\x00" not in k), values, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


# endpoint key → (role, fields). Keys are URL names (name|variant as in the matrix).
FORMS = {
    "comments:create": ("learner", ["body", "parent"]),
    "comments:preview": ("learner", ["body"]),
    "comments:edit": ("learner", ["body"]),
    "comments:flag": ("other", []),
    "comments:delete": ("learner", []),
    "comments:hide": ("staff", []),
    "comments:subscription": ("learner", ["mode"]),
    "lessons:report": ("anonymous", ["kind", "body", "email", "lesson", "page", "completed", "started", "website"]),
    "lessons:preview": ("staff", ["body"]),
    "progress:settings": ("learner", ["display_name", "time_zone", "email_on_reply"]),
    "progress:account_delete": ("learner", ["password", "email"]),
    "progress:lesson_mark": ("learner", ["lesson", "done", "next"]),
    "account_login": ("anonymous", ["login", "password", "remember"]),
    "account_signup": ("anonymous", ["email", "password1", "password2"]),
    "account_reset_password": ("anonymous", ["email"]),
    "set_language": ("anonymous", ["language", "next"]),
}
JSON_API = ("progress:api_sync", "progress:api_complete", "progress:api_uncomplete")
# Views that take POST but carry no input of the person's own: nothing to fuzz beyond the matrix.
NOT_FUZZED = {
    "comments:unhide": "no fields (the same view as hide)",
    "comments:read_all": "no fields",
    "comments:unsubscribe": "no fields; the token is in the URL (tested as forged in the matrix)",
    "comments:resubscribe": "no fields; the token is in the URL",
    "progress:verification_send": "no fields",
    "account_logout": "no fields",
    "account_email": "allauth's own form (actions on the account's addresses)",
    "account_reauthenticate": "allauth's own password form",
    "account_change_password": "allauth's own password form",
    "account_set_password": "redirects: these accounts have a password",
    "account_reset_password_from_key": "allauth's own form behind a key (the key here is unknown)",
    "account_confirm_email": "allauth's own confirmation behind a key",
    "account_confirm_login_code": "redirects: no code requested",
    "socialaccount_signup": "redirects: no sign-up in progress",
    "socialaccount_connections": "allauth's own form",
    "admin:logout": "Django's admin",
    "sitemap": "GET-only in practice (Django's sitemap view answers any method)",
}


def test_every_endpoint_that_takes_post_is_covered():
    # A view takes POST when some signed-in role gets anything but 405 (anonymous readers may be sent to sign in first).
    takes_post = {key for key, (_get, post) in EXPECTED.items() if post is not None and set(post[1:]) != {405}}
    names = {key.split("|")[0] for key in takes_post}
    missing = sorted(names - set(FORMS) - set(JSON_API) - set(NOT_FUZZED))
    assert not missing, f"views that take POST with no hostile-input test in tests/test_hostile_input.py: {missing}"


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    world.clients = {role: world.client(role) for role in ("anonymous", "learner", "other", "staff")}
    world.jars = {role: copy.deepcopy(client.cookies) for role, client in world.clients.items()}
    return world


def _url(world, name: str) -> str:
    args = {
        "comments:create": {"lesson_id": world.lesson.pk},
        "comments:subscription": {"lesson_id": world.lesson.pk},
        "comments:edit": {"pk": world.comment.pk},
        "comments:flag": {"pk": world.comment.pk},
        "comments:delete": {"pk": world.comment.pk},
        "comments:hide": {"pk": world.comment.pk},
    }
    return reverse(name, kwargs=args.get(name, {}))


def _send(world, role: str, method: str, *args, **kwargs):
    """One request as ``role`` (``method`` is a test client method; "generic" sends raw bytes as they are)."""
    client = world.clients[role]
    try:
        with transaction.atomic():
            response = getattr(client, method)(*args, **kwargs)
            transaction.set_rollback(True)
    finally:
        client.cookies = copy.deepcopy(world.jars[role])
    return response


def _assert_handled(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert response.status_code in {200, 201, 204, 301, 302, 400, 403, 404, 405, 409, 413, 429}, where


@pytest.mark.parametrize("name", sorted(FORMS))
def test_forms_answer_any_fields_with_errors_or_a_redirect(world, name):
    role, fields = FORMS[name]
    url = _url(world, name)

    @FUZZ
    @given(data=form_data(fields), fetch=st.booleans(), real_token=st.booleans())
    def run(data, fetch, real_token):
        if name == "lessons:report" and real_token and "started" not in data:
            data["started"] = report_form_token(issued_at=time.time() - 10)  # past the spam check: the rest is tested
        headers = {"HTTP_X_REQUESTED_WITH": "fetch"} if fetch else {}
        _assert_handled(_send(world, role, "post", url, data=data, **headers), f"POST {url} {data!r:.300}")

    run()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_forms_answer_raw_bodies_that_are_not_form_encoded(world, name):
    role, _fields = FORMS[name]
    url = _url(world, name)

    @FUZZ
    @given(
        body=st.one_of(st.binary(max_size=2000), st.just(b"body=%ff%fe&body=" + b"%00" * 100), st.just(b"x" * HUGE)),
        content_type=st.sampled_from(
            ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data",
             "application/json", "text/plain; charset=utf-16", "application/x-www-form-urlencoded; charset=klingon"]
        ),
    )  # fmt: skip
    def run(body, content_type):
        response = _send(world, role, "generic", "POST", url, data=body, content_type=content_type)
        _assert_handled(response, f"POST {url} raw {content_type} {body[:80]!r}")

    run()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize("name", JSON_API)
def test_the_json_api_answers_any_body_with_a_json_error_or_the_state(world, name):
    url = reverse(name)
    key = world.lesson.key

    bodies = st.one_of(
        st.binary(max_size=500),  # not JSON, or not UTF-8
        json_values.map(lambda value: json.dumps(value).encode()),
        st.dictionaries(st.sampled_from(["completed", "lesson", "version", "xp", "extra"]), json_values).map(
            lambda value: json.dumps(value).encode()
        ),
        st.dictionaries(any_text, any_text, max_size=5).map(lambda c: json.dumps({"completed": c}).encode()),
        st.sampled_from([
            b"{", b"[]", b"null", b"NaN", b'{"completed": NaN}', b'{"lesson": Infinity}', b"[" * 100_000,
            json.dumps({"completed": {key: "1970-01-01T00:00:00Z"}}).encode(),
            json.dumps({"completed": {key: "9999-12-31T23:59:59+14:00"}}).encode(),
            json.dumps({"completed": {key: "0001-01-01T00:00:00-14:00"}}).encode(),
            json.dumps({"lesson": key, "lesson ": key}).encode(),
            b'{"lesson": "' + b"k" * HUGE + b'"}',
        ]),
    )  # fmt: skip

    @FUZZ
    @given(body=bodies)
    def run(body):
        response = _send(world, "learner", "generic", "POST", url, data=body, content_type="application/json")
        _assert_handled(response, f"POST {url} {body[:120]!r}")
        data = json.loads(response.content)  # always JSON
        if response.status_code >= 400:
            assert isinstance(data.get("error"), str), body[:120]
            assert data["error"], body[:120]
        if len(body) > 64 * 1024:
            assert response.status_code == 413

    run()


@pytest.mark.parametrize(
    "name", ["search:results", "lessons:lesson", "lessons:report", "lessons:home", "comments:notifications"]
)
def test_pages_answer_any_query_string(world, name):
    kwargs = {"quest_slug": world.lesson.quest.slug, "slug": world.lesson.slug} if name == "lessons:lesson" else {}
    url = reverse(name, kwargs=kwargs)

    @FUZZ
    @given(
        params=st.dictionaries(st.sampled_from(["q", "comments", "page", "lesson", "next", "x"]), values, max_size=4)
    )
    def run(params):
        _assert_handled(_send(world, "learner", "get", url, data=params), f"GET {url} {params!r:.300}")

    run()
