from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons.importing import LessonFileError, lessons_import


class Command(BaseCommand):
    help = "Create or update lessons by key from Markdown files with YAML front matter (files or directories)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")

    def handle(self, *args, paths: list[Path], dry_run: bool, **options):
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}")
        try:
            result = lessons_import(paths=paths, dry_run=dry_run)
        except LessonFileError as error:
            raise CommandError(f"{error.path}: field '{error.field}' {error.message}. Nothing was imported.") from None
        verb = "would be" if dry_run else "were"
        for label, keys in (("created", result.created), ("updated", result.updated)):
            for key in keys:
                self.stdout.write(f"  {label}: {key}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.created)} {verb} created, {len(result.updated)} {verb} updated, "
                f"{len(result.unchanged)} unchanged."
            )
        )
