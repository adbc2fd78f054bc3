"""Report a problem: the form, the captured context, spam checks, staff email and triage."""

import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lessons.forms import MIN_SECONDS_TO_SUBMIT, report_form_token
from lessons.models import Lesson, Report, Status
from lessons.services import REPORT_RATE_LIMIT, ReportRateLimited, report_create
from lessons.signals import report_submitted

REPORT_URL = "/report/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def started(seconds_ago: float = 10) -> str:
    return report_form_token(issued_at=time.time() - seconds_ago)


def report_data(about: Lesson | None = None, **overrides) -> dict:
    data = {
        "kind": Report.Kind.TYPO,
        "body": "The second paragraph says 2013; AlexNet won ImageNet in 2012.",
        "email": "",
        "lesson": about.key if about else "",
        "page": about.get_absolute_url() if about else "/",
        "completed": "",
        "started": started(),
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST to the report view as a browser would, running on-commit work (email, signal)."""

    def send(data, *, address="203.0.113.7", **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(REPORT_URL, data, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address, **headers)

    return send


@pytest.fixture
def signals_received():
    received = []

    def receiver(sender, **kwargs):
        received.append({"sender": sender, **kwargs})

    report_submitted.connect(receiver, weak=False, dispatch_uid="test-report-receiver")
    yield received
    report_submitted.disconnect(dispatch_uid="test-report-receiver")


# --- The form page and what it shows --------------------------------------------------------


def test_report_page_shows_the_form_and_what_will_be_sent(client, lesson):
    response = client.get(
        REPORT_URL, {"lesson": lesson.key, "page": lesson.get_absolute_url()}, HTTP_USER_AGENT=BROWSER
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "What we send with your report" in html
    assert lesson.title in html
    assert lesson.get_absolute_url() in html
    assert BROWSER in html
    for kind in ("Bug", "Typo or content error", "Suggestion", "Other"):
        assert kind in html
    assert 'name="email"' in html  # anonymous reporters may leave an address
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html
    assert 'autocomplete="off"' in html
    assert 'aria-hidden="true"' in html
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_signed_in_reporter_sees_their_account_instead_of_an_email_field(client, user, lesson):
    client.force_login(user)
    html = client.get(REPORT_URL, {"lesson": lesson.key}).content.decode()
    assert 'name="email"' not in html
    assert user.email in html


def test_lesson_page_links_to_the_report_form_with_its_key_and_path(client, lesson):
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Found a bug or have feedback?" in html
    assert f"/report/?lesson={lesson.key}&amp;page={lesson.get_absolute_url()}" in html
    assert "data-report-open" in html
    assert "data-report-panel" in html


def test_fetch_gets_the_form_as_a_fragment_for_the_lesson_page(client, lesson):
    response = client.get(REPORT_URL, {"lesson": lesson.key, "page": lesson.get_absolute_url()}, **FETCH)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "data-report-form" in html
    assert "data-report-close" in html
    assert f'data-lesson-key="{lesson.key}"' in html
    assert "X-Requested-With" in response.headers["Vary"]


@pytest.mark.parametrize(
    "params",
    [
        {"lesson": "x" * 5000, "page": "/" + "a" * 5000},
        {"lesson": "nope\x00", "page": "/quests/\x00/"},
        {"page": "https://evil.example/"},
        {},
    ],
)
def test_report_page_accepts_odd_query_parameters_without_error(client, db, params):
    assert client.get(REPORT_URL, params).status_code == 200


def test_report_page_answers_other_methods_with_405(client, db):
    assert client.put(REPORT_URL).status_code == 405


# --- Submitting, with the captured context ---------------------------------------------------


def test_anonymous_report_is_saved_with_its_context_and_returns_to_the_page(client, post, lesson, mailoutbox):
    data = report_data(lesson, email="reader@example.com", completed="true")
    response = post(data)
    assert response.status_code == 302
    assert response["Location"] == lesson.get_absolute_url()
    report = Report.objects.get()
    assert report.kind == Report.Kind.TYPO
    assert report.body == data["body"]
    assert report.email == "reader@example.com"
    assert report.user is None
    assert report.page_url == lesson.get_absolute_url()
    assert report.lesson == lesson
    assert report.lesson_updated_at == lesson.updated_at
    assert report.lesson_completed is True
    assert report.user_agent == BROWSER
    assert report.status == Report.State.NEW
    html = client.get(response["Location"]).content.decode()
    assert "Thank you! Your report was sent to our staff." in html


def test_signed_in_report_records_the_account_and_no_typed_email(client, post, user, lesson):
    client.force_login(user)
    post(report_data(lesson, email="someone-else@example.com", completed="false"))
    report = Report.objects.get()
    assert report.user == user
    assert report.email == ""  # known by the account; nothing left behind if it is deleted
    assert report.lesson_completed is False
    assert report.lesson == lesson


def test_completion_is_unknown_when_the_page_could_not_tell(post, lesson):
    post(report_data(lesson, completed=""))
    assert Report.objects.get().lesson_completed is None


def test_lesson_version_is_the_one_that_was_reported(post, lesson):
    post(report_data(lesson))
    reported_version = Report.objects.get().lesson_updated_at
    lesson.body += "\n\nFixed."
    lesson.save()
    assert Report.objects.get().lesson_updated_at == reported_version < Lesson.objects.get(pk=lesson.pk).updated_at


def test_footer_report_finds_the_lesson_from_the_page_path(post, lesson):
    post(report_data(lesson, lesson=""))
    assert Report.objects.get().lesson == lesson


def test_report_from_a_page_that_is_not_a_lesson_has_no_lesson(post, db):
    response = post(report_data(None, page="/tags/history/"))
    assert response["Location"] == "/tags/history/"
    report = Report.objects.get()
    assert report.lesson is None
    assert report.lesson_updated_at is None
    assert report.page_url == "/tags/history/"


def test_anonymous_report_cannot_name_a_draft_lesson(post, lesson):
    Lesson.objects.filter(pk=lesson.pk).update(status=Status.DRAFT)
    post(report_data(lesson))
    assert Report.objects.get().lesson is None


@pytest.mark.parametrize(
    "page",
    ["https://evil.example/", "//evil.example/path", "/\\evil.example", "javascript:alert(1)", "evil", "/a\nb"],
)
def test_page_is_never_an_open_redirect(post, lesson, page):
    response = post(report_data(lesson, page=page))
    assert response.status_code == 302
    assert response["Location"] == lesson.get_absolute_url()  # back to the lesson, not elsewhere
    assert Report.objects.get().page_url == ""


def test_without_a_page_or_lesson_the_reporter_returns_home(post, db):
    response = post(report_data(None, page=""))
    assert response["Location"] == reverse("lessons:home")


def test_fetch_submission_answers_with_a_thank_you_fragment(post, lesson):
    response = post(report_data(lesson), **FETCH)
    assert response.status_code == 201
    html = response.content.decode()
    assert "Thank you!" in html
    assert "data-report-thanks" in html
    assert "<html" not in html
    assert Report.objects.count() == 1


# --- Bad input: errors, typed text kept ------------------------------------------------------


def test_empty_report_is_answered_with_a_form_error(post, lesson):
    response = post(report_data(lesson, body="   \n  "))
    assert response.status_code == 400
    assert "Please tell us what happened." in response.content.decode()
    assert not Report.objects.exists()


def test_oversized_report_is_answered_with_an_error_and_keeps_the_text(post, lesson):
    body = "Too long. " * 500 + "The end."  # 5008 characters
    response = post(report_data(lesson, body=body))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please keep it under 5000 characters (this has 5008)" in html
    assert body in html
    assert not Report.objects.exists()


def test_bad_email_and_unknown_kind_are_explained_and_the_text_kept(post, lesson):
    response = post(report_data(lesson, email="not an address", kind="rant"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "does not look like an email address" in html
    assert "Please choose one of the kinds listed." in html
    assert "AlexNet won ImageNet in 2012" in html


def test_form_errors_in_place_come_back_as_a_fragment(post, lesson):
    response = post(report_data(lesson, body=""), **FETCH)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in html
    assert "Please tell us what happened." in html
    assert "data-report-errors" in html


def test_mangled_hidden_context_is_dropped_not_an_error(post, lesson):
    response = post(report_data(lesson, lesson="k" * 100 + "\x00", page="/\x00", completed="maybe"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.lesson, report.page_url, report.lesson_completed) == (None, "", None)


# --- Spam protection -------------------------------------------------------------------------


def test_honeypot_submission_is_refused_and_not_saved(post, lesson, mailoutbox):
    response = post(report_data(lesson, website="https://cheap-pills.example"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "automated submission" in html
    assert "AlexNet won ImageNet in 2012" in html  # a person caught by mistake keeps their text
    assert "cheap-pills" not in html  # the trap is not refilled for the next try
    assert not Report.objects.exists()
    assert mailoutbox == []


def test_too_fast_submission_is_refused_and_not_saved(post, lesson):
    response = post(report_data(lesson, started=started(seconds_ago=0)))
    html = response.content.decode()
    assert response.status_code == 400
    assert "faster than a person types" in html
    assert "AlexNet won ImageNet in 2012" in html
    assert not Report.objects.exists()


def test_submission_after_the_minimum_time_is_accepted(post, lesson):
    assert post(report_data(lesson, started=started(seconds_ago=MIN_SECONDS_TO_SUBMIT + 0.5))).status_code == 302
    assert Report.objects.count() == 1


@pytest.mark.parametrize("token", ["", "forged", started(seconds_ago=3 * 24 * 3600)])
def test_missing_forged_or_expired_token_asks_to_send_again_with_a_fresh_one(post, lesson, token):
    response = post(report_data(lesson, started=token))
    html = response.content.decode()
    assert response.status_code == 400
    assert "send it again" in html
    assert not Report.objects.exists()
    fresh = response.context["form"].data["started"]
    assert fresh
    assert fresh != token


def test_address_is_limited_to_five_reports_an_hour(post, lesson):
    for _ in range(REPORT_RATE_LIMIT):
        assert post(report_data(lesson)).status_code == 302
    response = post(report_data(lesson, body="One more thing about the table."))
    html = response.content.decode()
    assert response.status_code == 429
    assert "Please wait a while" in html
    assert "One more thing about the table." in html
    assert Report.objects.count() == REPORT_RATE_LIMIT
    assert post(report_data(lesson), address="198.51.100.9").status_code == 302  # another address is not limited


def test_account_is_limited_whatever_address_it_uses(client, post, user, other_user, lesson):
    client.force_login(user)
    for number in range(REPORT_RATE_LIMIT):
        assert post(report_data(lesson), address=f"198.51.100.{number}").status_code == 302
    assert post(report_data(lesson), address="192.0.2.200").status_code == 429
    client.force_login(other_user)
    assert post(report_data(lesson), address="192.0.2.201").status_code == 302


def test_form_errors_do_not_use_up_the_rate_limit(post, lesson):
    for _ in range(REPORT_RATE_LIMIT + 2):
        post(report_data(lesson, body=""))
    assert post(report_data(lesson)).status_code == 302


# --- After commit: staff email and the signal ------------------------------------------------


@pytest.fixture
def managers(settings):
    settings.MANAGERS = ["triage@example.com", "Second Editor <editor@example.com>"]
    settings.SITE_URL = "https://stream.example"
    return settings.MANAGERS


def test_staff_are_emailed_with_a_link_to_the_report_in_the_admin(post, lesson, managers, mailoutbox):
    post(report_data(lesson, email="reader@example.com", body=f"Typo here {XSS}"))
    report = Report.objects.get()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    admin_link = f"https://stream.example/admin/lessons/report/{report.pk}/change/"
    assert message.to == managers
    assert message.subject == f"[Stream] New report (Typo or content error): {lesson.title}"
    assert message.reply_to == ["reader@example.com"]
    assert admin_link in message.body
    assert f"https://stream.example{lesson.get_absolute_url()}" in message.body
    assert BROWSER in message.body
    assert "Typo here" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{admin_link}"' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_staff_email_names_the_account_of_a_signed_in_reporter(client, post, user, lesson, managers, mailoutbox):
    client.force_login(user)
    post(report_data(lesson))
    assert mailoutbox[0].reply_to == [user.email]
    assert user.email in mailoutbox[0].body


def test_staff_email_waits_for_the_commit(db, lesson, managers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_create(kind=Report.Kind.BUG, body="Broken image.", lesson=lesson, client_address="192.0.2.1")
    assert mail.outbox == []  # nothing leaves while the transaction could still roll back
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_refused_submissions_send_no_email(post, lesson, managers, mailoutbox):
    post(report_data(lesson, started=started(seconds_ago=0)))
    post(report_data(lesson, body=""))
    assert mailoutbox == []


def test_report_submitted_is_sent_with_the_signed_in_user(client, post, user, lesson, signals_received):
    client.force_login(user)
    post(report_data(lesson))
    report = Report.objects.get()
    assert signals_received == [{"sender": Report, "signal": report_submitted, "report": report, "user": user}]


def test_report_submitted_is_sent_with_no_user_for_anonymous_reports(post, lesson, signals_received):
    post(report_data(lesson))
    assert len(signals_received) == 1
    assert signals_received[0]["user"] is None


def test_refused_reports_send_no_signal(post, lesson, signals_received):
    post(report_data(lesson, website="filled"))
    assert signals_received == []


# --- Admin triage ----------------------------------------------------------------------------


@pytest.fixture
def reports(lesson, lessons, user):
    other_lesson = lessons[2]
    return [
        Report.objects.create(kind=Report.Kind.BUG, body="Copy button broken", lesson=lesson, user=user),
        Report.objects.create(kind=Report.Kind.TYPO, body="Typo in the table", lesson=lesson),
        Report.objects.create(kind=Report.Kind.SUGGESTION, body="More exercises", lesson=other_lesson),
    ]


def changelist(client, **params):
    return client.get(reverse("admin:lessons_report_changelist"), params)


def test_admin_lists_reports_with_kind_status_lesson_and_date(client, staff_user, reports):
    client.force_login(staff_user)
    response = changelist(client)
    assert response.status_code == 200
    html = response.content.decode()
    for column in ("column-created_at", "column-kind", "column-status", "column-lesson"):
        assert column in html
    assert "Copy button broken" in html
    assert "More exercises" in html


def test_admin_filters_by_status_kind_and_lesson_and_searches(client, staff_user, reports, lesson):
    client.force_login(staff_user)
    Report.objects.filter(pk=reports[0].pk).update(status=Report.State.RESOLVED)

    def shown(**params):
        return {report.pk for report in changelist(client, **params).context["cl"].result_list}

    assert shown(status__exact="resolved") == {reports[0].pk}
    assert shown(kind__exact="typo") == {reports[1].pk}
    assert shown(lesson__id__exact=lesson.pk) == {reports[0].pk, reports[1].pk}  # the lesson admin's link
    assert shown(q="exercises") == {reports[2].pk}
    assert shown(q="learner@example.com") == {reports[0].pk}


def test_admin_changelist_costs_the_same_queries_for_few_and_many_reports(
    client, staff_user, reports, lesson, django_assert_max_num_queries
):
    client.force_login(staff_user)
    changelist(client)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        changelist(client)
    Report.objects.bulk_create([Report(kind="bug", body=f"r{i}", lesson=lesson) for i in range(40)])
    with django_assert_max_num_queries(len(few)):
        changelist(client)


@pytest.mark.parametrize(
    ("action", "status"),
    [("mark_triaged", "triaged"), ("mark_resolved", "resolved"), ("mark_wontfix", "wontfix")],
)
def test_admin_bulk_actions_set_the_status(client, staff_user, reports, action, status):
    client.force_login(staff_user)
    chosen = [reports[0].pk, reports[1].pk]
    response = client.post(
        reverse("admin:lessons_report_changelist"),
        {"action": action, "_selected_action": chosen},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 reports marked" in response.content.decode()
    assert set(Report.objects.filter(status=status).values_list("pk", flat=True)) == set(chosen)
    assert Report.objects.get(pk=reports[2].pk).status == Report.State.NEW


def test_admin_saves_staff_notes_and_keeps_the_captured_context_read_only(client, staff_user, reports):
    client.force_login(staff_user)
    report = reports[0]
    url = reverse("admin:lessons_report_change", args=[report.pk])
    response = client.post(
        url,
        {
            "status": "triaged",
            "kind": "bug",
            "staff_notes": "Reproduced in Firefox.",
            "body": "tampered",
            "page_url": "https://evil.example/",
            "user_agent": "tampered",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.staff_notes) == ("triaged", "Reproduced in Firefox.")
    assert report.body == "Copy button broken"
    assert report.user_agent == ""
    assert report.page_url == ""


def test_admin_cannot_add_reports_by_hand(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("admin:lessons_report_add")).status_code == 403


def test_admin_shows_xss_in_report_text_escaped(client, staff_user, lesson):
    report = Report.objects.create(
        kind=Report.Kind.BUG,
        body=f"Look: {XSS}\nsecond line",
        email="x@example.com",
        lesson=lesson,
        user_agent=XSS,
        page_url='javascript:alert("page")',
    )
    client.force_login(staff_user)
    pages = [
        changelist(client).content.decode(),
        client.get(reverse("admin:lessons_report_change", args=[report.pk])).content.decode(),
    ]
    for html in pages:
        assert '<script>alert("x")</script>' not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;" in html
    change = pages[1]
    assert 'href="javascript:' not in change
    assert "&lt;img src=x onerror=alert(1)&gt;<br>second line" in change


def test_admin_is_for_staff_only(client, user, reports):
    client.force_login(user)
    response = changelist(client)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_lesson_admin_links_to_its_reports(client, staff_user, reports, lesson):
    client.force_login(staff_user)
    html = client.get(reverse("admin:lessons_lesson_changelist")).content.decode()
    assert f"/admin/lessons/report/?lesson__id__exact={lesson.pk}" in html


def test_new_report_in_the_service_uses_the_managers_setting(db, lesson, django_capture_on_commit_callbacks):
    """The default settings name a managers list; the task sends to it as it is."""
    with django_capture_on_commit_callbacks(execute=True):
        report_create(kind=Report.Kind.OTHER, body="Hello", client_address="192.0.2.2")
    assert mail.outbox[0].to == list(settings.MANAGERS)


def test_rate_limit_lives_in_the_shared_database_and_survives_a_cache_flush(db):
    from infra.models import RateCounter

    for _ in range(REPORT_RATE_LIMIT):
        report_create(kind=Report.Kind.BUG, body="x", client_address="192.0.2.3")
    with pytest.raises(ReportRateLimited):
        report_create(kind=Report.Kind.BUG, body="x", client_address="192.0.2.3")
    cache.clear()  # Redis flushed, say: the limit fails safe
    with pytest.raises(ReportRateLimited):
        report_create(kind=Report.Kind.BUG, body="x", client_address="192.0.2.3")
    RateCounter.objects.all().delete()  # what every process reads: emptying it lifts the limit
    report_create(kind=Report.Kind.BUG, body="x", client_address="192.0.2.3")
    assert Report.objects.count() == REPORT_RATE_LIMIT + 1
    assert not RateCounter.objects.filter(key__contains="192.0.2.3").exists()  # no readable addresses
