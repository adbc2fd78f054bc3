"""The JSON API of SPEC section 4: the contract, the merge rules, and every malformed body."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons.models import Status
from progress.models import Completion, EarnedAchievement
from tests.conftest import make_quest
from tests.progress.conftest import post_json

STATE = "/api/progress/"
SYNC = "/api/progress/sync"
COMPLETE = "/api/progress/complete"
UNCOMPLETE = "/api/progress/uncomplete"
STATE_KEYS = {
    "completed", "xp", "level", "lessons_completed", "lessons_total",
    "achievements", "achievements_total", "streak_days",
}  # fmt: skip


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class TestContract:
    def test_state_has_exactly_the_documented_shape(self, learner_client, lessons):
        response = learner_client.get(STATE)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        state = response.json()
        assert set(state) == STATE_KEYS
        assert state["completed"] == {}
        assert state["xp"] == 0
        assert state["level"] == {"number": 0, "name": "Curious", "xp_floor": 0, "next_at": 120}
        assert (state["lessons_completed"], state["lessons_total"]) == (0, 3)
        assert (state["achievements"], state["achievements_total"]) == ([], 11)
        assert state["streak_days"] == 0

    def test_complete_answers_the_state_and_new_achievements(self, learner_client, lessons):
        response = post_json(learner_client, COMPLETE, {"lesson": lessons[0].key})
        assert response.status_code == 200
        data = response.json()
        assert set(data) == STATE_KEYS | {"new_achievements"}
        assert list(data["completed"]) == [lessons[0].key]
        assert datetime.fromisoformat(data["completed"][lessons[0].key]).tzinfo is not None
        assert data["xp"] == 40
        assert data["streak_days"] == 1
        assert [a["code"] for a in data["new_achievements"]] == ["first-steps"]
        assert {"code", "name", "earned_at"} <= set(data["new_achievements"][0])
        assert [set(a) for a in data["achievements"]] == [{"code", "name", "earned_at"}]

    def test_completing_again_does_nothing(self, learner_client, lessons, user):
        post_json(learner_client, COMPLETE, {"lesson": lessons[0].key})
        first_time = Completion.objects.get(user=user).completed_at
        data = post_json(learner_client, COMPLETE, {"lesson": lessons[0].key}).json()
        assert data["new_achievements"] == []
        assert data["xp"] == 40
        assert Completion.objects.get(user=user).completed_at == first_time

    def test_uncomplete_removes_the_lesson(self, learner_client, lessons):
        post_json(learner_client, COMPLETE, {"lesson": lessons[0].key})
        response = post_json(learner_client, UNCOMPLETE, {"lesson": lessons[0].key})
        assert response.status_code == 200
        data = response.json()
        assert set(data) == STATE_KEYS
        assert (data["completed"], data["xp"]) == ({}, 0)

    @pytest.mark.parametrize("url", [COMPLETE, UNCOMPLETE])
    def test_unknown_or_draft_lessons_are_a_404_with_a_message(self, learner_client, lessons, url):
        lessons[1].status = Status.DRAFT
        lessons[1].save()
        for key in ("no-such-lesson", lessons[1].key, "nul\x00byte", "ü"):
            response = post_json(learner_client, url, {"lesson": key})
            assert response.status_code == 404
            assert key in response.json()["error"]

    def test_no_session_is_401(self, client, lessons):
        assert client.get(STATE).status_code == 401
        response = post_json(client, SYNC, {"completed": {}})
        assert response.status_code == 401
        assert "Sign in" in response.json()["error"]

    @pytest.mark.parametrize(
        ("method", "url"), [("post", STATE), ("get", SYNC), ("get", COMPLETE), ("put", UNCOMPLETE)]
    )
    def test_wrong_methods_are_405_in_json(self, learner_client, db, method, url):
        response = getattr(learner_client, method)(url)
        assert response.status_code == 405
        assert "error" in response.json()


class TestCsrf:
    @pytest.fixture
    def strict(self, user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    @pytest.mark.parametrize("url", [SYNC, COMPLETE, UNCOMPLETE])
    def test_a_post_without_the_token_is_403_json(self, strict, lessons, url):
        response = post_json(strict, url, {"lesson": lessons[0].key})
        assert response.status_code == 403
        assert "CSRF" in response.json()["error"]
        assert not Completion.objects.exists()

    def test_a_post_with_the_token_from_the_page_works(self, strict, lessons):
        strict.get("/")
        token = strict.cookies["csrftoken"].value
        response = post_json(strict, COMPLETE, {"lesson": lessons[0].key}, headers={"X-CSRFToken": token})
        assert response.status_code == 200
        assert Completion.objects.count() == 1


class TestSync:
    def test_merge_is_a_union_with_added_and_ignored(self, learner_client, lessons, user):
        post_json(learner_client, COMPLETE, {"lesson": lessons[0].key})
        now = timezone.now()
        body = {
            "completed": {lessons[0].key: iso(now), lessons[1].key: iso(now), "gone-lesson": iso(now), "\x00": iso(now)}
        }
        data = post_json(learner_client, SYNC, body).json()
        assert set(data) == STATE_KEYS | {"added", "ignored", "new_achievements"}
        assert data["added"] == [lessons[1].key]
        assert data["ignored"] == ["\x00", "gone-lesson"]
        assert set(data["completed"]) == {lessons[0].key, lessons[1].key}
        assert data["xp"] == 80

    def test_the_earlier_time_wins_on_either_side(self, learner_client, lessons, user):
        server_time = timezone.now() - timedelta(days=1)
        Completion.objects.create(user=user, lesson=lessons[0], completed_at=server_time)
        Completion.objects.create(user=user, lesson=lessons[1], completed_at=server_time)
        earlier, later = server_time - timedelta(days=3), server_time + timedelta(hours=1)
        data = post_json(
            learner_client, SYNC, {"completed": {lessons[0].key: iso(earlier), lessons[1].key: iso(later)}}
        ).json()
        assert data["added"] == []
        stored = dict(Completion.objects.filter(user=user).values_list("lesson__key", "completed_at"))
        assert stored[lessons[0].key] == earlier
        assert stored[lessons[1].key] == server_time

    def test_future_times_are_clamped_to_now(self, learner_client, lessons, user):
        before = timezone.now()
        post_json(learner_client, SYNC, {"completed": {lessons[0].key: "2999-01-01T00:00:00Z"}})
        stored = Completion.objects.get(user=user).completed_at
        assert before <= stored <= timezone.now()

    def test_unpublished_lessons_and_draft_quests_are_ignored(self, learner_client, lessons, user):
        lessons[0].status = Status.DRAFT
        lessons[0].save()
        hidden = make_quest("hidden-quest", lessons=1, status=Status.DRAFT, order=3).lessons.get()
        now = iso(timezone.now())
        data = post_json(learner_client, SYNC, {"completed": {lessons[0].key: now, hidden.key: now}}).json()
        assert data["added"] == []
        assert data["ignored"] == sorted([lessons[0].key, hidden.key])
        assert not Completion.objects.exists()

    def test_the_same_payload_twice_changes_nothing(self, learner_client, lessons, user):
        body = {"completed": {lesson.key: iso(timezone.now() - timedelta(days=i)) for i, lesson in enumerate(lessons)}}
        first = post_json(learner_client, SYNC, body).json()
        rows = list(Completion.objects.order_by("pk").values_list("pk", "lesson_id", "completed_at"))
        earned = list(EarnedAchievement.objects.order_by("pk").values_list("pk", "earned_at"))
        second = post_json(learner_client, SYNC, body).json()
        assert len(first["added"]) == 3
        assert (second["added"], second["new_achievements"]) == ([], [])
        assert second["xp"] == first["xp"] == 120
        assert list(Completion.objects.order_by("pk").values_list("pk", "lesson_id", "completed_at")) == rows
        assert list(EarnedAchievement.objects.order_by("pk").values_list("pk", "earned_at")) == earned

    def test_nothing_is_ever_removed_by_a_sync(self, learner_client, lessons, user):
        post_json(learner_client, COMPLETE, {"lesson": lessons[0].key})
        data = post_json(learner_client, SYNC, {"completed": {}}).json()
        assert list(data["completed"]) == [lessons[0].key]

    def test_the_local_storage_document_itself_is_accepted(self, learner_client, lessons):
        body = {"version": 1, "completed": {lessons[0].key: "2025-01-31T09:30:00+09:00"}}
        data = post_json(learner_client, SYNC, body).json()
        assert data["added"] == [lessons[0].key]
        assert data["completed"][lessons[0].key] == "2025-01-31T00:30:00Z"

    def test_a_sync_reports_the_achievements_it_earned(self, learner_client, lessons):
        now = iso(timezone.now())
        data = post_json(learner_client, SYNC, {"completed": {lesson.key: now for lesson in lessons}}).json()
        assert {a["code"] for a in data["new_achievements"]} == {"first-steps", "quest-complete", "completionist"}
        assert all({"code", "name", "description", "icon", "earned_at"} <= set(a) for a in data["new_achievements"])


class TestBadClock:
    """Issue 12: one well-formed but implausible time is that entry's problem alone."""

    @pytest.mark.parametrize(
        "moment", ["1970-01-01T00:00:00Z", "1969-07-20T20:17:00Z", "1999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"]
    )
    def test_an_implausibly_early_entry_is_ignored_and_the_rest_merges(self, learner_client, lessons, user, moment):
        now = iso(timezone.now())
        body = {"completed": {lessons[0].key: moment, lessons[1].key: now, "gone-lesson": now}}
        response = post_json(learner_client, SYNC, body)
        assert response.status_code == 200
        data = response.json()
        assert data["added"] == [lessons[1].key]
        assert data["ignored"] == sorted([lessons[0].key, "gone-lesson"])
        assert list(data["completed"]) == [lessons[1].key]
        assert set(Completion.objects.filter(user=user).values_list("lesson__key", flat=True)) == {lessons[1].key}

    def test_an_early_entry_never_moves_a_server_completion_back(self, learner_client, lessons, user):
        server_time = timezone.now() - timedelta(days=1)
        Completion.objects.create(user=user, lesson=lessons[0], completed_at=server_time)
        data = post_json(learner_client, SYNC, {"completed": {lessons[0].key: "1970-01-01T00:00:00Z"}}).json()
        assert (data["added"], data["ignored"]) == ([], [lessons[0].key])
        assert Completion.objects.get(user=user).completed_at == server_time

    def test_the_first_plausible_moment_merges(self, learner_client, lessons):
        data = post_json(learner_client, SYNC, {"completed": {lessons[0].key: "2000-01-01T00:00:00Z"}}).json()
        assert (data["added"], data["ignored"]) == ([lessons[0].key], [])

    def test_the_far_end_of_the_calendar_is_clamped_to_now(self, learner_client, lessons, user):
        before = timezone.now()
        response = post_json(learner_client, SYNC, {"completed": {lessons[0].key: "9999-12-31T23:00:00-14:00"}})
        assert response.json()["added"] == [lessons[0].key]
        assert before <= Completion.objects.get(user=user).completed_at <= timezone.now()

    def test_a_value_that_is_not_a_time_still_refuses_the_body(self, learner_client, lessons, user):
        body = {"completed": {lessons[0].key: "1970-01-01T00:00:00Z", lessons[1].key: "yesterday"}}
        response = post_json(learner_client, SYNC, body)
        assert response.status_code == 400
        assert "yesterday" in response.json()["error"]
        assert not Completion.objects.exists()


