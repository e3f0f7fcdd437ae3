"""Restore a backup made by `make backup`, check it, then apply the erasure log
again so that nobody erased since the backup comes back: `make restore`."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.backups import restore


class Command(BaseCommand):
    help = "Restore a backup into the configured database and storage."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="backup folder")

    def handle(self, *args, **options):
        folder = Path(options["input"])
        if not (folder / "manifest.json").exists():
            raise CommandError(f"{folder} does not hold a backup (no manifest.json).")
        result = restore(folder)
        if result["differences"]:
            for label, (expected, found) in result["differences"].items():
                self.stderr.write(f"{label}: {expected} rows backed up, {found} now")
            raise CommandError("The restored row counts differ from the backup.")
        manifest = result["manifest"]
        self.stdout.write(
            f"Restored {sum(manifest['rows'].values())} rows and "
            f"{len(manifest['files'])} files; row counts and checksums match."
        )
        call_command("reapply_erasures", stdout=self.stdout)
