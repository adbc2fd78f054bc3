from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from search import sqlite_index

        # SQLite only: the triggers that keep the FTS5 index current are taken down
        # before any migration and put back (with the index rebuilt) after it, so that
        # another app's migration may rebuild the tables they read (docs/decisions.md).
        pre_migrate.connect(sqlite_index.before_migrate, sender=self, dispatch_uid="search.before_migrate")
        post_migrate.connect(sqlite_index.after_migrate, sender=self, dispatch_uid="search.after_migrate")
