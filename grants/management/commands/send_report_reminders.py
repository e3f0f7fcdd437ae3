"""Queue reminders for progress reports due soon and notices for overdue ones.

Run once a day (cron or a scheduler). Each report gets at most one reminder and one
overdue notice, however often this runs.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from grants.services.hiring import reports_to_remind
from grants.tasks import send_report_reminder


class Command(BaseCommand):
    help = "Email grantees about progress reports due soon or overdue."

    def handle(self, *args, **options):
        due_soon, overdue = reports_to_remind(timezone.localdate())
        soon_ids = list(due_soon.values_list("pk", flat=True))
        overdue_ids = list(overdue.values_list("pk", flat=True))
        for report_id in soon_ids:
            send_report_reminder.enqueue(report_id=report_id, overdue=False)
        for report_id in overdue_ids:
            send_report_reminder.enqueue(report_id=report_id, overdue=True)
        self.stdout.write(
            f"Queued {len(soon_ids)} reminder(s) and {len(overdue_ids)} overdue "
            "notice(s)."
        )
