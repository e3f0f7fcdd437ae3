"""Background jobs: passing failures are tried again later; the daily jobs are queued
once a day; jobs that failed every time wait for staff to run again or dismiss."""

import smtplib
from io import StringIO

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from applications.tasks import send_review_assignment_email
from portal.jobs import MAX_ATTEMPTS
from portal.tasks import run_daily_command
from tests.factories import UserFactory
from tests.grants.money_helpers import log_entries
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

TASK_PATH = "applications.tasks.send_review_assignment_email"


def test_a_mail_server_that_does_not_answer_is_tried_again_then_left_failed(
    monkeypatch, panelist
):
    tries = []

    def refuse(message):
        tries.append(message.to)
        raise smtplib.SMTPServerDisconnected("no answer")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    result = send_review_assignment_email.enqueue(panelist_id=panelist.pk, count=2)
    assert len(tries) == MAX_ATTEMPTS
    # Each attempt queued the next; the last one failed for good.
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "retrying"


def test_a_passing_failure_then_success_sends_once(monkeypatch, panelist, mailoutbox):
    original = EmailMultiAlternatives.send
    tries = []

    def flaky(message):
        tries.append(1)
        if len(tries) < 3:
            raise smtplib.SMTPServerDisconnected("no answer")
        return original(message)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    send_review_assignment_email.enqueue(panelist_id=panelist.pk, count=1)
    assert len(tries) == 3
    assert len(mailoutbox) == 1


def test_the_daily_jobs_are_queued_once_a_day(settings):
    settings.STRIPE_SECRET_KEY = ""
    first, second = StringIO(), StringIO()
    call_command("enqueue_daily_jobs", stdout=first)
    call_command("enqueue_daily_jobs", stdout=second)
    assert "Queued purge_expired" in first.getvalue()
    assert "Queued send_report_reminders" in first.getvalue()
    assert "reconcile_stripe" not in first.getvalue()
    assert second.getvalue().strip() == "Today's jobs are already queued."


def test_a_queued_job_runs_only_the_daily_commands():
    assert run_daily_command.call(name="purge_expired", arguments=[]) == (
        "Nothing was due."
    )
    with pytest.raises(ValueError, match="not a daily job"):
        run_daily_command.call(name="flush", arguments=["--noinput"])


def failed_job(**kwargs) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        task_path=TASK_PATH,
        args_kwargs={"args": [], "kwargs": {**kwargs, "attempt": MAX_ATTEMPTS}},
        queue_name="default",
        backend_name="default",
        run_after=get_date_max(),
        finished_at=timezone.now(),
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback: secret@example.org refused",
    )


@pytest.mark.parametrize("who", ["program_staff", "finance_officer"])
def test_staff_see_failed_jobs_without_their_tracebacks(client, request, who):
    panelist = UserFactory()
    failed_job(panelist_id=panelist.pk, count=2)
    login_verified(client, request.getfixturevalue(who))
    page = client.get("/admin/jobs/failed/")
    assert page.status_code == 200
    assert "Send review assignment email" in page.text
    assert f"panelist_id {panelist.pk}" in page.text
    assert "SMTPServerDisconnected" in page.text
    assert "secret@example.org" not in page.text


def test_staff_run_a_failed_job_again(client, program_staff, mailoutbox):
    panelist = UserFactory()
    job = failed_job(panelist_id=panelist.pk, count=2)
    login_verified(client, program_staff)
    response = client.post(
        "/admin/jobs/failed/", {"job": str(job.pk), "action": "retry"}, follow=True
    )
    assert "The job was queued again." in response.text
    assert [message.to for message in mailoutbox] == [[panelist.email]]
    assert not DBTaskResult.objects.filter(pk=job.pk).exists()
    assert log_entries("portal.retry_job").get().user == program_staff


def test_staff_dismiss_a_failed_job(client, finance_officer, mailoutbox):
    job = failed_job(panelist_id=UserFactory().pk, count=1)
    login_verified(client, finance_officer)
    client.post("/admin/jobs/failed/", {"job": str(job.pk), "action": "dismiss"})
    assert not DBTaskResult.objects.filter(pk=job.pk).exists()
    assert mailoutbox == []
    assert log_entries("portal.dismiss_job").exists()


@pytest.mark.parametrize("who", ["comms_staff", "panelist", "applicant"])
def test_others_cannot_see_or_touch_failed_jobs(client, request, who):
    job = failed_job(panelist_id=UserFactory().pk, count=1)
    login_verified(client, request.getfixturevalue(who))
    assert client.get("/admin/jobs/failed/").status_code in (302, 404)
    client.post("/admin/jobs/failed/", {"job": str(job.pk), "action": "dismiss"})
    assert DBTaskResult.objects.filter(pk=job.pk).exists()
