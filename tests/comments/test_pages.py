"""The comments area as pages and fragments: without JavaScript (POST and redirect) and with it."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import MAX_DEPTH, Comment, Flag, FlaggedComment
from comments.privacy import personal_data
from progress.names import default_name
from tests.comments.conftest import PARTIAL, signed_in


def create_url(lesson) -> str:
    return reverse("comments:create", args=[lesson.pk])


# --- the area on the lesson page ---


def test_an_empty_lesson_invites_the_first_comment(author_client, lesson):
    html = author_client.get(lesson.get_absolute_url()).content.decode()
    assert re.search(r"Comments <span[^>]*>0</span>", html)
    assert "No comments yet. Be the first." in html
    assert f'<form method="post" action="{create_url(lesson)}"' in html
    assert 'name="body"' in html
    assert "Reply notifications" in html


def test_a_comment_shows_author_relative_time_and_permalink(make_comment, user, client, lesson):
    comment = make_comment(user, "Hello **world**")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=3))
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert f'<li id="comment-{comment.pk}" class="comment"' in html
    assert "<p>Hello <strong>world</strong></p>" in html
    assert f'<span class="comment-author">{default_name(user.pk)}</span>' in html  # never from the email
    assert re.search(rf'href="#comment-{comment.pk}"[^>]*><time datetime="[0-9T:.+-]+">3\xa0hours ago</time>', html)
    assert re.search(r"Comments <span[^>]*>1</span>", html)


def test_the_reply_form_posts_body_and_parent(make_comment, user, author_client, lesson):
    comment = make_comment(user)
    html = author_client.get(lesson.get_absolute_url()).content.decode()
    template = html[html.index("<template data-reply-template>") : html.index("</template>")]
    assert 'name="parent"' in template
    assert 'name="body"' in template
    page = author_client.get(reverse("comments:reply", args=[comment.pk])).content.decode()
    assert f'<input type="hidden" name="parent" value="{comment.pk}">' in page
    assert f'action="{create_url(lesson)}"' in page


# --- without JavaScript: POST and redirect to the anchor ---


def test_posting_redirects_to_the_new_comment(author_client, lesson):
    response = author_client.post(create_url(lesson), {"body": "First!"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{lesson.get_absolute_url()}#comment-{comment.pk}"
    page = author_client.get(response["Location"]).content.decode()
    assert "Your comment was posted." in page


def test_replying_redirects_to_the_reply(make_comment, other_user, other_client, lesson):
    parent = make_comment(other_user)
    response = other_client.post(create_url(lesson), {"body": "answer", "parent": parent.pk})
    reply = Comment.objects.get(parent=parent)
    assert response["Location"].endswith(f"#comment-{reply.pk}")


def test_the_first_comment_announces_the_achievement(author_client, lesson):
    response = author_client.post(create_url(lesson), {"body": "Hello"}, follow=True)
    assert "Achievement earned:" in response.content.decode()


def test_script_posts_get_the_new_comment_fragment_and_the_announcements(author_client, lesson):
    response = author_client.post(create_url(lesson), {"body": "Hello *there*"}, **PARTIAL)
    comment = Comment.objects.get()
    html = response.content.decode()
    assert response.status_code == 201
    assert html.startswith(f'<li id="comment-{comment.pk}" class="comment" data-comment data-depth="1">')
    assert "<p>Hello <em>there</em></p>" in html
    assert "<!DOCTYPE" not in html
    assert "<p hidden data-announce>Your comment was posted.</p>" in html
    assert "Achievement earned:" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Write something before posting."),
        ({"body": "   \n\t  "}, "Write something before posting."),
        ({"body": "x" * 5001}, "at most 5000 characters"),
        ({"body": "kept text", "parent": "abc"}, "no longer exists"),
        ({"body": "kept text", "parent": "999999"}, "no longer exists"),
        ({"body": "kept text", "parent": "-1"}, "no longer exists"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_text(author_client, lesson, data, message):
    response = author_client.post(create_url(lesson), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    if data["body"].strip():
        assert f">{data['body']}</textarea>" in html
    assert not Comment.objects.exists()
    partial = author_client.post(create_url(lesson), data, **PARTIAL)
    assert partial.status_code == 400
    assert message in partial.content.decode()


def test_a_reply_to_a_comment_on_another_lesson_is_refused(make_comment, user, author_client, quest, lesson):
    elsewhere = make_comment(user, on=quest.lessons.exclude(pk=lesson.pk).first())
    response = author_client.post(create_url(lesson), {"body": "x", "parent": elsewhere.pk})
    assert response.status_code == 400
    assert "another lesson" in response.content.decode()


def test_a_reply_to_a_deleted_comment_is_refused(make_comment, user, other_user, other_client, lesson):
    parent = make_comment(user)
    make_comment(other_user, "holds the thread", parent=parent)
    services.comment_delete(comment=parent, user=user)
    response = other_client.post(create_url(lesson), {"body": "x", "parent": parent.pk})
    assert response.status_code == 400
    assert "removed" in response.content.decode()


def test_posting_to_a_missing_lesson_is_404(author_client):
    assert author_client.post("/comments/lesson/987654/", {"body": "x"}).status_code == 404


def test_get_on_post_only_endpoints_is_refused_not_an_error(author_client, lesson):
    assert author_client.get(create_url(lesson)).status_code == 405
    assert author_client.get(reverse("comments:preview")).status_code == 405


def test_the_edit_page_without_javascript(make_comment, user, author_client):
    comment = make_comment(user, "before")
    page = author_client.get(reverse("comments:edit", args=[comment.pk])).content.decode()
    assert ">before</textarea>" in page
    response = author_client.post(reverse("comments:edit", args=[comment.pk]), {"body": "after"})
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    empty = author_client.post(reverse("comments:edit", args=[comment.pk]), {"body": " "})
    assert empty.status_code == 400
    assert "Write something" in empty.content.decode()
    comment.refresh_from_db()
    assert comment.body == "after"


def test_editing_by_script_returns_the_updated_comment(make_comment, user, author_client):
    comment = make_comment(user, "before")
    form = author_client.get(reverse("comments:edit", args=[comment.pk]), **PARTIAL).content.decode()
    assert form.startswith("<form")
    assert ">before</textarea>" in form
    response = author_client.post(reverse("comments:edit", args=[comment.pk]), {"body": "after"}, **PARTIAL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<article class="comment-main"')
    assert "<p>after</p>" in html
    assert "(edited)" in html


def test_delete_flag_and_hide_confirm_on_a_page_first(make_comment, user, other_user, author_client, staff_client):
    comment = make_comment(other_user, "someone's words")
    mine = make_comment(user, "my words")
    delete_page = author_client.get(reverse("comments:delete", args=[mine.pk])).content.decode()
    assert "Delete this comment?" in delete_page
    assert 'method="post"' in delete_page
    assert "Flag this comment" in author_client.get(reverse("comments:flag", args=[comment.pk])).content.decode()
    assert "Hide this comment" in staff_client.get(reverse("comments:hide", args=[comment.pk])).content.decode()
    assert Comment.objects.count() == 2
    assert not Flag.objects.exists()


def test_deleting_by_script_answers_204_or_the_placeholder(make_comment, user, other_user, author_client):
    alone = make_comment(user, "alone")
    assert author_client.post(reverse("comments:delete", args=[alone.pk]), **PARTIAL).status_code == 204
    answered = make_comment(user, "answered")
    make_comment(other_user, "answer", parent=answered)
    response = author_client.post(reverse("comments:delete", args=[answered.pk]), **PARTIAL)
    assert response.status_code == 200
    assert "[deleted]" in response.content.decode()


def test_flagging_by_script_returns_the_comment_marked_flagged(make_comment, user, other_client):
    comment = make_comment(user)
    response = other_client.post(reverse("comments:flag", args=[comment.pk]), **PARTIAL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Flagged" in html
    assert "Staff will review" in html
    assert reverse("comments:flag", args=[comment.pk]) not in html


def test_the_preview_renders_like_a_posted_comment(author_client, client):
    response = author_client.post(reverse("comments:preview"), {"body": "*hi* <b>raw</b>"}, **PARTIAL)
    assert response.content.decode().strip() == "<p><em>hi</em> &lt;b&gt;raw&lt;/b&gt;</p>"
    assert author_client.post(reverse("comments:preview"), {"body": "x" * 5001}).status_code == 400
    assert client.post(reverse("comments:preview"), {"body": "x"}, **PARTIAL).status_code == 403


def test_the_permalink_leads_to_the_anchor(make_comment, user, client, lesson):
    comment = make_comment(user)
    response = client.get(reverse("comments:permalink", args=[comment.pk]))
    assert response["Location"] == f"{lesson.get_absolute_url()}#comment-{comment.pk}"


def test_post_without_csrf_token_is_refused(user, lesson):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(create_url(lesson), {"body": "x"}).status_code == 403
    assert not Comment.objects.exists()


# --- admin ---


@pytest.fixture
def moderated(make_comment, user, other_user, staff_user, quest, lesson):
    flagged = make_comment(user, "flag me please")
    services.comment_flag(comment=flagged, user=other_user)
    quiet = make_comment(other_user, "a quiet remark", on=quest.lessons.exclude(pk=lesson.pk).first())
    return flagged, quiet


def test_admin_lists_searches_and_filters_comments(staff_client, moderated, lesson):
    flagged, _quiet = moderated
    url = reverse("admin:comments_comment_changelist")
    assert "flag me please" in staff_client.get(url).content.decode()
    searched = staff_client.get(url, {"q": "quiet"}).content.decode()
    assert "a quiet remark" in searched
    assert "flag me please" not in searched
    by_flag = staff_client.get(url, {"flagged": "yes"}).content.decode()
    assert "flag me please" in by_flag
    assert "a quiet remark" not in by_flag
    by_lesson = staff_client.get(url, {"lesson__id__exact": lesson.pk}).content.decode()
    assert "flag me please" in by_lesson
    assert "a quiet remark" not in by_lesson
    assert staff_client.get(url, {"is_hidden__exact": "1"}).status_code == 200
    change = staff_client.get(reverse("admin:comments_comment_change", args=[flagged.pk]))
    assert change.status_code == 200


def test_the_flagged_queue_and_its_actions(staff_client, moderated):
    flagged, _quiet = moderated
    url = reverse("admin:comments_flaggedcomment_changelist")
    queue = staff_client.get(url).content.decode()
    assert "flag me please" in queue
    assert "a quiet remark" not in queue
    staff_client.post(url, {"action": "hide_comments", "_selected_action": [flagged.pk]})
    flagged.refresh_from_db()
    assert flagged.is_hidden
    staff_client.post(url, {"action": "unhide_comments", "_selected_action": [flagged.pk]})
    flagged.refresh_from_db()
    assert not flagged.is_hidden
    staff_client.post(url, {"action": "dismiss_flags", "_selected_action": [flagged.pk]})
    assert not FlaggedComment.objects.filter(flag_count__gt=0).exists()
    assert not Flag.objects.exists()


def test_learners_cannot_reach_the_admin(author_client):
    response = author_client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 302


# --- privacy ---


def test_download_my_data_includes_comments_notifications_and_settings(make_comment, user, other_user, lesson):
    mine = make_comment(user, "my words")
    services.comment_create(author=other_user, lesson=lesson, body="reply", parent=mine)
    services.subscription_set(user=user, lesson=lesson, mode="all")
    data = personal_data(user)
    json.dumps(data)  # serialisable as is
    assert [c["body"] for c in data["comments"]] == ["my words"]
    assert data["comments"][0]["lesson"] == lesson.key
    assert data["notifications"][0]["kind"] == "reply"
    assert data["lesson_notification_settings"] == [{"lesson": lesson.key, "mode": "all"}]
    assert personal_data(other_user)["comments"][0]["reply_to"] == mine.pk


def test_the_nav_bell_is_only_for_signed_in_people(client, user):
    assert 'class="nav-bell"' not in client.get("/").content.decode()
    assert 'class="nav-bell"' in signed_in(user).get("/").content.decode()


def test_the_page_hands_comments_js_the_nesting_depth(client, lesson):
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert f'data-max-depth="{MAX_DEPTH}"' in html