class TestClientCannotSetXp:
    def test_xp_in_a_sync_payload_has_no_effect(self, learner_client, lessons):
        response = post_json(learner_client, SYNC, {"completed": {lessons[0].key: iso(timezone.now())}, "xp": 99999})
        assert response.status_code == 200
        assert response.json()["xp"] == lessons[0].xp
        assert learner_client.get(STATE).json()["xp"] == lessons[0].xp

    def test_an_unknown_field_is_refused_and_changes_nothing(self, learner_client, lessons):
        response = post_json(learner_client, SYNC, {"completed": {lessons[0].key: iso(timezone.now())}, "bonus": 1})
        assert response.status_code == 400
        assert "bonus" in response.json()["error"]
        assert learner_client.get(STATE).json()["xp"] == 0

    @pytest.mark.parametrize(
        "body",
        [
            {"lesson": "KEY", "xp": 5000},
            {"lesson": "KEY", "level": {"number": 9}},
            {"lesson": "KEY", "achievements": ["completionist"]},
        ],
    )
    def test_state_fields_sent_on_complete_have_no_effect(self, learner_client, lessons, body):
        body = {**body, "lesson": lessons[0].key}
        assert post_json(learner_client, COMPLETE, body).status_code == 200
        state = learner_client.get(STATE).json()
        assert state["xp"] == lessons[0].xp
        assert state["level"]["number"] == 0
        assert {a["code"] for a in state["achievements"]} <= {"first-steps"}

    def test_xp_hidden_in_an_entry_is_refused(self, learner_client, lessons):
        body = {"completed": {lessons[0].key: {"at": iso(timezone.now()), "xp": 10**6}}}
        assert post_json(learner_client, SYNC, body).status_code == 400
        assert learner_client.get(STATE).json()["xp"] == 0

    def test_xp_comes_from_the_lesson_whatever_the_client_believes(self, learner_client, lessons):
        lessons[0].xp = 15
        lessons[0].save()
        data = post_json(learner_client, SYNC, {"completed": {lessons[0].key: iso(timezone.now())}}).json()
        assert data["xp"] == 15


