"""The finish of issue 16 in the comments: rendered notification excerpts, a count that matches the
thread, a note to the author of a hidden comment, flags with a reason, verification in one click, and
the bell as an SVG with a name."""

import re

from django.urls import reverse

from comments import services
from comments.models import Comment, Flag
from tests.comments.conftest import PARTIAL, signed_in


def hide(comment, staff_user):
    services.comments_visibility_set(comments=Comment.objects.filter(pk=comment.pk), user=staff_user, hidden=True)


def count_on_page(html: str) -> int:
    return int(re.search(r"data-comment-count>(\d+)<", html)[1])


def test_notification_excerpts_are_rendered_escaped_markdown(make_comment, user, other_user, lesson, author_client):
    parent = make_comment(user)
    services.comment_create(author=other_user, lesson=lesson, body="*emphasis* and <b>bold?</b>", parent=parent)
    page = author_client.get(reverse("comments:notifications")).content.decode()
    assert "<em>emphasis</em>" in page
    assert "*emphasis*" not in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page
    assert "<b>bold?</b>" not in page


def test_a_long_excerpt_is_cut_with_its_tags_closed(make_comment, user, other_user, lesson, author_client):
    parent = make_comment(user)
    services.comment_create(author=other_user, lesson=lesson, body="**" + ("word " * 100).strip() + "**", parent=parent)
    page = author_client.get(reverse("comments:notifications")).content.decode()
    excerpt = page[page.index('class="notification-excerpt') :]
    excerpt = excerpt[: excerpt.index("</div>")]
    assert "…" in excerpt
    assert excerpt.count("<strong>") == excerpt.count("</strong>") == 1


def test_the_count_matches_what_the_thread_shows(make_comment, user, other_user, staff_user, lesson, client):
    kept = make_comment(user, "a question")
    make_comment(other_user, "an answer", parent=kept)
    services.comment_delete(comment=kept, user=user)  # stays as "[deleted]" above its answer
    hidden = make_comment(other_user, "hidden by staff")
    hide(hidden, staff_user)
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert html.count('class="comment" data-comment') == 2
    assert count_on_page(html) == 2
    staff_html = signed_in(staff_user).get(lesson.get_absolute_url()).content.decode()
    assert staff_html.count('class="comment" data-comment') == count_on_page(staff_html) == 3
    author_html = signed_in(other_user).get(lesson.get_absolute_url()).content.decode()
    assert author_html.count('class="comment" data-comment') == count_on_page(author_html) == 3


def test_a_hidden_comment_shows_its_author_a_note_and_nobody_else_its_text(
    make_comment, user, other_user, staff_user, lesson, client
):
    comment = make_comment(user, "my words, hidden")
    hide(comment, staff_user)
    mine = signed_in(user).get(lesson.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in mine
    assert "Hidden by a moderator; only you can see it." in mine
    assert "my words, hidden" in mine
    for reader in (client, signed_in(other_user)):
        html = reader.get(lesson.get_absolute_url()).content.decode()
        assert "my words, hidden" not in html
        assert "only you can see it" not in html
    # In Korean too.
    korean = signed_in(user).get(lesson.get_absolute_url(), headers={"accept-language": "ko"}).content.decode()
    assert "관리자가 숨긴 댓글이에요. 나만 볼 수 있어요." in korean


def test_a_flag_carries_its_reason_to_the_admin_queue(make_comment, user, other_user, staff_user):
    comment = make_comment(user, "buy cheap watches")
    flagger = signed_in(other_user)
    page = flagger.get(reverse("comments:flag", args=[comment.pk])).content.decode()
    assert '<textarea name="reason"' in page
    assert "Why? (optional)" in page
    response = flagger.post(reverse("comments:flag", args=[comment.pk]), {"reason": "  Spam,\nselling   watches "})
    assert response.status_code == 302
    assert Flag.objects.get().reason == "Spam, selling watches"
    queue = signed_in(staff_user).get(reverse("admin:comments_flaggedcomment_changelist")).content.decode()
    assert "Spam, selling watches" in queue
    change = signed_in(staff_user).get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "Spam, selling watches" in change


def test_the_reason_is_optional_and_a_script_sends_it(make_comment, user, other_user, staff_user):
    first, second = make_comment(user, "one"), make_comment(user, "two")
    assert signed_in(other_user).post(reverse("comments:flag", args=[first.pk])).status_code == 302
    response = signed_in(other_user).post(reverse("comments:flag", args=[second.pk]), {"reason": "rude"}, **PARTIAL)
    assert response.status_code == 200
    assert dict(Flag.objects.values_list("comment_id", "reason")) == {first.pk: "", second.pk: "rude"}


def test_a_refused_flag_comes_back_with_the_reason_typed(make_comment, user, other_user):
    comment = make_comment(user, "words")
    client = signed_in(other_user)
    client.post(reverse("comments:flag", args=[comment.pk]))
    response = client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "my careful reason"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "already flagged" in html
    assert "my careful reason</textarea>" in html
    too_long = client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "x" * 501})
    assert too_long.status_code == 400
    assert "at most 500 characters" in too_long.content.decode()


def test_the_thread_asks_for_a_flag_reason_by_script(make_comment, user, other_user, lesson):
    comment = make_comment(user, "words")
    html = signed_in(other_user).get(lesson.get_absolute_url()).content.decode()
    link = re.search(rf'<a href="{reverse("comments:flag", args=[comment.pk])}"[^>]*>', html)[0]
    assert "data-prompt=" in link
    assert "You can say why (optional)." in link


def test_the_verify_link_sends_the_verification_in_one_click(unverified_user, lesson, mailoutbox):
    client = signed_in(unverified_user)
    html = client.get(lesson.get_absolute_url()).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*data-verify-form>(.*?)</form>', html, re.S)
    assert form[1] == reverse("progress:verification_send")
    assert f'name="next" value="{lesson.get_absolute_url()}#comments"' in form[2]
    assert "Send the verification email again</button>" in form[2]
    response = client.post(form[1], {"next": f"{lesson.get_absolute_url()}#comments"})
    assert response.status_code == 302
    assert response["Location"] == f"{lesson.get_absolute_url()}#comments"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["unverified@example.com"]


def test_a_refused_post_offers_the_one_click_verification_too(unverified_user, lesson):
    client = signed_in(unverified_user)
    for extra in ({}, PARTIAL):
        response = client.post(reverse("comments:create", args=[lesson.pk]), {"body": "kept"}, **extra)
        assert response.status_code == 403
        html = response.content.decode()
        assert f'action="{reverse("progress:verification_send")}"' in html
        assert f'name="next" value="{lesson.get_absolute_url()}#comments"' in html


def test_the_bell_is_an_svg_with_a_name_never_an_emoji(make_comment, user, lesson, author_client, client):
    for reader in (author_client, client):
        html = reader.get(lesson.get_absolute_url()).content.decode()
        assert "🔔" not in html
        assert '<svg class="icon icon-bell"' in html
    header = author_client.get("/").content.decode()
    nav = header[header.index('<li class="nav-bell">') :]
    nav = nav[: nav.index("</li>")]
    assert 'role="img" aria-label="Notifications"' in nav
    korean = author_client.get("/", headers={"accept-language": "ko"}).content.decode()
    assert 'role="img" aria-label="알림"' in korean
    for url in (reverse("comments:notifications"),):
        assert "🔔" not in author_client.get(url).content.decode()
