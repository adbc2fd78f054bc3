"""import_lessons / export_lessons: create, idempotent, update by key, dry run, errors, round trip."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lessons.importing import parse_lesson_file
from lessons.models import Lesson, Quest

LESSON = """---
key: dl-history-arc
slug: history-arc
title: History Arc
summary: "Three turning points: 2012, 2014-2017, 2017."
quest: deep-learning-history
quest_title: 딥러닝의 역사
position: 4
minutes: 18
status: published
tags: [history, alexnet, transformer]
links:
  - title: Attention Is All You Need
    url: https://arxiv.org/abs/1706.03762
exercise: |
  각 milestone 마다 한 문장씩 적어 봐.
---

## 변곡점

```python title="The architecture rush in one screen"
print("AlexNet")
```
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_lessons", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def lesson_file(tmp_path):
    return write(tmp_path, "04-history-arc.md", LESSON)


def test_import_creates_the_lesson_and_its_quest(db, lesson_file):
    assert "1 were created" in run(str(lesson_file))
    lesson = Lesson.objects.get(key="dl-history-arc")
    assert lesson.quest == Quest.objects.get(slug="deep-learning-history", title="딥러닝의 역사")
    assert (lesson.position, lesson.minutes, lesson.xp, lesson.status) == (4, 18, 40, "published")
    assert sorted(lesson.tags.values_list("name", flat=True)) == ["alexnet", "history", "transformer"]
    assert [(link.title, link.url) for link in lesson.links.all()] == [
        ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762")
    ]
    assert lesson.exercise == "각 milestone 마다 한 문장씩 적어 봐."
    assert lesson.body.startswith("## 변곡점")
    assert "code-title" in lesson.body_html


def test_importing_twice_changes_nothing(db, lesson_file):
    run(str(lesson_file))
    before = Lesson.objects.get(key="dl-history-arc").updated_at
    assert "0 were created, 0 were updated, 1 unchanged" in run(str(lesson_file))
    assert Lesson.objects.get(key="dl-history-arc").updated_at == before


def test_a_slug_change_updates_the_lesson_with_the_same_key(db, tmp_path, lesson_file):
    run(str(lesson_file))
    pk = Lesson.objects.get().pk
    write(tmp_path, "04-history-arc.md", LESSON.replace("slug: history-arc", "slug: the-history-arc"))
    assert "1 were updated" in run(str(lesson_file))
    lesson = Lesson.objects.get()
    assert (lesson.pk, lesson.slug, lesson.key) == (pk, "the-history-arc", "dl-history-arc")


def test_dry_run_reports_and_changes_nothing(db, lesson_file):
    output = run("--dry-run", str(lesson_file))
    assert "created: dl-history-arc" in output
    assert "1 would be created" in output
    assert not Lesson.objects.exists()
    assert not Quest.objects.exists()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("no front matter at all", "front matter"),
        ("---\ntitle: [unclosed\n---\nbody", "front matter"),
        (LESSON.replace("title: History Arc\n", ""), "title"),
        (LESSON.replace("minutes: 18", "minutes: soon"), "minutes"),
        (LESSON.replace("status: published", "status: maybe"), "status"),
        (LESSON.replace("url: https://arxiv.org/abs/1706.03762", "url: javascript:alert(1)"), "links[0].url"),
        (LESSON.replace("quest: deep-learning-history", "quest: not a slug!"), "quest"),
        (LESSON.replace("minutes: 18", "minutes: 18\nauthor_notes: x"), "author_notes"),
    ],
)
def test_a_malformed_file_names_the_file_and_field_and_imports_nothing(db, tmp_path, text, field):
    good = write(tmp_path, "01-good.md", LESSON.replace("dl-history-arc", "good").replace("history-arc", "good"))
    bad = write(tmp_path, "02-bad.md", text)
    with pytest.raises(CommandError) as error:
        run(str(good), str(bad))
    assert "02-bad.md" in str(error.value)
    assert f"'{field}'" in str(error.value)
    assert not Lesson.objects.exists()


