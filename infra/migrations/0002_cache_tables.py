"""The database cache tables, so that `migrate` alone prepares a database.

Before this, `manage.py createcachetable` had to run after `migrate`, and a database
prepared the standard way answered 500 on sign-up and on the 404 page. The names are
the LOCATIONs in config/settings.py's CACHES; a table that already exists (made by
createcachetable on an older deployment) is left as it is.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLES = ("django_cache", "stream_page_cache")  # "default" (limits), "pages"


def create_tables(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    for table in TABLES:
        command.create_table(schema_editor.connection.alias, table, dry_run=False)


def drop_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for table in TABLES:
        if table in existing:
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [("infra", "0001_rate_counter")]

    operations = [migrations.RunPython(create_tables, drop_tables, elidable=False)]
