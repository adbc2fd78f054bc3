"""The search index, in each database's own machinery.

SQLite: the FTS5 table (trigram tokenizer), filled from the lessons; its triggers are
created after every migrate (search.sqlite_index explains why not here).
PostgreSQL: the pg_trgm extension and GIN trigram indexes over the lesson's own columns
and tag names, which need no keeping in sync.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from search import sqlite_index

PG_TEXT_INDEX = (
    "CREATE INDEX IF NOT EXISTS search_lesson_text_trgm ON lessons_lesson"
    " USING gin ((title || ' ' || summary || ' ' || body) gin_trgm_ops)"
)
PG_TAG_INDEX = "CREATE INDEX IF NOT EXISTS search_tag_name_trgm ON lessons_tag USING gin (name gin_trgm_ops)"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        sqlite_index.create_table(connection)
        sqlite_index.rebuild(connection)
    elif connection.vendor == "postgresql":
        schema_editor.execute(PG_TEXT_INDEX)
        schema_editor.execute(PG_TAG_INDEX)


def drop_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        sqlite_index.drop_table(connection)
    elif connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_lesson_text_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS search_tag_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("lessons", "0002_quest_published_by_default")]

    operations = [
        TrigramExtension(),  # does nothing on databases other than PostgreSQL
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
