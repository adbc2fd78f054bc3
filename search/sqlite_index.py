"""The SQLite search index: an FTS5 table with the trigram tokenizer, kept current by triggers.

``search_lesson_fts`` holds, per lesson (rowid = the lesson's id), its title, summary,
tag names and Markdown body. The trigram tokenizer indexes every three-character
sequence, so a query finds any substring of three characters or more, whatever
particle follows a Korean word and whatever the case of an English one.

Triggers on the lesson, lesson-tag and tag tables rewrite a lesson's row whenever any of
those change, by whatever path (the admin, ``import_lessons``, ``QuerySet.update``, raw
SQL): the lessons app knows nothing of search.

A trigger that reads a table stops SQLite from rebuilding that table (``no such table``
when Django's migration renames the rebuilt copy back). So the triggers are dropped before
every ``migrate`` and created again after it, with the index rebuilt from the lessons
(a few milliseconds for hundreds of lessons). The migration itself creates only the table.
"""

# ruff: noqa: S608 - every statement here is built from this module's constants, never from input.

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "search_lesson_fts"

CREATE_TABLE = f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, summary, tags, body, tokenize='trigram')"

_TAGS_OF = (
    "COALESCE((SELECT group_concat(t.name, ' ') FROM lessons_lesson_tags lt"
    " JOIN lessons_tag t ON t.id = lt.tag_id WHERE lt.lesson_id = l.id), '')"
)


def _insert(where: str) -> str:
    """The statement that indexes the lessons selected by ``where`` (over ``l``)."""
    return (
        f"INSERT INTO {TABLE}(rowid, title, summary, tags, body)"
        f" SELECT l.id, l.title, l.summary, {_TAGS_OF}, l.body FROM lessons_lesson l WHERE {where}"
    )


def _reindex(where: str) -> str:
    """Statements (for a trigger body) that rewrite the index rows of the lessons selected by ``where``."""
    return f"DELETE FROM {TABLE} WHERE rowid IN (SELECT l.id FROM lessons_lesson l WHERE {where}); {_insert(where)};"


TRIGGERS = {
    "search_lesson_ai": f"AFTER INSERT ON lessons_lesson BEGIN {_reindex('l.id = new.id')} END",
    "search_lesson_au": (
        f"AFTER UPDATE OF title, summary, body ON lessons_lesson BEGIN {_reindex('l.id = new.id')} END"
    ),
    "search_lesson_ad": f"AFTER DELETE ON lessons_lesson BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END",
    "search_lesson_tags_ai": f"AFTER INSERT ON lessons_lesson_tags BEGIN {_reindex('l.id = new.lesson_id')} END",
    "search_lesson_tags_ad": f"AFTER DELETE ON lessons_lesson_tags BEGIN {_reindex('l.id = old.lesson_id')} END",
    "search_lesson_tags_au": (
        f"AFTER UPDATE ON lessons_lesson_tags BEGIN {_reindex('l.id IN (old.lesson_id, new.lesson_id)')} END"
    ),
    "search_tag_au": (
        "AFTER UPDATE OF name ON lessons_tag BEGIN"
        f" {_reindex('l.id IN (SELECT lesson_id FROM lessons_lesson_tags WHERE tag_id = new.id)')} END"
    ),
}


def _is_sqlite(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "sqlite"


def table_exists(connection: BaseDatabaseWrapper) -> bool:
    return TABLE in connection.introspection.table_names(include_views=True)


def create_table(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)


def drop_table(connection: BaseDatabaseWrapper) -> None:
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def create_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Fill the index from the lessons as they are now."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(_insert("1 = 1"))


def before_migrate(*, using: str, **_ignored) -> None:
    connection = connections[using]
    if _is_sqlite(connection):
        drop_triggers(connection)


def after_migrate(*, using: str, **_ignored) -> None:
    """Put the triggers back and rebuild the index, if the search migration has created it."""
    connection = connections[using]
    if _is_sqlite(connection) and table_exists(connection):
        create_triggers(connection)
        rebuild(connection)
