"""python manage.py load_catalogue [--data-dir DIR] — load the sourced catalogue shipped in data/."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from emissions.catalogue.csvfiles import CatalogueError
from emissions.services.catalogue import DEFAULT_DATA_DIR, catalogue_load


class Command(BaseCommand):
    help = "Load (or update) the catalogue from data/*.csv. Idempotent; all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="Catalogue folder.")

    def handle(self, *args, data_dir: Path, verbosity: int = 1, **options):
        try:
            report = catalogue_load(data_dir=data_dir)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        if verbosity:
            for line in report.lines():
                self.stdout.write(line)
            summary = "Catalogue updated." if report.changed else "Catalogue already up to date; nothing changed."
            self.stdout.write(self.style.SUCCESS(summary))
