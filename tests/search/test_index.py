"""The index follows the lessons, whatever changes them: the admin, import_lessons, tags, status.

On SQLite these pass because the triggers rewrite the FTS5 rows; on PostgreSQL because the
trigram indexes are over the lesson's own columns and tag names."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lessons.models import Lesson, Status, Tag
from search import sqlite_index
from tests.search.conftest import found, make_lesson


def test_admin_save_of_a_new_and_a_changed_lesson_is_found(client, staff_user, history):
    client.force_login(staff_user)
    lesson = make_lesson(history, 1, title="AlexNet", body="GPU 두 장으로 학습했어.")
    cnn = Tag.objects.create(name="convolution", slug="convolution")
    assert found("alexnet") == [lesson.slug]

    data = {
        "quest": history.pk,
        "position": 1,
        "key": lesson.key,
        "title": "LeNet",
        "slug": lesson.slug,
        "summary": "손글씨 숫자를 읽는 CNN 이야.",
        "body": "우편번호를 읽었어.",
        "exercise": "",
        "minutes": 10,
        "xp": 20,
        "status": Status.PUBLISHED,
        "tags": [cnn.pk],
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "links-MIN_NUM_FORMS": 0,
        "links-MAX_NUM_FORMS": 1000,
    }
    response = client.post(reverse("admin:lessons_lesson_change", args=[lesson.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("lenet") == [lesson.slug]
    assert found("우편번호") == [lesson.slug]
    assert found("손글씨") == [lesson.slug]
    assert found("convolution") == [lesson.slug]
    assert found("alexnet") == []
    assert found("GPU") == []


def test_a_change_made_without_save_is_found_too(history):
    lesson = make_lesson(history, 1, title="AlexNet")
    Lesson.objects.filter(pk=lesson.pk).update(summary="드롭아웃을 처음 크게 썼어.")
    assert found("드롭아웃") == [lesson.slug]


def test_import_lessons_is_found_and_reimporting_a_changed_file_updates_it(db, tmp_path: Path):
    text = (
        '---\nkey: imported\nslug: imported\ntitle: "Imported Lesson"\nquest: imported-quest\n'
        "tags: [wavenet]\nstatus: published\n---\n{body}\n"
    )
    path = tmp_path / "01-imported.md"
    path.write_text(text.format(body="오디오를 한 sample 씩 만들어."), encoding="utf-8")
    call_command("import_lessons", str(tmp_path), verbosity=0)
    assert found("오디오") == ["imported"]
    assert found("wavenet") == ["imported"]  # a tag

    path.write_text(text.format(body="음성 합성의 역사를 바꿨어.").replace("wavenet", "tts"), encoding="utf-8")
    call_command("import_lessons", str(tmp_path), verbosity=0)
    assert found("오디오") == []
    assert found("음성") == ["imported"]
    assert found("wavenet") == []
    assert found("tts") == ["imported"]


def test_tag_added_removed_and_renamed_is_followed(history):
    lesson = make_lesson(history, 1, title="ResNet")
    tag = Tag.objects.create(name="residual", slug="residual")
    assert found("residual") == []
    lesson.tags.add(tag)
    assert found("residual") == [lesson.slug]
    tag.name = "shortcut"
    tag.save()
    assert found("residual") == []
    assert found("shortcut") == [lesson.slug]
    lesson.tags.remove(tag)
    assert found("shortcut") == []
    lesson.tags.add(tag)
    tag.delete()
    assert found("shortcut") == []
    assert found("resnet") == [lesson.slug]


def test_unpublished_lesson_disappears_for_everyone_but_staff(history, user, staff_user):
    lesson = make_lesson(history, 1, title="Transformer")
    assert found("transformer", user) == [lesson.slug]
    lesson.status = Status.DRAFT
    lesson.save()
    assert found("transformer") == []
    assert found("transformer", user) == []
    assert found("transformer", staff_user) == [lesson.slug]


def test_unpublish_action_in_the_admin_hides_the_lesson_from_learners(client, staff_user, user, history):
    lesson = make_lesson(history, 1, title="Transformer")
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:lessons_lesson_changelist"), {"action": "unpublish", "_selected_action": [lesson.pk]}
    )
    assert response.status_code == 302
    assert found("transformer", user) == []
    assert found("transformer", staff_user) == [lesson.slug]


def test_lessons_of_a_draft_quest_are_not_found_by_learners(history, user, staff_user):
    lesson = make_lesson(history, 1, title="Transformer")
    history.status = Status.DRAFT
    history.save()
    assert found("transformer", user) == []
    assert found("transformer", staff_user) == [lesson.slug]


def test_deleted_lesson_leaves_the_index(history):
    lesson = make_lesson(history, 1, title="Transformer", tags=["attention"])
    lesson.delete()
    assert found("transformer") == []
    assert found("attention") == []


def test_the_database_index_is_in_place(db):
    """SQLite: the FTS5 table and its triggers; PostgreSQL: pg_trgm and the GIN trigram indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'")
            assert {row[0] for row in cursor.fetchall()} == set(sqlite_index.TRIGGERS)
            assert sqlite_index.table_exists(connection)
        else:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cursor.fetchone() == (1,)
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%'")
            assert {row[0] for row in cursor.fetchall()} == {"search_lesson_text_trgm", "search_tag_name_trgm"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the triggers exist on SQLite only")
def test_migrate_puts_the_triggers_back_and_catches_up_with_what_changed_meanwhile(history):
    lesson = make_lesson(history, 1, title="AlexNet")
    sqlite_index.before_migrate(using="default")  # what pre_migrate does
    Lesson.objects.filter(pk=lesson.pk).update(title="VGG")  # a migration's data change, unseen
    assert found("vgg") == []
    sqlite_index.after_migrate(using="default")  # what post_migrate does
    assert found("vgg") == [lesson.slug]
    assert found("alexnet") == []
    Lesson.objects.filter(pk=lesson.pk).update(title="GoogLeNet")  # and the triggers are back
    assert found("googlenet") == [lesson.slug]
