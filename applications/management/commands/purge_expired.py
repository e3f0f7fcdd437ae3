"""Remove or pseudonymise personal data past its retention period.

Run once a day (cron or a scheduler). The periods are PORTAL_RETAIN_* settings; the
summary says what changed, by kind, and names nobody.
"""

from django.core.management.base import BaseCommand

from applications.services.privacy import purge_expired


def summary_lines(changes) -> list[str]:
    if not changes:
        return ["Nothing was due."]
    return [f"{kind}: {count}" for kind, count in sorted(changes.items())]


class Command(BaseCommand):
    help = "Delete or pseudonymise what is past its retention period, files included."

    def handle(self, *args, **options):
        changes = purge_expired()
        for line in summary_lines(changes):
            self.stdout.write(line)
