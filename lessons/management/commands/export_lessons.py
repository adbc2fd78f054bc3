from pathlib import Path

from django.core.management.base import BaseCommand

from lessons.importing import lessons_export


class Command(BaseCommand):
    help = "Write every lesson as a Markdown file with YAML front matter (the import_lessons format)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        written = lessons_export(directory=directory)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} lesson files to {directory}."))
