"""Queue the daily jobs for the task worker. Run once a day from cron, e.g.

    30 2 * * * python manage.py enqueue_daily_jobs

Running it again the same day queues nothing more (the shared cache remembers), so
two hosts may both run it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.tasks import run_daily_command


def daily_jobs(today) -> list[tuple[str, list[str]]]:
    jobs = [("purge_expired", []), ("send_report_reminders", [])]
    if settings.STRIPE_SECRET_KEY:
        # Stripe events can arrive late: look back a few days.
        since = (today - timedelta(days=3)).isoformat()
        jobs.append(("reconcile_stripe", ["--since", since, "--fix"]))
    return jobs


class Command(BaseCommand):
    help = "Queue today's retention, report reminder and Stripe reconciliation jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--again", action="store_true", help="queue them even if already queued"
        )

    def handle(self, *args, again=False, **options):
        today = timezone.localdate()
        key = f"portal:daily-jobs:{today.isoformat()}"
        if not cache.add(key, 1, timeout=2 * 24 * 3600) and not again:
            self.stdout.write("Today's jobs are already queued.")
            return
        for name, arguments in daily_jobs(today):
            run_daily_command.enqueue(name=name, arguments=arguments)
            self.stdout.write(f"Queued {name}")