MALFORMED_SYNC = [
    b"",
    b"not json",
    b"{",
    b"[]",
    b"null",
    b'"completed"',
    b"{}",
    b'{"completed": []}',
    b'{"completed": "all"}',
    b'{"completed": null}',
    b'{"completed": {"k": 1}}',
    b'{"completed": {"k": null}}',
    b'{"completed": {"k": "yesterday"}}',
    b'{"completed": {"k": "2025-13-45T00:00:00Z"}}',
    b'{"completed": {"k": "2025-01-01T00:00:00+25:00"}}',
    b'{"completed": {"": "2025-01-01T00:00:00Z"}}',
    b'{"completed": {"k": NaN}}',
    b'{"completed": {}, "version": 2}',
    b'{"completed": {}, "version": true}',
    b'{"completed": {}, "user": 1}',
    b"\xff\xfe{}",
    b"[" * 60000,  # deeper than the JSON parser recurses
]


@pytest.mark.parametrize("body", MALFORMED_SYNC)
def test_malformed_sync_bodies_are_400_with_a_message(learner_client, lessons, body):
    response = learner_client.post(SYNC, data=body, content_type="application/json")
    assert response.status_code == 400, body[:80]
    assert isinstance(response.json()["error"], str)
    assert response.json()["error"]


def test_an_oversized_map_is_400(learner_client, db):
    body = {"completed": {f"k{i}": "2025-01-01T00:00:00Z" for i in range(1001)}}
    response = post_json(learner_client, SYNC, body)
    assert response.status_code == 400
    assert "1000" in response.json()["error"]


