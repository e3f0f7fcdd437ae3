"""Back up the database and every stored file into a folder: `make backup`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.backups import back_up


class Command(BaseCommand):
    help = "Back up the database and stored files, with a manifest to check against."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="folder to write (default: backups/<UTC time>)"
        )

    def handle(self, *args, **options):
        folder = Path(
            options["output"]
            or settings.BASE_DIR
            / "backups"
            / timezone.now().strftime("%Y-%m-%dT%H%M%SZ")
        )
        manifest = back_up(folder)
        self.stdout.write(
            f"Backed up {sum(manifest['rows'].values())} rows and "
            f"{len(manifest['files'])} files to {folder}"
        )
