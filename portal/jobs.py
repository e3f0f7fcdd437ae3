"""Background jobs: retries with a growing wait, and what to do with those that
still fail (the dead-letter list staff see in the admin).

Every email, Stripe call, data export and daily job runs as a task. With
PORTAL_TASKS_BACKEND=database they wait in the database for `manage.py db_worker`
(run one or more). A job that fails for a passing reason (mail server or Stripe not
answering) is queued again, a little later each time; after its last attempt it stays
failed, and staff can run it again or dismiss it.
"""

import functools
import logging
import smtplib
import sys
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from portal.permissions import can_manage_background_jobs

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A mail server that does not answer, or refuses for now.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def enqueue_retry(task_function, attempt: int, **kwargs) -> None:
    """Queue the next attempt, later each time (2, 4, 8... minutes) where the
    backend can wait."""
    retry = task_function
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + timedelta(minutes=2**attempt))
    retry.enqueue(attempt=attempt + 1, **kwargs)


def retried(*, on: tuple, attempts: int = MAX_ATTEMPTS):
    """Put under ``@task()``: errors of the kinds ``on`` queue another attempt
    (keyword ``attempt``) until ``attempts`` is reached; then the error stands and the
    job is left failed for staff to see."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*, attempt: int = 1, **kwargs):
            try:
                return function(**kwargs)
            except on:
                if attempt >= attempts:
                    raise
                logger.warning(
                    "%s failed (attempt %s of %s); trying again later",
                    function.__name__,
                    attempt,
                    attempts,
                )
                task_function = getattr(
                    sys.modules[function.__module__], function.__name__
                )
                enqueue_retry(task_function, attempt, **kwargs)
                return "retrying"

        return wrapper

    return decorate


@transaction.atomic
def retry_failed_job(*, actor, result) -> None:
    """Queue a job that failed every time again, from its first attempt."""
    require_manager(actor)
    job_kwargs = dict(result.args_kwargs.get("kwargs", {}))
    job_kwargs.pop("attempt", None)
    log(instance=result, action="portal.retry_job", user=actor)
    result.task.using(run_after=None).enqueue(
        *result.args_kwargs.get("args", []), **job_kwargs
    )
    result.delete()


@transaction.atomic
def dismiss_failed_job(*, actor, result) -> None:
    """Forget a failed job staff decided not to run again."""
    require_manager(actor)
    log(instance=result, action="portal.dismiss_job", user=actor)
    result.delete()


def require_manager(actor) -> None:
    if not can_manage_background_jobs(actor):
        raise PermissionDenied("manage background jobs")