def test_duplicate_keys_across_files_are_refused(db, tmp_path, lesson_file):
    other = write(
        tmp_path,
        "05-other.md",
        LESSON.replace("slug: history-arc", "slug: other").replace("position: 4", "position: 5"),
    )
    with pytest.raises(CommandError, match="'key'"):
        run(str(lesson_file), str(other))


def test_a_jekyll_post_is_accepted(db, tmp_path):
    post = write(
        tmp_path,
        "2022-01-02-historical-review.md",
        '---\nlayout: post\ntitle: "Historical Review"\nsubtitle: "A review"\ncategory: Study\n'
        "tags: AI-Basic\nquest: dl\n---\n# Body\n",
    )
    run(str(post))
    lesson = Lesson.objects.get(slug="historical-review")
    assert (lesson.key, lesson.summary, lesson.position) == ("historical-review", "A review", 1)
    assert list(lesson.tags.values_list("name", flat=True)) == ["AI-Basic"]


def test_export_then_import_is_a_round_trip(db, tmp_path, lesson_file):
    run(str(lesson_file))
    out = tmp_path / "export"
    call_command("export_lessons", str(out), stdout=StringIO())
    exported = out / "deep-learning-history" / "04-history-arc.md"
    assert exported.exists()
    assert "1 unchanged" in run(str(out))
    Lesson.objects.all().delete()
    run(str(out))
    again = tmp_path / "again"
    call_command("export_lessons", str(again), stdout=StringIO())
    assert (again / "deep-learning-history" / "04-history-arc.md").read_text() == exported.read_text()


def test_positions_can_be_swapped_by_import(db, tmp_path):
    a = LESSON.replace("dl-history-arc", "a").replace("history-arc", "a").replace("position: 4", "position: 1")
    b = LESSON.replace("dl-history-arc", "b").replace("history-arc", "b").replace("position: 4", "position: 2")
    run(str(write(tmp_path, "a.md", a)), str(write(tmp_path, "b.md", b)))
    run(
        str(write(tmp_path, "a.md", a.replace("position: 1", "position: 2"))),
        str(write(tmp_path, "b.md", b.replace("position: 2", "position: 1"))),
    )
    assert dict(Lesson.objects.values_list("key", "position")) == {"a": 2, "b": 1}


def test_the_demo_content_imports_cleanly(db):
    content = Path(__file__).resolve().parents[2] / "content" / "lessons"
    output = run(str(content))
    assert Quest.objects.count() >= 2
    assert Lesson.objects.published().count() >= 14
    arc = Lesson.objects.get(slug="history-arc")
    assert (arc.position, arc.title, arc.minutes) == (4, "History Arc", 18)
    assert arc.quest.lessons.count() == 10
    assert "The architecture rush in one screen" in arc.body_html
    assert "were created" in output
    assert "0 were created, 0 were updated" in run(str(content))


def test_a_quest_summary_from_the_files_fills_an_empty_summary_but_never_overwrites_staffs(db, tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01-one.md").write_text(
        '---\ntitle: One\nquest: summed\nquest_title: Summed\nquest_summary: "From the file."\n---\nBody.\n',
        encoding="utf-8",
    )
    call_command("import_lessons", str(folder), verbosity=0)
    assert Quest.objects.get(slug="summed").summary == "From the file."
    Quest.objects.filter(slug="summed").update(summary="Staff wrote this.")
    call_command("import_lessons", str(folder), verbosity=0)
    assert Quest.objects.get(slug="summed").summary == "Staff wrote this."
    out = tmp_path / "out"
    call_command("export_lessons", str(out), verbosity=0)
    exported = parse_lesson_file(out / "summed" / "01-one.md")
    assert exported.quest_summary == "Staff wrote this."
