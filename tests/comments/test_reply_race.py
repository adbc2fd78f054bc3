"""Replying to a comment that is being deleted at the same moment: a clear refusal that keeps the
reply's text, never a 500 (issue 12)."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests.comments.conftest import PARTIAL, signed_in
from tests.conftest import make_quest, make_user


@pytest.fixture
def parent_deleted_after_validation(monkeypatch, user):
    """The form is valid, then the parent's author deletes it, then the view calls the service."""
    real = services.comment_create

    def delete_then_post(**kwargs):
        services.comment_delete(comment=Comment.objects.get(pk=kwargs["parent"]), user=user)
        return real(**kwargs)

    monkeypatch.setattr("comments.views.services.comment_create", delete_then_post)


def test_a_reply_to_a_comment_deleted_meanwhile_is_refused_with_its_text_kept(
    make_comment, user, other_user, lesson, parent_deleted_after_validation
):
    parent = make_comment(user, "about to go")
    url = reverse("comments:create", args=[lesson.pk])
    response = signed_in(other_user).post(url, {"body": "My careful answer.", "parent": parent.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The comment you replied to no longer exists." in html
    assert "its text is kept below" in html
    assert "My careful answer.</textarea>" in html
    assert not Comment.objects.exists()


def test_by_script_the_refusal_comes_in_place(make_comment, user, other_user, lesson, parent_deleted_after_validation):
    parent = make_comment(user, "about to go")
    url = reverse("comments:create", args=[lesson.pk])
    response = signed_in(other_user).post(url, {"body": "answer", "parent": parent.pk}, **PARTIAL)
    assert response.status_code == 400
    assert "no longer exists" in response.content.decode()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL's concurrent writers")
def test_a_reply_racing_the_delete_of_its_parent_is_refused_not_a_500(transactional_db):
    """The delete holds its transaction open while the reply is posted: the reply waits for it and is
    refused. Read without the lock, the reply saw the parent and failed at commit on the foreign key."""
    author, replier = make_user("author@example.com"), make_user("replier@example.com")
    lesson = make_quest("race", lessons=1).lessons.get()
    parent = Comment.objects.create(lesson=lesson, author=author, body="about to go")
    deleting = threading.Event()
    errors = []

    def delete() -> None:
        try:
            with transaction.atomic():
                services.comment_delete(comment=parent, user=author)
                deleting.set()
                connection.cursor().execute("SELECT pg_sleep(0.5)")  # the reply is posted meanwhile
        except Exception as error:  # reported to the test below
            errors.append(error)
            deleting.set()
        finally:
            connection.close()

    thread = threading.Thread(target=delete)
    thread.start()
    assert deleting.wait(timeout=10)
    with pytest.raises(services.InvalidComment, match="no longer exists"):
        services.comment_create(author=replier, lesson=lesson, body="my answer", parent=parent.pk)
    thread.join(timeout=10)
    assert errors == []
    assert not Comment.objects.exists()
