"""Daily jobs run by the task worker: retention, report reminders, Stripe checks."""

import io
import logging

from django.core.management import CommandError, call_command
from django_tasks import task

from portal import spreadsheet_exports
from portal.jobs import retried

logger = logging.getLogger(__name__)

# The only commands a queued job may run, and nothing else.
DAILY_COMMANDS = {"purge_expired", "send_report_reminders", "reconcile_stripe"}


@task()
@retried(on=(CommandError, OSError))
def run_daily_command(*, name: str, arguments: list[str]) -> str:
    """Run one of the daily management commands; its summary goes to the log (the
    commands print counts and ids, never names)."""
    if name not in DAILY_COMMANDS:
        raise ValueError(f"{name} is not a daily job")
    output = io.StringIO()
    call_command(name, *arguments, stdout=output)
    summary = " / ".join(output.getvalue().split("\n")).strip(" /")
    logger.info("Daily job %s finished: %s", name, summary)
    return summary


@task()
def build_spreadsheet_export(*, export_id: int) -> None:
    """Make a staff spreadsheet export queued from a listing (see
    ``portal.spreadsheet_exports``). If anything goes wrong it is marked failed, and
    the person's downloads page asks them to ask again from the listing; the job is
    not left for staff to run again, as the person asking again does the same."""
    try:
        spreadsheet_exports.build_spreadsheet_export(export_id=export_id)
    except Exception:
        spreadsheet_exports.mark_spreadsheet_export_failed(export_id=export_id)
        logger.exception("Could not prepare spreadsheet export %s", export_id)
