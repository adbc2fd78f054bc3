"""The thread: replies nest to three levels, deleted and hidden comments keep the thread whole."""

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from comments import selectors, services
from comments.models import Comment
from progress.names import default_name
from tests.comments.conftest import PARTIAL


class Nesting(HTMLParser):
    """For each comment <li>, the id of the comment <li> it sits in (None at the top)."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.parent_of: dict[str, str | None] = {}
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        if tag != "li":
            return
        element_id = dict(attrs).get("id") or None
        if element_id and element_id.startswith("comment-"):
            self.parent_of[element_id] = next((e for e in reversed(self.stack) if e), None)
        self.stack.append(element_id)

    def handle_endtag(self, tag):
        if tag == "li" and self.stack:
            self.stack.pop()


def chain(make_comment, authors, length: int) -> list[Comment]:
    """A reply to a reply to a reply…, alternating authors."""
    comments: list[Comment] = []
    for i in range(length):
        comments.append(make_comment(authors[i % 2], f"level {i + 1}", parent=comments[-1] if comments else None))
    return comments


@dataclass
class Thread:
    roots: list
    count: int


def thread(lesson, viewer=None, order="oldest") -> Thread:
    """The thread as this viewer alone sees it (``thread_for``: what the shared thread is compared with)."""
    viewer = viewer or AnonymousUser()
    can_post = selectors.email_verified(viewer) if viewer.is_authenticated else False
    return Thread(*selectors.thread_for(lesson=lesson, user=viewer, order=order, can_post=can_post))


def test_replies_nest_to_three_levels_and_deeper_ones_attach_to_the_third(make_comment, user, other_user, lesson):
    c1, c2, c3, c4, c5 = chain(make_comment, [user, other_user], 5)
    roots = thread(lesson).roots
    assert [root.pk for root in roots] == [c1.pk]
    assert [child.pk for child in roots[0].children] == [c2.pk]
    level_three = roots[0].children[0].children
    # c4 answers c3 and c5 answers c4, but both are shown at the third level, beside c3.
    assert [comment.pk for comment in level_three] == [c3.pk, c4.pk, c5.pk]
    assert [comment.depth for comment in level_three] == [3, 3, 3]
    assert all(not comment.children for comment in level_three)
    assert level_three[0].reply_to_name == ""
    assert level_three[1].reply_to_name == default_name(user.pk)  # c4 says whom it answers: c3, by `user`
    assert level_three[2].reply_to_name == default_name(other_user.pk)  # c5 answers c4, by `other_user`


def test_each_comment_element_contains_its_replies(make_comment, user, other_user, lesson, client):
    c1, c2, c3, c4 = chain(make_comment, [user, other_user], 4)
    sibling = make_comment(other_user, "another top-level comment")
    nesting = Nesting(client.get(lesson.get_absolute_url()).content.decode())
    assert nesting.parent_of == {
        f"comment-{c1.pk}": None,
        f"comment-{c2.pk}": f"comment-{c1.pk}",
        f"comment-{c3.pk}": f"comment-{c2.pk}",
        f"comment-{c4.pk}": f"comment-{c2.pk}",  # the fourth level shows at the third
        f"comment-{sibling.pk}": None,
    }


def test_a_reply_posted_by_script_comes_back_at_its_display_depth(make_comment, user, other_user, other_client, lesson):
    c1, _c2, c3 = chain(make_comment, [user, other_user], 3)
    url = reverse("comments:create", args=[lesson.pk])
    response = other_client.post(url, {"body": "deep", "parent": c3.pk}, **PARTIAL)
    html = response.content.decode()
    assert response.status_code == 201
    assert 'data-depth="3"' in html
    assert f"to {default_name(user.pk)}" in html  # c3 is by `user`, shown by their default name
    response = other_client.post(url, {"body": "second level", "parent": c1.pk}, **PARTIAL)
    assert 'data-depth="2"' in response.content.decode()


def test_threads_in_the_readers_order_with_replies_oldest_first(make_comment, user, other_user, lesson):
    first = make_comment(user, "first")
    second = make_comment(other_user, "second")
    early_reply = make_comment(other_user, "early", parent=first)
    late_reply = make_comment(user, "late", parent=first)
    oldest = thread(lesson, order="oldest").roots
    newest = thread(lesson, order="newest").roots
    assert [c.pk for c in oldest] == [first.pk, second.pk]
    assert [c.pk for c in newest] == [second.pk, first.pk]
    assert [c.pk for c in newest[1].children] == [early_reply.pk, late_reply.pk]


def test_the_order_is_chosen_on_the_page_and_unknown_values_fall_back(make_comment, user, lesson, client):
    make_comment(user, "alpha")
    make_comment(user, "omega")
    newest = client.get(lesson.get_absolute_url() + "?comments=newest").content.decode()
    assert newest.index("omega") < newest.index("alpha")
    odd = client.get(lesson.get_absolute_url() + "?comments=%3Cscript%3E")
    assert odd.status_code == 200
    assert odd.content.decode().index("alpha") < odd.content.decode().index("omega")


def test_a_deleted_comment_with_replies_stays_as_deleted(make_comment, user, other_user, lesson, client):
    parent = make_comment(user, "my secret words")
    reply = make_comment(other_user, "an answer", parent=parent)
    services.comment_delete(comment=parent, user=user)
    parent.refresh_from_db()
    assert parent.is_deleted
    assert parent.body == ""
    assert parent.body_html == ""
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "my secret words" not in html
    assert "[deleted]" in html
    assert Nesting(html).parent_of[f"comment-{reply.pk}"] == f"comment-{parent.pk}"
    assert "data-comment-count>2<" in html  # what the thread shows: "[deleted]" and the reply (issue 16)


def test_a_deleted_comment_without_replies_disappears(make_comment, user, lesson, client):
    comment = make_comment(user, "gone soon")
    assert services.comment_delete(comment=comment, user=user) is None
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert "No comments yet. Be the first." in client.get(lesson.get_absolute_url()).content.decode()


def test_deleting_the_last_reply_under_a_deleted_comment_removes_both(make_comment, user, other_user, lesson):
    parent = make_comment(user, "parent")
    reply = make_comment(other_user, "reply", parent=parent)
    services.comment_delete(comment=parent, user=user)
    services.comment_delete(comment=reply, user=other_user)
    assert not Comment.objects.filter(lesson=lesson).exists()


def test_a_deleted_placeholder_with_only_removed_replies_is_not_shown(make_comment, user, other_user, lesson):
    parent = make_comment(user, "parent")
    make_comment(other_user, "rude", parent=parent, is_hidden=True)
    Comment.objects.filter(pk=parent.pk).update(is_deleted=True, body="", body_html="")
    assert thread(lesson).roots == []


def test_hidden_comments_are_placeholders_for_readers_and_visible_to_staff(
    make_comment, user, other_user, staff_user, lesson, client, staff_client
):
    hidden = make_comment(user, "rude words")
    make_comment(other_user, "a reply to it", parent=hidden)
    alone = make_comment(user, "hidden and alone")
    for comment in (hidden, alone):
        services.comments_visibility_set(comments=Comment.objects.filter(pk=comment.pk), user=staff_user, hidden=True)
    reader_html = client.get(lesson.get_absolute_url()).content.decode()
    assert "rude words" not in reader_html
    assert "hidden and alone" not in reader_html
    assert f'id="comment-{alone.pk}"' not in reader_html
    assert "[hidden by a moderator]" in reader_html
    assert "a reply to it" in reader_html
    staff_html = staff_client.get(lesson.get_absolute_url()).content.decode()
    assert "rude words" in staff_html
    assert "hidden and alone" in staff_html
    assert reverse("comments:unhide", args=[hidden.pk]) in staff_html


def test_comments_of_a_deleted_account_stay_authorless(make_comment, make_user_fn, lesson, client):
    leaving = make_user_fn("leaving@example.com")
    comment = make_comment(leaving, "I was here")
    leaving.delete()
    comment.refresh_from_db()
    assert comment.author is None
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "I was here" in html
    assert '<span class="comment-author">[deleted]</span>' in html


def test_names_come_from_profiles_and_fall_back_without_one(make_comment, user, other_user, lesson):
    from progress.models import Profile

    profile = Profile.for_user(user)
    profile.display_name = "Ada"
    profile.save()
    Profile.objects.filter(user=other_user).delete()
    make_comment(user, "with a profile")
    make_comment(other_user, "without one")
    names = [comment.author_name for comment in thread(lesson).roots]
    assert names == ["Ada", default_name(other_user.pk)]


@pytest.fixture
def make_user_fn(db):
    from tests.conftest import make_user

    return make_user
