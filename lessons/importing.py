"""Lesson files: Markdown with YAML front matter, read by import_lessons and written by export_lessons.

One file per lesson. Front matter keys (SPEC section 11): key, slug, title, summary,
quest (the quest's slug), quest_title, quest_summary, position, minutes, xp, status, tags, links
({title, url}), exercise; the body is the lesson. Jekyll posts (``subtitle``, a tag
string, ``layout``/``category``/``image``) are accepted too.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils.text import slugify

from lessons import services
from lessons.markdown import lesson_over_budget
from lessons.models import ExternalLink, Lesson, Quest, Status, Tag, default_xp, is_lesson_key

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
KNOWN_KEYS = {
    "key", "slug", "title", "summary", "subtitle", "quest", "quest_title", "quest_summary", "position", "minutes",
    "xp", "status", "tags", "links", "exercise",
}  # fmt: skip
# Jekyll keys that have no meaning here and are skipped without complaint.
IGNORED_KEYS = {"layout", "category", "categories", "image", "date", "author", "permalink"}


class LessonFileError(Exception):
    """A lesson file that cannot be imported; names the file and the field."""

    def __init__(self, path: Path, field_name: str, message: str):
        self.path, self.field, self.message = path, field_name, message
        super().__init__(f"{path}: {field_name}: {message}")


@dataclass
class LessonData:
    path: Path
    key: str
    slug: str
    title: str
    summary: str
    quest: str
    quest_title: str
    quest_summary: str
    position: int | None
    minutes: int
    xp: int
    status: str
    tags: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    exercise: str = ""
    body: str = ""


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def lesson_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their *.md files, in a stable order."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.md")) if path.is_dir() else [path])
    return files


def _text(meta: dict, name: str, path: Path, *, required: bool = False, default: str = "") -> str:
    value = meta.get(name)
    if value is None:
        if required:
            raise LessonFileError(path, name, "is required")
        return default
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise LessonFileError(path, name, "must be text")
    return str(value).strip()


@overload
def _int(meta: dict, name: str, path: Path, *, default: int) -> int: ...
@overload
def _int(meta: dict, name: str, path: Path, *, default: None) -> int | None: ...
def _int(meta: dict, name: str, path: Path, *, default: int | None) -> int | None:
    value = meta.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LessonFileError(path, name, "must be a whole number of at least 1")
    return value


def _slug(value: str, name: str, path: Path) -> str:
    try:
        validate_slug(value)
    except ValidationError:
        raise LessonFileError(path, name, f"{value!r} may contain only letters, digits, - and _") from None
    return value


def parse_lesson_file(path: Path) -> LessonData:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LessonFileError(path, "file", f"cannot be read: {error}") from None
    match = FRONT_MATTER.match(text)
    if not match:
        raise LessonFileError(path, "front matter", "the file must start with YAML front matter between --- lines")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise LessonFileError(path, "front matter", f"is not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise LessonFileError(path, "front matter", "must be a mapping of keys to values")
    unknown = set(meta) - KNOWN_KEYS - IGNORED_KEYS
    if unknown:
        raise LessonFileError(path, sorted(unknown)[0], "is not a known lesson field")

    stem = re.sub(r"^(\d{4}-\d{2}-\d{2}-|\d+-)", "", path.stem)
    slug = _slug(_text(meta, "slug", path, default=slugify(stem)), "slug", path)
    key = _text(meta, "key", path, default=slug)
    if not is_lesson_key(key):
        raise LessonFileError(path, "key", f"{key!r} may contain only letters, digits, - and _ (at most 64)")
    quest = _slug(_text(meta, "quest", path, required=True), "quest", path)
    minutes = _int(meta, "minutes", path, default=10)
    status = _text(meta, "status", path, default=Status.PUBLISHED)
    if status not in Status.values:
        raise LessonFileError(path, "status", f"must be one of {', '.join(Status.values)}")

    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = tags.replace(",", " ").split()
    if not isinstance(tags, list) or not all(isinstance(tag, str) and slugify(tag) for tag in tags):
        raise LessonFileError(path, "tags", "must be a list of tag names")

    links = []
    for index, link in enumerate(meta.get("links") or []):
        if not isinstance(link, dict) or not isinstance(link.get("url"), str):
            raise LessonFileError(path, f"links[{index}]", "must have a url (and a title)")
        try:
            URLValidator(schemes=["http", "https"])(link["url"])
        except ValidationError:
            raise LessonFileError(path, f"links[{index}].url", "must be an http(s) URL") from None
        links.append((str(link.get("title") or link["url"]).strip(), link["url"]))

    body = match.group(2).strip("\n")
    exercise = _text(meta, "exercise", path)
    for name, text in (("body", body), ("exercise", exercise)):
        if lesson_over_budget(text):
            raise LessonFileError(path, name, "is too long or too intricate to render quickly; split the lesson")
    return LessonData(
        path=path,
        key=key,
        slug=slug,
        title=_text(meta, "title", path, required=True),
        summary=_text(meta, "summary", path, default=_text(meta, "subtitle", path)),
        quest=quest,
        quest_title=_text(meta, "quest_title", path),
        quest_summary=_text(meta, "quest_summary", path),
        position=_int(meta, "position", path, default=None),
        minutes=minutes,
        xp=_int(meta, "xp", path, default=default_xp(minutes)),
        status=status,
        tags=[tag.strip() for tag in tags],
        links=links,
        exercise=exercise,
        body=body,
    )


def _check_unique(items: list[LessonData]) -> None:
    for attribute in ("key", "slug"):
        seen: dict[str, Path] = {}
        for item in items:
            value = getattr(item, attribute)
            if value in seen:
                raise LessonFileError(item.path, attribute, f"{value!r} is also used by {seen[value]}")
            seen[value] = item.path


def _lesson_fields(data: LessonData) -> dict:
    return {
        "slug": data.slug, "title": data.title, "summary": data.summary, "position": data.position,
        "minutes": data.minutes, "xp": data.xp, "status": data.status, "body": data.body, "exercise": data.exercise,
    }  # fmt: skip


def _differs(lesson: Lesson, data: LessonData) -> bool:
    if lesson.quest.slug != data.quest:
        return True
    if any(getattr(lesson, name) != value for name, value in _lesson_fields(data).items()):
        return True
    if sorted(tag.slug for tag in lesson.tags.all()) != sorted(slugify(name) for name in data.tags):
        return True
    return [(link.title, link.url) for link in lesson.links.all()] != data.links


@transaction.atomic
def lessons_import(*, paths: list[Path], dry_run: bool = False) -> ImportResult:
    """Create or update lessons by key; all files or none (one transaction)."""
    items = [parse_lesson_file(path) for path in lesson_files(paths)]
    _check_unique(items)
    existing = {
        lesson.key: lesson
        for lesson in Lesson.objects.filter(key__in=[item.key for item in items])
        .select_related("quest")
        .prefetch_related("tags", "links")
    }
    result = ImportResult()
    changed: list[LessonData] = []
    for item in items:
        lesson = existing.get(item.key)
        if lesson is None:
            result.created.append(item.key)
            changed.append(item)
            continue
        if item.position is None and lesson.quest.slug == item.quest:
            item.position = lesson.position  # no position in the file: the lesson keeps its place
        if _differs(lesson, item):
            result.updated.append(item.key)
            changed.append(item)
        else:
            result.unchanged.append(item.key)
    if dry_run or not changed:
        return result

    quests = _quests_for(changed)
    services.lessons_park_positions(lessons=[existing[item.key] for item in changed if item.key in existing])
    for item in changed:
        quest = quests[item.quest]
        if item.position is None:
            item.position = (quest.lessons.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        try:
            lesson = existing[item.key]
            for name, value in _lesson_fields(item).items():
                setattr(lesson, name, value)
            lesson.quest = quest
        except KeyError:
            lesson = Lesson(key=item.key, quest=quest, **_lesson_fields(item))
        lesson.save()
        lesson.tags.set(_tags(item.tags))
        lesson.links.all().delete()
        ExternalLink.objects.bulk_create(
            ExternalLink(lesson=lesson, title=title, url=url, position=index)
            for index, (title, url) in enumerate(item.links)
        )
    return result


def _quests_for(items: list[LessonData]) -> dict[str, Quest]:
    """The quests the files name, created when missing; a summary from the files fills an empty one
    (never one staff wrote), so importing the same files twice changes nothing."""
    quests = {quest.slug: quest for quest in Quest.objects.filter(slug__in={item.quest for item in items})}
    for item in items:
        if item.quest not in quests:
            quests[item.quest] = Quest.objects.create(
                slug=item.quest,
                title=item.quest_title or item.quest.replace("-", " ").title(),
                summary=item.quest_summary,
                order=Quest.objects.count() + 1,
                status=Status.PUBLISHED,
            )
        elif item.quest_summary and not quests[item.quest].summary:
            quest = quests[item.quest]
            quest.summary = item.quest_summary
            quest.save(update_fields=["summary"])
    return quests


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        tags.append(tag)
    return tags


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def lesson_to_text(lesson: Lesson) -> str:
    """The lesson as a file that lessons_import reads back to the same lesson."""
    meta = {
        "key": lesson.key,
        "slug": lesson.slug,
        "title": lesson.title,
        "summary": lesson.summary,
        "quest": lesson.quest.slug,
        "quest_title": lesson.quest.title,
        "quest_summary": lesson.quest.summary,
        "position": lesson.position,
        "minutes": lesson.minutes,
        "xp": lesson.xp,
        "status": lesson.status,
        "tags": [tag.name for tag in lesson.tags.all()],
        "links": [{"title": link.title, "url": link.url} for link in lesson.links.all()],
        "exercise": lesson.exercise,
    }
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{lesson.body.strip(chr(10))}\n"


def lessons_export(*, directory: Path) -> list[Path]:
    """Write every lesson (drafts too) as <quest>/<NN>-<slug>.md under directory."""
    written = []
    for lesson in Lesson.objects.select_related("quest").prefetch_related("tags", "links").in_order():
        path = directory / lesson.quest.slug / f"{lesson.position:02d}-{lesson.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(lesson_to_text(lesson), encoding="utf-8")
        written.append(path)
    return written
