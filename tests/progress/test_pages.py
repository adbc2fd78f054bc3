"""The progress parts of the pages, the no-JavaScript button, dashboard, settings, export, deletion."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infra import privacy
from lessons.models import Lesson, Report, Status
from progress import presentation, rules, selectors, services
from progress.models import Completion, EarnedAchievement, Profile
from tests.conftest import PASSWORD, make_quest, make_user
from tests.progress.conftest import post_json

MARK = "/progress/mark/"


def page_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="progress-data" type="application/json">') + len(
        '<script id="progress-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


class TestStandingArea:
    def test_anonymous_visitors_see_the_seed_standing(self, client, lessons):
        html = client.get(lessons[0].get_absolute_url()).content.decode()
        for text in (
            "Level 0", "Curious", "0 XP", "0/3 lessons", "0/11 achievements",
            "0/120 XP to next level", "120 XP to go", "0% of the way to level 1",
        ):  # fmt: skip
            assert text in html, text
        # The bar measures the way to the next level, not the course: it never says "complete".
        assert "% complete" not in html

    def test_anonymous_visitors_are_told_achievements_and_streaks_need_an_account(self, client, lessons):
        html = client.get(lessons[0].get_absolute_url()).content.decode()
        assert (
            'Achievements and streaks come with an account: <a href="/accounts/signup/">sign up</a> to earn them.'
        ) in html
        korean = client.get(lessons[0].get_absolute_url(), headers={"accept-language": "ko"}).content.decode()
        assert (
            '업적과 연속 학습은 계정이 있어야 쌓여요. <a href="/accounts/signup/">회원가입</a>하고 모아 보세요.'
            in korean
        )

    def test_signed_in_learners_are_not_asked_to_sign_up_for_achievements(self, learner_client, lessons):
        assert "come with an account" not in learner_client.get(lessons[0].get_absolute_url()).content.decode()

    def test_the_percentage_names_the_level_it_leads_to_in_both_languages(self, learner_client, lessons, user):
        lessons[0].xp = 130  # level 1 (120 XP); level 2 starts at 300: 10 of 180 XP is 5%
        lessons[0].save()
        services.lesson_complete(user=user, lesson=lessons[0])
        assert "5% of the way to level 2" in learner_client.get("/").content.decode()
        assert "레벨 2까지 5% 진행" in learner_client.get("/", headers={"accept-language": "ko"}).content.decode()

    def test_the_page_embeds_what_the_browser_needs_with_named_fields(self, client, lessons):
        data = page_data(client.get("/"))
        assert set(data) == {"signed_in", "catalogue", "levels", "achievements_total", "state", "strings", "api"}
        assert data["signed_in"] is False
        assert data["state"] is None
        document = client.get(data["catalogue"])
        assert document.json() == {
            "lessons": [{"key": lesson.key, "xp": 40, "quest_id": lesson.quest_id} for lesson in lessons]
        }
        # Each level says where the next starts: the browser never looks up the following row.
        assert data["levels"][0] == {"number": 0, "name": "Curious", "xp_floor": 0, "next_at": 120}
        assert data["levels"][1]["xp_floor"] == 120
        assert data["levels"][1]["next_at"] == data["levels"][2]["xp_floor"]
        assert data["levels"][-1]["next_at"] is None
        assert data["achievements_total"] == 11
        assert data["strings"]["added_other"] == "%(count)s lessons from this device were added to your account"
        assert data["api"] == {
            "sync": "/api/progress/sync", "complete": "/api/progress/complete", "uncomplete": "/api/progress/uncomplete",
        }  # fmt: skip

    def test_the_catalogue_is_one_document_browsers_keep_until_the_catalogue_changes(
        self, client, learner_client, lessons, django_capture_on_commit_callbacks
    ):
        address = page_data(client.get("/"))["catalogue"]
        assert page_data(learner_client.get("/"))["catalogue"] == address  # the same for everyone
        assert f'<link rel="preload" href="{address}" as="fetch"' in client.get("/").content.decode()
        for browser in (client, learner_client):
            response = browser.get(address)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/json"
            assert response["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "Set-Cookie" not in response.headers
        with django_capture_on_commit_callbacks(execute=True):
            lessons[0].xp = 70
            lessons[0].save()
        new_address = page_data(client.get("/"))["catalogue"]
        assert new_address != address
        assert client.get(new_address).json()["lessons"][0]["xp"] == 70
        stale = client.get(address)  # a page from before the change: the current lessons, not to be kept
        assert stale.json()["lessons"][0]["xp"] == 70
        assert "no-cache" in stale["Cache-Control"]
        assert client.post(address).status_code == 405

    def test_the_lesson_page_weighs_the_same_with_3_or_80_lessons(self, client, lessons):
        lesson = lessons[0]
        small = len(client.get(lesson.get_absolute_url()).content)
        make_quest("sized-big", lessons=77, order=1)
        large = len(client.get(lesson.get_absolute_url()).content)
        assert abs(large - small) < 100  # a different catalogue address at most, not the catalogue

    def test_signed_in_learners_see_their_standing_server_rendered(self, learner_client, lessons, user):
        for lesson in lessons:
            services.lesson_complete(user=user, lesson=lesson)
        response = learner_client.get("/")
        html = response.content.decode()
        for text in ("Level 1", "Reader", "120 XP", "3/3 lessons", "3/11 achievements", "0/180 XP to next level"):
            assert text in html, text
        data = page_data(response)
        assert data["signed_in"] is True
        assert set(data["state"]["completed"]) == {lesson.key for lesson in lessons}

    def test_the_top_level_says_so(self, learner_client, lessons, user):
        lessons[0].xp = 100000
        lessons[0].save()
        services.lesson_complete(user=user, lesson=lessons[0])
        html = learner_client.get("/").content.decode()
        assert "Top level reached" in html
        # No percentage towards a level that does not exist; the bar, full, says why.
        assert '<span data-standing-field="percent" hidden></span>' in html
        assert 'value="100" data-standing-bar aria-labelledby="standing-bar-label">Top level reached</progress>' in html

    def test_the_korean_page_speaks_korean_to_the_script_too(self, client, lessons):
        from django.utils import translation

        data = page_data(client.get("/", headers={"accept-language": "ko"}))
        with translation.override("ko"):
            expected = translation.ngettext(
                "%(count)s lesson from this device was added to your account",
                "%(count)s lessons from this device were added to your account",
                2,
            )
        assert data["strings"]["added_other"] == expected

    def test_the_copy_buttons_words_come_from_the_catalogue(self, client, lessons):
        english = client.get(lessons[0].get_absolute_url()).content.decode()
        korean = client.get(lessons[0].get_absolute_url(), headers={"accept-language": "ko"}).content.decode()
        assert '<body data-copy-label="Copy" data-copied-label="Copied">' in english
        assert '<body data-copy-label="복사" data-copied-label="복사됨">' in korean

    def test_the_announcements_have_one_source(self, client, lessons):
        strings = page_data(client.get("/"))["strings"]
        assert strings["level_up"] == "Level up! You are now level %(number)s, %(name)s."
        assert strings["achievement"] == "Achievement earned: %(name)s"
        assert strings["percent"] == "%(percent)s%% of the way to level %(next)s"
        level = rules.LevelInfo(number=1, name="Reader", xp_floor=120, next_at=300)
        assert presentation.level_up(level) == strings["level_up"] % {"number": 1, "name": "Reader"}


class TestLessonButton:
    def test_anonymous_visitors_get_a_disabled_button_and_the_local_only_line(self, client, lessons):
        url = lessons[0].get_absolute_url()
        html = client.get(url).content.decode()
        assert "data-progress-button disabled" in html
        assert "Progress is local-only — " in html
        assert f'href="/accounts/login/?next={url.replace("/", "%2F")}">sign in</a> to sync across devices.' in html
        assert "<noscript>" in html

    def test_signed_in_learners_get_a_working_form(self, learner_client, lessons):
        html = learner_client.get(lessons[0].get_absolute_url()).content.decode()
        assert 'action="/progress/mark/"' in html
        assert 'name="done" value="1" data-progress-button>Mark as complete' in html
        assert "local-only" not in html

    def test_complete_and_undo_without_javascript(self, learner_client, lessons, user):
        url = lessons[0].get_absolute_url()
        response = learner_client.post(MARK, {"lesson": lessons[0].key, "done": "1", "next": url}, follow=True)
        assert response.redirect_chain[-1][0] == url
        html = response.content.decode()
        assert "“Lesson 1” is marked complete." in html
        assert "Achievement earned: First steps" in html
        assert 'name="done" value="0" class="button-secondary" data-progress-button>Undo' in html
        assert Completion.objects.filter(user=user).count() == 1

        response = learner_client.post(MARK, {"lesson": lessons[0].key, "done": "0", "next": url}, follow=True)
        assert "is no longer marked complete" in response.content.decode()
        assert not Completion.objects.exists()

    def test_a_double_submit_does_not_flip_the_state_back(self, learner_client, lessons, user):
        for _ in range(2):
            learner_client.post(MARK, {"lesson": lessons[0].key, "done": "1", "next": "/"})
        assert Completion.objects.filter(user=user).count() == 1

    def test_a_level_up_is_announced(self, learner_client, lessons):
        lessons[0].xp = 130
        lessons[0].save()
        response = learner_client.post(MARK, {"lesson": lessons[0].key, "done": "1", "next": "/"}, follow=True)
        assert "Level up! You are now level 1, Reader." in response.content.decode()

    def test_anonymous_posts_are_sent_to_sign_in_and_back(self, client, lessons):
        url = lessons[0].get_absolute_url()
        response = client.post(MARK, {"lesson": lessons[0].key, "done": "1", "next": url})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?" + f"next={url.replace('/', '%2F')}"
        assert not Completion.objects.exists()

    @pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
    def test_the_redirect_stays_on_the_site(self, learner_client, lessons, next_url):
        response = learner_client.post(MARK, {"lesson": lessons[0].key, "done": "1", "next": next_url})
        assert response["Location"] == "/"

    @pytest.mark.parametrize("data", [{}, {"lesson": "no such key!", "done": "1"}, {"lesson": "x", "done": "maybe"}])
    def test_bad_input_is_a_message_not_an_error(self, learner_client, lessons, data):
        response = learner_client.post(MARK, {**data, "next": "/"}, follow=True)
        assert response.status_code == 200
        assert "Nothing was changed" in response.content.decode()

    def test_drafts_say_they_do_not_count(self, client, staff_user, lessons):
        lessons[0].status = Status.DRAFT
        lessons[0].save()
        client.force_login(staff_user)
        html = client.get(lessons[0].get_absolute_url()).content.decode()
        assert "Drafts do not count towards progress" in html
        assert "data-progress-button" not in html
        response = client.post(MARK, {"lesson": lessons[0].key, "done": "1", "next": "/"}, follow=True)
        assert "Only published lessons can be completed" in response.content.decode()


class TestHomeAndQuest:
    def test_quest_page_marks_done_lessons(self, learner_client, lessons, user):
        services.lesson_complete(user=user, lesson=lessons[1])
        html = learner_client.get(lessons[0].quest.get_absolute_url()).content.decode()
        assert html.count("data-done-mark hidden") == 2
        assert html.count('class="done-mark" data-done-mark >') == 1
        row = html[html.index(f'data-lesson-key="{lessons[1].key}"') :]
        assert row.index("data-done-mark >") < row.index("</li>")

    def test_home_shows_each_quests_progress(self, learner_client, lessons, user):
        other = make_quest("other", lessons=2, order=1)
        services.lesson_complete(user=user, lesson=lessons[0])
        html = learner_client.get("/").content.decode()
        assert "1 of 3 lessons done" in html
        assert "0 of 2 lessons done" in html
        assert f'data-quest-progress="{other.pk}"' in html

    def test_continue_where_you_left_off(self, learner_client, lessons, user):
        html = learner_client.get("/").content.decode()
        assert "Start with the first lesson:" in html
        assert f'href="{lessons[0].get_absolute_url()}" data-continue-link' in html
        services.lesson_complete(user=user, lesson=lessons[1])
        html = learner_client.get("/").content.decode()
        assert "Continue where you left off:" in html
        assert f'href="{lessons[2].get_absolute_url()}" data-continue-link' in html
        services.lesson_complete(user=user, lesson=lessons[2])  # wraps round to the first unfinished
        assert f'href="{lessons[0].get_absolute_url()}" data-continue-link' in learner_client.get("/").content.decode()
        services.lesson_complete(user=user, lesson=lessons[0])
        assert "You have completed every lesson. Well done!" in learner_client.get("/").content.decode()

    def test_home_embeds_the_reading_order_for_anonymous_visitors(self, client, lessons):
        html = client.get("/").content.decode()
        assert '<script id="progress-order" type="application/json">' in html
        assert lessons[2].get_absolute_url() in html


class TestDashboard:
    def test_sign_in_required(self, client, db):
        response = client.get("/dashboard/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_shows_level_xp_chart_achievements_streak_and_recent(self, learner_client, lessons, user):
        now = timezone.now()
        services.progress_merge(user=user, completed={lessons[0].key: now - timedelta(days=1), lessons[1].key: now})
        html = learner_client.get("/dashboard/").content.decode()
        assert "Level · Curious" in html
        assert "80" in html
        assert "<polyline" in html
        assert 'class="xp-chart-line"' in html
        assert "First steps" in html
        assert "Earned " in html
        assert "To earn: Complete every lesson of a quest." in html
        assert "days current streak" in html
        assert "Your days end at midnight in UTC." in html
        assert html.index(lessons[1].title) < html.index(lessons[0].title, html.index("Recently completed"))

    def test_recently_completed_lists_the_ten_latest_published_lessons_newest_first(self, user, rf):
        quest = make_quest("many", lessons=14)
        ordered = list(quest.lessons.order_by("position"))
        now = timezone.now()
        services.progress_merge(user=user, completed={x.key: now - timedelta(hours=i) for i, x in enumerate(ordered)})
        Lesson.objects.filter(pk=ordered[1].pk).update(status=Status.DRAFT)  # taken back: no longer listed
        request = rf.get("/dashboard/")
        request.user = user
        recent = presentation.dashboard_for(request).recent
        assert [item.title for item in recent] == [x.title for x in [ordered[0], *ordered[2:11]]]
        assert recent[0].url == ordered[0].get_absolute_url()
        assert recent[0].completed_at > recent[1].completed_at

    def test_an_empty_dashboard_invites_to_begin(self, learner_client, lessons):
        html = learner_client.get("/dashboard/").content.decode()
        assert "Complete a lesson and your XP will show here" in html
        assert "Pick a quest to begin." in html


class TestSettings:
    def test_update_display_name_time_zone_and_email_preference(self, learner_client, user):
        response = learner_client.post("/settings/", {"display_name": "Ada", "time_zone": "Asia/Seoul"}, follow=True)
        assert "Your settings were saved." in response.content.decode()
        profile = Profile.objects.get(user=user)
        assert (profile.display_name, profile.time_zone, profile.email_on_reply) == ("Ada", "Asia/Seoul", False)

    def test_an_unknown_time_zone_keeps_what_was_typed(self, learner_client, user):
        response = learner_client.post("/settings/", {"display_name": "Grace", "time_zone": "Mars/Olympus"})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="Grace"' in html
        assert "Select a valid choice" in html
        assert not Profile.objects.filter(user=user).exists()  # nothing was written

    def test_opening_the_page_writes_nothing(self, learner_client, user):
        assert learner_client.get("/settings/").status_code == 200
        assert not Profile.objects.filter(user=user).exists()
        learner_client.post("/settings/", {"display_name": "Ada", "time_zone": "UTC"})
        assert Profile.objects.get(user=user).display_name == "Ada"

    def test_the_language_of_emails_is_chosen_here_and_kept(self, learner_client, user):
        html = learner_client.get("/settings/", headers={"accept-language": "ko"}).content.decode()
        assert '<select name="language"' in html
        assert '<option value="ko" selected>' in html  # none kept yet: the language the page is read in
        learner_client.post("/settings/", {"display_name": "", "time_zone": "UTC", "language": "ko"})
        assert Profile.objects.get(user=user).language == "ko"
        html = learner_client.get("/settings/", headers={"accept-language": "en"}).content.decode()
        assert '<option value="ko" selected>' in html  # the kept choice, whatever the page's language
        learner_client.post("/settings/", {"display_name": "", "time_zone": "UTC"})  # a form without it
        assert Profile.objects.get(user=user).language == "ko"
        learner_client.post("/settings/", {"display_name": "", "time_zone": "UTC", "language": "en"})
        assert Profile.objects.get(user=user).language == "en"
        response = learner_client.post("/settings/", {"display_name": "", "time_zone": "UTC", "language": "fr"})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert Profile.objects.get(user=user).language == "en"

    def test_labels_read_without_a_colon_like_the_other_forms(self, learner_client, user):
        html = learner_client.get("/settings/").content.decode()
        for label in ("Public name", "Time zone", "Email me when someone replies to my comment", "Your password"):
            assert f">{label}</label>" in html, label
        assert ":</label>" not in html

    def test_the_page_offers_export_and_deletion(self, learner_client, user):
        html = learner_client.get("/settings/").content.decode()
        assert 'href="/settings/export/"' in html
        assert 'action="/settings/delete/"' in html
        assert "data-clears-progress" in html
        assert '<script id="saved-time-zone" type="application/json">"UTC"</script>' in html


class TestExport:
    def test_download_my_data_has_every_apps_part(self, learner_client, lessons, user):
        services.lesson_complete(user=user, lesson=lessons[0])
        Report.objects.create(body="A typo", user=user)
        response = learner_client.get("/settings/export/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="stream-data-')
        data = json.loads(response.content)
        assert data["account"]["email"] == user.email
        assert data["account"]["email_addresses"] == [{"email": user.email, "verified": True, "primary": True}]
        assert [c["lesson"] for c in data["progress"]["completions"]] == [lessons[0].key]
        assert [a["code"] for a in data["progress"]["achievements"]] == ["first-steps"]
        assert "comments" in data  # every app with a privacy module has its part

    def test_download_my_data_holds_the_reports_the_learner_filed(self, learner_client, lessons, user, other_user):
        Report.objects.create(body="A typo in lesson 1", user=user, lesson=lessons[0], lesson_completed=True)
        Report.objects.create(body="Someone else's report", user=other_user)
        data = json.loads(learner_client.get("/settings/export/").content)
        reports = data["lessons"]["reports"]
        assert [(r["body"], r["lesson"], r["lesson_completed"]) for r in reports] == [
            ("A typo in lesson 1", lessons[0].key, True)
        ]
        assert reports[0]["created_at"].endswith("Z")

    def test_another_learners_data_is_not_in_it(self, learner_client, lessons, user, other_user):
        services.lesson_complete(user=other_user, lesson=lessons[1])
        data = json.loads(learner_client.get("/settings/export/").content)
        assert data["progress"]["completions"] == []
        assert data["lessons"]["reports"] == []
        assert other_user.email not in json.dumps(data)

    def test_an_app_without_a_privacy_module_is_skipped_but_a_broken_one_is_not(self, user, monkeypatch):
        import sys

        from django.utils import module_loading

        real = module_loading.import_module

        def fake(name, *args):
            if name == "lessons.privacy":
                raise ImportError("No module named 'markdown_extra'", name="markdown_extra")
            return real(name, *args)

        data = privacy.export_personal_data(user)
        assert {"account", "lessons", "progress", "comments"} <= set(data)
        assert not {"auth", "admin", "sessions", "infra"} & set(data)  # no privacy module, no part
        monkeypatch.delitem(sys.modules, "lessons.privacy")
        monkeypatch.setattr(module_loading, "import_module", fake)
        with pytest.raises(ImportError):
            privacy.export_personal_data(user)


class TestDeleteAccount:
    def test_a_wrong_password_deletes_nothing(self, learner_client, user):
        response = learner_client.post("/settings/delete/", {"password": "wrong"})
        assert response.status_code == 400
        assert "That is not your password" in response.content.decode()
        assert get_user_model().objects.filter(pk=user.pk).exists()

    def test_the_right_password_deletes_the_account_and_its_progress(self, learner_client, lessons, user):
        services.lesson_complete(user=user, lesson=lessons[0])
        report = Report.objects.create(body="A typo", user=user)
        comment = apps.get_model("comments", "Comment").objects.create(lesson=lessons[0], author=user, body="Hi")
        response = learner_client.post("/settings/delete/", {"password": PASSWORD}, follow=True)
        assert "Your account and its progress were deleted." in response.content.decode()
        assert not get_user_model().objects.filter(pk=user.pk).exists()
        assert not Completion.objects.exists()
        assert not EarnedAchievement.objects.exists()
        report.refresh_from_db()
        assert report.user is None  # other apps' records outlive the account as they choose
        comment.refresh_from_db()
        assert comment.author is None  # shown as "[deleted]"
        assert learner_client.get("/dashboard/").status_code == 302  # signed out

    def test_an_account_without_a_password_confirms_with_its_email(self, client, db):
        learner = make_user("social@example.com")
        learner.set_unusable_password()
        learner.save()
        client.force_login(learner)
        assert client.post("/settings/delete/", {"email": "other@example.com"}).status_code == 400
        client.post("/settings/delete/", {"email": "Social@Example.com"})
        assert not get_user_model().objects.filter(pk=learner.pk).exists()


class TestQueryCounts:
    @pytest.mark.parametrize("size", [3, 80])
    def test_standing_costs_a_fixed_number_of_queries(self, django_assert_num_queries, user, size):
        quest = make_quest("sized", lessons=size)
        services.progress_merge(user=user, completed={lesson.key: timezone.now() for lesson in quest.lessons.all()})
        with django_assert_num_queries(3):
            standing = selectors.standing_for(None)
            assert standing.lessons_total == size
        with django_assert_num_queries(6):  # the 3 above (shared per content version), earned, profile, completions
            standing = selectors.standing_for(user)
            assert (standing.lessons_completed, standing.xp) == (size, 40 * size)
            assert standing.streak_days == 1

    @pytest.mark.parametrize("size", [3, 80])
    def test_a_sync_costs_a_fixed_number_of_queries(self, django_assert_num_queries, learner_client, user, size):
        quest = make_quest("sized", lessons=size)
        now = timezone.now()
        body = {"completed": {lesson.key: (now - timedelta(minutes=i)).isoformat() for i, lesson in enumerate(quest.lessons.all())}}  # fmt: skip
        body["completed"]["unknown-key"] = now.isoformat()
        Profile.for_user(user)
        with django_assert_num_queries(SYNC_QUERIES):
            response = post_json(learner_client, "/api/progress/sync", body)
        assert len(response.json()["added"]) == size
        with django_assert_num_queries(SYNC_AGAIN_QUERIES) as again:  # what a device re-sends, almost always
            response = post_json(learner_client, "/api/progress/sync", body)
        assert response.json()["added"] == []
        assert response.json()["ignored"] == ["unknown-key"]
        assert response.json()["lessons_completed"] == size
        assert not any("SAVEPOINT" in query["sql"] or "UPDATE" in query["sql"] for query in again.captured_queries)

    def test_the_dashboard_and_pages_with_done_marks_cost_the_same_for_3_and_80_lessons(
        self, django_assert_num_queries, learner_client, user
    ):
        """Other apps add their own parts to these pages, so the counts are measured on a
        3-lesson catalogue and must not change with 80 lessons, all completed."""
        quest = make_quest("sized", lessons=3)
        lesson = quest.lessons.get(position=2)
        urls = ["/dashboard/", lesson.get_absolute_url(), quest.get_absolute_url(), "/"]

        def complete_all():
            now = timezone.now()
            services.progress_merge(
                user=user,
                completed={lesson.key: now - timedelta(days=i % 9) for i, lesson in enumerate(quest.lessons.all())},
            )

        complete_all()
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert learner_client.get(url).status_code == 200
            counts[url] = len(captured)
        big = make_quest("sized-big", lessons=77, order=1)
        quest = big
        complete_all()
        assert selectors.standing_for(user).lessons_completed == 80
        for url in urls:
            with django_assert_num_queries(counts[url]):
                assert learner_client.get(url).status_code == 200

    def test_the_dashboards_own_queries(self, django_assert_num_queries, rf, user, lessons):
        request = rf.get("/dashboard/")
        request.user = user
        with django_assert_num_queries(6):  # the standing (6); recent completions are read with it
            dashboard = presentation.dashboard_for(request)
        with django_assert_num_queries(0):  # the standing area reuses the request's standing
            assert selectors.standing_for_request(request) is dashboard.standing


# Session and user (2); first, without the lock, the published lessons' keys (1; read once per
# content version in production) and the learner's completions (1); then, as something changes,
# the published lessons again (1), the transaction (a savepoint pair under the test's transaction: 2),
# the profile lock (1), the completions again, under the lock (1), the insert (1), the award:
# catalogue, completions, due achievements, insert (4), and the standing (6).
SYNC_QUERIES = 20
# Progress the account already holds: session and user, the two reads, whether "unknown-key" names a
# lesson published since (1), the standing; no lock.
SYNC_AGAIN_QUERIES = 2 + 2 + 1 + 6


class TestAdmin:
    @pytest.mark.parametrize("model", ["level", "achievement", "completion", "earnedachievement", "profile"])
    def test_staff_can_open_every_progress_admin(self, client, staff_user, lessons, model):
        services.lesson_complete(user=staff_user, lesson=lessons[0])
        client.force_login(staff_user)
        assert client.get(f"/admin/progress/{model}/").status_code == 200
        assert client.get(f"/admin/progress/{model}/?q=staff").status_code == 200

    def test_staff_edit_a_level_in_the_list(self, client, staff_user):
        from progress.models import Level

        client.force_login(staff_user)
        levels = list(Level.objects.order_by("xp_required"))
        data = {"form-TOTAL_FORMS": len(levels), "form-INITIAL_FORMS": len(levels), "_save": "Save"}
        for i, level in enumerate(levels):
            data |= {f"form-{i}-id": level.pk, f"form-{i}-name": level.name, f"form-{i}-xp_required": level.xp_required}
        data["form-1-name"] = "Reader of things"
        response = client.post("/admin/progress/level/", data)
        assert response.status_code == 302
        assert Level.objects.get(number=1).name == "Reader of things"

    def test_staff_add_an_achievement(self, client, staff_user):
        client.force_login(staff_user)
        response = client.post(
            "/admin/progress/achievement/add/",
            {"code": "ten-comments", "name": "Talkative", "description": "Post 10 comments.", "icon": "speech",
             "kind": "comments_posted", "threshold": 10, "order": 20},
        )  # fmt: skip
        assert response.status_code == 302
        assert services.achievements_award(user=staff_user, kind="comments_posted", value=10)


def test_the_shipping_migration_reverses_and_replays(shipped):
    from django.core.management import call_command

    from progress.models import Achievement, Level

    call_command("migrate", "progress", "0002", verbosity=0)
    assert (Level.objects.count(), Achievement.objects.count()) == (0, 0)
    call_command("migrate", "progress", verbosity=0)
    assert (Level.objects.count(), Achievement.objects.count()) == (10, 11)
