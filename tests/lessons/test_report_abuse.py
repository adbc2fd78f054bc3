"""Reports tried as an abuser would (issue 12): replayed tokens, IPv6 address walks, a flood of
anonymous reports into the staff inbox, and a forged "had it completed"."""

import time

import pytest
from django.core import signing
from django.utils import timezone

from infra.models import RateCounter
from lessons.forms import report_form_token
from lessons.models import Report
from lessons.services import (
    ANONYMOUS_REPORTS_PER_HOUR,
    REPORT_RATE_LIMIT,
    ReportAlreadySent,
    ReportRateLimited,
    report_create,
)
from progress.models import Completion

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


def token(seconds_ago: float = 10) -> str:
    return report_form_token(issued_at=time.time() - seconds_ago)


def report_data(about, **overrides) -> dict:
    data = {
        "kind": Report.Kind.BUG,
        "body": "The diagram is cut off on a phone.",
        "lesson": about.key,
        "page": about.get_absolute_url(),
        "completed": "",
        "started": token(),
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def lesson(lessons):
    return lessons[0]


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(data, *, address="203.0.113.7"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/report/", data, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)

    return send


# --- The anti-bot token is single-use ------------------------------------------------------


def test_two_forms_shown_in_the_same_second_get_different_tokens():
    moment = time.time()
    assert report_form_token(issued_at=moment) != report_form_token(issued_at=moment)


def test_a_form_token_sends_one_report_and_a_replay_is_refused_with_the_text_kept(post, lesson, mailoutbox):
    used = token()
    assert post(report_data(lesson, started=used)).status_code == 302
    response = post(report_data(lesson, started=used, body="A second report from the same form."))
    html = response.content.decode()
    assert response.status_code == 400
    assert "This form was already sent" in html
    assert "A second report from the same form." in html  # nothing typed is lost
    fresh = response.context["form"].data["started"]
    assert fresh != used  # a person who meant a second report can send it again at once
    assert Report.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_replayed_token_from_other_addresses_is_refused_and_uses_up_no_limit(post, lesson):
    used = token()
    assert post(report_data(lesson, started=used)).status_code == 302
    counters = list(RateCounter.objects.order_by("key").values_list("key", "count"))
    for number in range(3):
        assert post(report_data(lesson, started=used), address=f"198.51.100.{number}").status_code == 400
    assert Report.objects.count() == 1
    assert list(RateCounter.objects.order_by("key").values_list("key", "count")) == counters


def test_the_service_refuses_a_nonce_already_used(db):
    report_create(kind=Report.Kind.BUG, body="first", client_address="192.0.2.1", form_nonce="a" * 32)
    with pytest.raises(ReportAlreadySent):
        report_create(kind=Report.Kind.BUG, body="again", client_address="192.0.2.2", form_nonce="a" * 32)
    report_create(kind=Report.Kind.BUG, body="no form", client_address="192.0.2.3")  # reports made without a form
    report_create(kind=Report.Kind.BUG, body="no form", client_address="192.0.2.4")
    assert Report.objects.count() == 3


@pytest.mark.parametrize("nonce", [{}, {"n": None}, {"n": "x" * 32}, {"n": ["a" * 32]}])
def test_a_signed_token_without_a_proper_nonce_is_refused(post, lesson, nonce):
    payload = {"t": int(time.time()) - 10, **nonce}
    response = post(report_data(lesson, started=signing.dumps(payload, salt="lessons.report.started")))
    assert response.status_code == 400
    assert "could not be checked" in response.content.decode()
    assert not Report.objects.exists()


# --- Per-address limits group IPv6 by /64 ---------------------------------------------------


def test_one_ipv6_network_cannot_walk_past_the_address_limit(post, lesson):
    for number in range(1, REPORT_RATE_LIMIT + 1):
        assert post(report_data(lesson), address=f"2001:db8:1:2::{number}").status_code == 302
    assert post(report_data(lesson), address="2001:db8:1:2:ffff:ffff:ffff:9").status_code == 429  # same /64
    assert post(report_data(lesson), address="2001:db8:1:3::1").status_code == 302  # the next /64 is another client
    assert Report.objects.count() == REPORT_RATE_LIMIT + 1


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address(post, lesson):
    for _ in range(REPORT_RATE_LIMIT):
        assert post(report_data(lesson), address="192.0.2.44").status_code == 302
    assert post(report_data(lesson), address="::ffff:192.0.2.44").status_code == 429


# --- A site-wide cap on anonymous reports protects the staff inbox ---------------------------


def test_anonymous_reports_stop_at_the_hourly_site_cap_whatever_the_addresses(post, client, lesson, user):
    for number in range(ANONYMOUS_REPORTS_PER_HOUR):
        report_create(kind=Report.Kind.BUG, body=f"report {number}", client_address=f"10.{number}.0.1")
    response = post(report_data(lesson, body="One from yet another address."), address="198.51.100.77")
    html = response.content.decode()
    assert response.status_code == 429
    assert "not taking more from visitors who are not signed in" in html
    assert "One from yet another address." in html
    assert Report.objects.count() == ANONYMOUS_REPORTS_PER_HOUR
    client.force_login(user)  # a signed-in learner is limited by their account instead
    assert post(report_data(lesson), address="198.51.100.77").status_code == 302


def test_the_site_cap_counts_only_anonymous_reports(db, user):
    for number in range(REPORT_RATE_LIMIT):
        report_create(kind=Report.Kind.BUG, body="signed in", user=user, client_address=f"10.9.{number}.1")
    for number in range(ANONYMOUS_REPORTS_PER_HOUR):
        report_create(kind=Report.Kind.BUG, body="anonymous", client_address=f"10.{number}.0.1")
    with pytest.raises(ReportRateLimited):
        report_create(kind=Report.Kind.BUG, body="anonymous", client_address="10.200.0.1")


# --- "Had it completed" comes from the server for a signed-in reporter ------------------------


def test_a_signed_in_reporter_who_completed_the_lesson_is_recorded_so_whatever_the_form_says(
    client, post, user, lesson
):
    Completion.objects.create(user=user, lesson=lesson, completed_at=timezone.now())
    client.force_login(user)
    post(report_data(lesson, completed="false"))
    assert Report.objects.get().lesson_completed is True


def test_a_signed_in_reporter_cannot_claim_a_completion_they_do_not_have(client, post, user, lesson):
    client.force_login(user)
    post(report_data(lesson, completed="true"))
    assert Report.objects.get().lesson_completed is False


def test_a_signed_in_report_about_no_lesson_has_no_completion(client, post, user, lesson):
    client.force_login(user)
    post(report_data(lesson, lesson="", page="/tags/", completed="true"))
    assert Report.objects.get().lesson_completed is None


def test_an_anonymous_reporters_completion_is_what_their_browser_knew(post, lesson):
    post(report_data(lesson, completed="true"))  # anonymous progress lives only in the browser
    assert Report.objects.get().lesson_completed is True
