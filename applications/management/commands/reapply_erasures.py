"""Apply every erasure in the erasure log again: run after restoring a backup."""

from django.core.management.base import BaseCommand

from applications.management.commands.purge_expired import summary_lines
from applications.services.privacy import reapply_erasures


class Command(BaseCommand):
    help = "Apply the erasure log (PORTAL_ERASURE_LOG) to this database again."

    def add_arguments(self, parser):
        parser.add_argument("--log", help="erasure log file (default: the setting)")

    def handle(self, *args, **options):
        changes = reapply_erasures(path=options["log"])
        for line in summary_lines(changes):
            self.stdout.write(line)