def test_a_key_longer_than_64_characters_is_400(learner_client, db):
    response = post_json(learner_client, SYNC, {"completed": {"k" * 65: "2025-01-01T00:00:00Z"}})
    assert response.status_code == 400


@pytest.mark.parametrize("url", [SYNC, COMPLETE, UNCOMPLETE])
def test_a_body_over_64_kib_is_413(learner_client, db, url):
    body = json.dumps({"completed": {"k": "2025-01-01T00:00:00Z"}, "pad": "x" * (64 * 1024)})
    response = learner_client.post(url, data=body, content_type="application/json")
    assert response.status_code == 413
    assert "64 KiB" in response.json()["error"]


def test_a_huge_body_is_413_without_being_read(learner_client, db):
    response = learner_client.post(SYNC, data=b"{" * (3 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413


def test_a_form_encoded_body_is_400_not_500(learner_client, lessons):
    assert learner_client.post(SYNC, data={"completed": "x"}).status_code == 400
    assert learner_client.post(COMPLETE, data={"lesson": lessons[0].key}).status_code == 400


# --- Fuzzing -------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def _is_time(text: str) -> bool:
    """Well-formed, however implausible: a bad clock is that entry's problem, not the body's."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


not_a_time = json_values.filter(lambda value: not (isinstance(value, str) and _is_time(value)))
malformed_sync_bodies = st.one_of(
    json_values.filter(lambda value: not isinstance(value, dict)),  # not an object
    st.dictionaries(st.text(max_size=10).filter(lambda k: k not in {"completed", "version"}), json_values, min_size=1)
    .map(lambda extra: {"completed": {}, **extra}),  # unknown fields
    json_values.filter(lambda value: not isinstance(value, dict)).map(lambda value: {"completed": value}),
    st.dictionaries(st.text(min_size=1, max_size=20), not_a_time, min_size=1, max_size=5)
    .map(lambda entries: {"completed": entries}),  # bad times
)  # fmt: skip
malformed_lesson_bodies = st.one_of(
    json_values.filter(lambda value: not isinstance(value, dict)),
    st.fixed_dictionaries({"lesson": json_values.filter(lambda v: not isinstance(v, str) or not v or len(v) > 64)}),
    st.dictionaries(st.text(max_size=10).filter(lambda k: k != "lesson"), json_values, min_size=1)
    .map(lambda extra: {"lesson": "k", **extra}),
)  # fmt: skip


@FUZZ
@given(body=malformed_sync_bodies)
def test_fuzzed_malformed_sync_bodies_are_400(learner_client, lessons, body):
    response = post_json(learner_client, SYNC, body)
    assert response.status_code == 400, body
    assert response.json()["error"]


@FUZZ
@given(body=malformed_lesson_bodies, url=st.sampled_from([COMPLETE, UNCOMPLETE]))
def test_fuzzed_malformed_lesson_bodies_are_400(learner_client, lessons, body, url):
    response = post_json(learner_client, url, body)
    assert response.status_code == 400, body
    assert response.json()["error"]


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode), url=st.sampled_from([SYNC, COMPLETE]))
def test_fuzzed_bytes_never_cause_a_server_error(learner_client, lessons, raw, url):
    response = learner_client.post(url, data=raw, content_type="application/json")
    assert response.status_code in {200, 400, 404}
    if response.status_code != 200:
        assert response.json()["error"]


@FUZZ
@given(
    moments=st.lists(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(1999, 12, 31), timezones=st.just(UTC)).map(iso),  # noqa: DTZ001 - hypothesis wants naive bounds; timezones= makes the values aware
        min_size=1,
        max_size=3,
    )
)
def test_fuzzed_bad_clocks_are_ignored_entry_by_entry(learner_client, lessons, user, moments):
    body = {"completed": {lesson.key: moment for lesson, moment in zip(lessons, moments, strict=False)}}
    body["completed"][lessons[-1].key] = iso(timezone.now())
    response = post_json(learner_client, SYNC, body)
    assert response.status_code == 200
    data = response.json()
    assert data["ignored"] == sorted(set(body["completed"]) - {lessons[-1].key})
    assert lessons[-1].key in data["completed"]
    assert all(moment.year >= 2000 for moment in Completion.objects.values_list("completed_at", flat=True))


@FUZZ
@given(
    entries=st.dictionaries(
        st.text(min_size=1, max_size=64),
        st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(9998, 1, 1), timezones=st.just(UTC)).map(iso),  # noqa: DTZ001 - hypothesis wants naive bounds; timezones= makes the values aware
        max_size=8,
    )
)
def test_fuzzed_valid_syncs_never_add_unknown_keys_or_future_times(learner_client, lessons, user, entries):
    """Plausible times only: every key not in the catalogue, and no other, is listed back."""
    response = post_json(learner_client, SYNC, {"completed": entries})
    assert response.status_code == 200
    data = response.json()
    known = {lesson.key for lesson in lessons}
    assert set(data["ignored"]) == set(entries) - known
    assert set(data["added"]) <= known
    assert all(moment <= timezone.now() for moment in Completion.objects.values_list("completed_at", flat=True))
