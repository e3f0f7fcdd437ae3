"""Survivor-hiring commitments and progress reports: staff record a commitment, the
grantee reports counts (never people), staff verify or return, reminders go out,
conditional installments wait for verified reports, and the dashboard adds it up."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from grants import services
from grants.models import (
    Disbursement,
    HiringCommitment,
    HiringReport,
    HiringReportEvent,
    ServiceCount,
)
from tests.factories import MembershipFactory
from tests.grants.hiring_helpers import (
    commit,
    commitment_post,
    commitment_values,
    error_fields,
    falls_due,
    first_report,
    live_award,
    member,
    refused,
    report_form,
    report_state,
    report_url,
    submit,
)
from tests.grants.money_helpers import (
    STARTS,
    log_entries,
    make_round,
    money,
    offer,
)
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

SUBMITTED = HiringReport.Status.SUBMITTED


def admin_url(name, obj):
    return reverse(name, args=[obj.pk])


# 1. Commitments -----------------------------------------------------------------------


def test_staff_record_a_commitment_in_the_admin_with_the_wage_floor_by_default(
    client, program_staff
):
    award, _owner = live_award(program_staff)
    url = admin_url("awards:commitment", award)
    login_verified(client, program_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["wage_floor"] == Decimal(
        settings.PORTAL_WAGE_FLOOR
    )
    assert response.context["form"].initial["target_date"] == award.ends_on
    target = award.starts_on + timedelta(days=200)
    post = commitment_post(
        entry_positions="3",
        professional_positions="1",
        board_positions="2",
        wage_floor="19.25",
        target_date=target.isoformat(),
        supports=["peer_support", "mentoring"],
        other_supports="Bus passes",
    )
    assert client.post(url, post).status_code == 302
    commitment = HiringCommitment.objects.get(award=award)
    assert list(commitment.positions().values()) == [3, 1, 1, 2]
    assert commitment.wage_floor == Decimal("19.25")
    assert commitment.target_date == target
    assert commitment.supports == ["peer_support", "mentoring"]
    assert commitment.other_supports == "Bus passes"
    assert commitment.status == HiringCommitment.Status.CONFIRMED
    assert commitment.confirmed_by == program_staff
    assert log_entries("grants.record_commitment", award).get().user == program_staff


def test_a_proposed_commitment_becomes_confirmed_with_staff_changes(
    client, program_staff
):
    award, owner = live_award(program_staff)
    proposed = services.propose_commitment(
        actor=program_staff, award=award, **commitment_values(award)
    )
    assert proposed.status == HiringCommitment.Status.PROPOSED
    client.force_login(owner)
    assert "waiting for the grants team to confirm" in client.get("/portal/").text
    confirmed = commit(program_staff, award, entry_positions=5)
    assert confirmed.pk == proposed.pk
    assert confirmed.status == HiringCommitment.Status.CONFIRMED
    assert confirmed.entry_positions == 5
    assert confirmed.confirmed_by == program_staff
    assert HiringCommitment.objects.count() == 1
    entry = log_entries("grants.record_commitment", award).get()
    assert entry.data == {"changed": ["entry_positions"], "created": False}


BAD_COMMITMENTS = [
    (
        {"entry_positions": 0, "professional_positions": 0, "leadership_positions": 0},
        "__all__",
    ),
    ({"entry_positions": -1}, "entry_positions"),
    ({"wage_floor": "abc"}, "wage_floor"),
    ({"wage_floor": Decimal("0")}, "wage_floor"),
    ({"wage_floor": Decimal("16.375")}, "wage_floor"),
    ({"target_date": STARTS - timedelta(days=1)}, "target_date"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_COMMITMENTS)
def test_a_commitment_that_does_not_add_up_is_refused(program_staff, changes, field):
    award, _owner = offer(program_staff)
    with pytest.raises(ValidationError) as refusal:
        commit(program_staff, award, **changes)
    assert error_fields(refusal.value) == {field}
    assert not HiringCommitment.objects.exists()
    assert not log_entries("grants.record_commitment").exists()


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        (
            {"entry_positions": "0", "leadership_positions": "0"},
            "__all__",
            "Commit to at least one position or seat at any level.",
        ),
        ({"entry_positions": "-2"}, "entry_positions", "greater than or equal to 0"),
        ({"wage_floor": "sixteen"}, "wage_floor", "Enter a number."),
        (
            {"target_date": "2026-12-31"},
            "target_date",
            "Choose a date on or after the grant starts.",
        ),
    ],
)
def test_the_admin_form_shows_commitment_errors_and_writes_nothing(
    client, program_staff, post, field, message
):
    award, _owner = offer(program_staff)
    login_verified(client, program_staff)
    response = client.post(
        admin_url("awards:commitment", award), commitment_post(**post)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text
    assert not HiringCommitment.objects.exists()


@pytest.mark.parametrize("role", ["finance_officer", "panelist"])
def test_only_program_staff_record_commitments_and_schedules(
    client, request, program_staff, role
):
    award, _owner = offer(program_staff)
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        commit(user, award)
    with pytest.raises(PermissionDenied):
        services.schedule_reports(actor=user, award=award, every_months=1)
    login_verified(client, user)
    url = admin_url("awards:commitment", award)
    assert refused(client.get(url))
    assert refused(client.post(url, commitment_post()))
    url = admin_url("awards:report_schedule", award)
    assert refused(client.post(url, {"every_months": "1", "due_days": "30"}))
    assert not HiringCommitment.objects.exists()
    assert not award.hiring_reports.exists()


def test_the_grantee_sees_the_commitment_on_the_portal_and_the_award_page(
    client, program_staff
):
    award, owner = live_award(program_staff)
    commit(program_staff, award)
    client.force_login(owner)
    home = client.get("/portal/").text
    target = date_format(award.ends_on)
    assert f"Survivor-hiring commitment: 4 positions by {target}." in home
    report = first_report(award)
    assert report_url(report) in home
    assert f"Next progress report: due {date_format(report.due_on)}" in home
    page = client.get(reverse("grants:award_detail", args=[award.pk]))
    assert page.context["commitment"].total_positions == 4
    assert "$18.50 an hour" in page.text
    assert "Peer support, Flexible schedules, Bus passes" in page.text


# 2. Schedules -------------------------------------------------------------------------


def test_accepting_an_award_writes_a_quarterly_schedule_over_the_grant(program_staff):
    award, owner = offer(program_staff)
    assert not award.hiring_reports.exists()
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    rows = list(
        award.hiring_reports.values_list(
            "number", "period_start", "period_end", "due_on", "status"
        )
    )
    assert rows == [
        (1, date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 30), "due"),
        (2, date(2027, 4, 1), date(2027, 6, 30), date(2027, 7, 30), "due"),
        (3, date(2027, 7, 1), date(2027, 9, 30), date(2027, 10, 30), "due"),
        (4, date(2027, 10, 1), date(2027, 12, 31), date(2028, 1, 30), "due"),
    ]


def test_changing_to_monthly_keeps_sent_reports_and_replaces_unsent_ones(
    client, program_staff
):
    award, owner = live_award(program_staff)
    sent = submit(owner, first_report(award))
    unsent = set(award.hiring_reports.exclude(pk=sent.pk).values_list("pk", flat=True))
    login_verified(client, program_staff)
    url = admin_url("awards:report_schedule", award)
    response = client.post(url, {"every_months": "1", "due_days": "30"})
    assert response.status_code == 302
    reports = list(award.hiring_reports.order_by("number"))
    assert reports[0].pk == sent.pk
    assert reports[0].status == SUBMITTED
    assert not unsent & {report.pk for report in reports}
    assert [r.number for r in reports] == list(range(1, len(reports) + 1))
    assert reports[1].period_start == sent.period_end + timedelta(days=1)
    for before, after in zip(reports[1:], reports[2:], strict=False):
        assert after.period_start == before.period_end + timedelta(days=1)
        assert (before.period_end - before.period_start).days in range(27, 31)
    assert reports[-1].period_end == award.ends_on
    # Due 30 days after each period, and never sooner than 30 days from today.
    earliest = timezone.localdate() + timedelta(days=30)
    assert all(
        r.due_on == max(r.period_end + timedelta(days=30), earliest)
        for r in reports[1:]
    )
    assert log_entries("grants.schedule_reports", award).get().data == {
        "every_months": 1,
        "due_days": 30,
    }


def test_an_unknown_frequency_is_refused_and_the_schedule_stays(client, program_staff):
    award, _owner = live_award(program_staff)
    before = list(award.hiring_reports.values_list("pk", "period_end", "due_on"))
    with pytest.raises(ValidationError) as refusal:
        services.schedule_reports(actor=program_staff, award=award, every_months=2)
    assert "every_months" in refusal.value.message_dict
    login_verified(client, program_staff)
    response = client.post(
        admin_url("awards:report_schedule", award),
        {"every_months": "2", "due_days": "30"},
    )
    assert response.status_code == 200
    assert "every_months" in response.context["form"].errors
    after = list(award.hiring_reports.values_list("pk", "period_end", "due_on"))
    assert after == before
    assert not log_entries("grants.schedule_reports").exists()


def test_a_new_schedule_still_covers_an_unsent_period_before_a_sent_report(
    program_staff,
):
    award, owner = live_award(program_staff)
    submit(owner, first_report(award, number=2))
    services.schedule_reports(actor=program_staff, award=award, every_months=1)
    reports = list(award.hiring_reports.order_by("number"))
    assert reports[0].period_start == award.starts_on
    assert reports[-1].period_end == award.ends_on
    # The periods follow each other with no gap and no overlap, numbered in order.
    for earlier, later in zip(reports, reports[1:], strict=False):
        assert later.period_start == earlier.period_end + timedelta(days=1)
    assert [r.number for r in reports] == list(range(1, len(reports) + 1))
    sent = award.hiring_reports.get(status=HiringReport.Status.SUBMITTED)
    assert sent.period_end - sent.period_start > timedelta(days=60)  # kept quarterly


# 3. The grantee reports, staff verify, the conditional installment pays ------------


def test_a_report_sent_and_verified_releases_the_installment_that_waits_for_it(
    client, program_staff, finance_officer, django_capture_on_commit_callbacks
):
    award, owner = live_award(program_staff)
    commit(program_staff, award)
    (installment,) = services.set_schedule(
        actor=program_staff,
        award=award,
        installments=[
            {
                "due_on": timezone.localdate(),
                "amount": money("30000.00"),
                "condition": "First progress report verified",
                "reports_required": 1,
            }
        ],
    )
    with pytest.raises(ValidationError) as refusal:
        services.request_disbursement(
            actor=finance_officer, installment=installment, method="manual_ach"
        )
    assert refusal.value.code == "waiting_for_report"
    assert not Disbursement.objects.exists()

    report = first_report(award)
    before = report_state(report)
    client.force_login(owner)
    for text, named in [
        ("Call our coordinator at maria.lopez@example.org", "an email address"),
        ("Call our coordinator on (612) 555-0142", "a phone number"),
    ]:
        response = client.post(report_url(report), report_form(barriers=text))
        assert response.status_code == 200
        errors = response.context["form"].errors["barriers"]
        assert f"This looks like it contains {named}." in errors[0]
        assert named in response.text
        assert report_state(report) == before
        assert not ServiceCount.objects.exists()
        assert not HiringReportEvent.objects.exists()

    response = client.post(
        report_url(report),
        report_form(
            entry_filled=2,
            professional_filled=1,
            at_or_above_wage_floor=3,
            served_case_management=40,
            served_legal=7,
            barriers="Interviews clashed with court dates.",
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == SUBMITTED
    assert report.submitted_by == owner
    assert (report.entry_filled, report.professional_filled) == (2, 1)
    assert report.at_or_above_wage_floor == 3
    assert report.counts()["served"] == {"case_management": 40, "legal": 7}
    assert report.events.get().action == HiringReportEvent.Action.SUBMITTED

    login_verified(client, program_staff)
    inspect = client.get(admin_url("hiring_reports:inspect", report))
    assert inspect.status_code == 200
    assert admin_url("hiring_reports:verify", report) in inspect.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url("hiring_reports:verify", report), {})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == HiringReport.Status.VERIFIED
    assert report.verified_by == program_staff
    assert log_entries("grants.submit_report", award).get().user == owner
    assert log_entries("grants.verify_report", award).get().user == program_staff

    payment = services.request_disbursement(
        actor=finance_officer, installment=installment, method="manual_ach"
    )
    assert payment.status == Disbursement.Status.REQUESTED
    assert payment.amount == money("30000.00")


# 4. Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"entry_filled": "-1"}, "entry_filled", "Enter 0 or more."),
        ({"entry_filled": "2.5"}, "entry_filled", "Enter a whole number, like 0 or 3."),
        ({"served_legal": "abc"}, "served_legal", "Enter a whole number, like 0 or 3."),
        ({"retained_6_months": "1"}, "retained_6_months", "show 0 people hired"),
        (
            {"entry_filled": "1", "at_or_above_wage_floor": "2"},
            "at_or_above_wage_floor",
            "more than the 1 positions filled in this period",
        ),
        (
            {"entry_filled": "3", "retained_6_months": "1", "retained_12_months": "2"},
            "retained_12_months",
            "cannot be more than the 6-month number",
        ),
        (
            {"barriers": "Call our advocate on 612-555-0199 any time"},
            "barriers",
            "a phone number",
        ),
        (
            {"support_needed": "Write to jo.advocate@example.org about it"},
            "support_needed",
            "an email address",
        ),
    ],
)
def test_bad_figures_are_field_errors_and_write_nothing(
    client, program_staff, post, field, message
):
    award, owner = live_award(program_staff)
    commit(program_staff, award)
    report = first_report(award)
    before = report_state(report)
    client.force_login(owner)
    response = client.post(report_url(report), report_form(**post))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert report_state(report) == before
    assert not ServiceCount.objects.exists()


def test_retention_counts_people_hired_in_earlier_reports_too(program_staff):
    award, owner = live_award(program_staff)
    commit(program_staff, award)
    submit(owner, first_report(award), entry_filled=2)
    second = first_report(award, number=2)
    with pytest.raises(ValidationError) as refusal:
        submit(owner, second, retained_6_months=3)
    assert "show 2 people hired" in refusal.value.message_dict["retained_6_months"][0]
    assert report_state(second)[0] == HiringReport.Status.DUE
    assert submit(owner, second, retained_6_months=2).retained_6_months == 2


def test_filling_more_than_committed_needs_an_explanation(client, program_staff):
    award, owner = live_award(program_staff)
    commit(program_staff, award)  # entry 2, professional 1, leadership 1
    submit(owner, first_report(award), entry_filled=2)
    report = first_report(award, number=2)
    before = report_state(report)
    client.force_login(owner)
    post = report_form(entry_filled=1, professional_filled=1)
    response = client.post(report_url(report), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"entry_filled", "over_commitment_explanation"}
    assert (
        "more than the 2 entry level positions committed" in errors["entry_filled"][0]
    )
    assert report_state(report) == before
    post["over_commitment_explanation"] = "A second peer navigator role was funded."
    assert client.post(report_url(report), post).status_code == 302
    report.refresh_from_db()
    assert report.status == SUBMITTED
    assert report.over_commitment_explanation.startswith("A second peer navigator")


def test_a_report_cannot_be_sent_before_its_period_starts(client, program_staff):
    award, owner = live_award(program_staff)
    future = award.hiring_reports.filter(period_start__gt=timezone.localdate())[0]
    before = report_state(future)
    client.force_login(owner)
    response = client.post(report_url(future), report_form(served_legal=2))
    assert response.status_code == 200
    assert "period has not started yet" in response.text
    assert report_state(future) == before
    assert not ServiceCount.objects.exists()


def test_without_a_commitment_hiring_numbers_are_ignored_by_the_form_and_refused(
    client, program_staff
):
    award, owner = live_award(program_staff)
    report = first_report(award)
    with pytest.raises(ValidationError) as refusal:
        submit(owner, report, entry_filled=1)
    assert "no hiring commitment" in refusal.value.message_dict["__all__"][0]
    assert report_state(report)[0] == HiringReport.Status.DUE
    client.force_login(owner)
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Survivor-hiring commitment" not in home.text
    response = client.post(
        report_url(report), report_form(entry_filled=3, served_outreach=12)
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == SUBMITTED
    assert report.total_filled == 0
    assert report.counts()["served"] == {"outreach": 12}


# 5. Return, correct, resend, verify ---------------------------------------------------


def test_a_returned_report_is_corrected_resent_and_verified_with_its_history(
    client, program_staff, django_capture_on_commit_callbacks
):
    award, owner = live_award(program_staff)
    editor = member(award.organization)
    commit(program_staff, award)
    report = submit(owner, first_report(award), entry_filled=2)

    with pytest.raises(ValidationError) as refusal:
        services.return_report(actor=program_staff, report=report, comment="  ")
    assert "comment" in refusal.value.message_dict
    assert report_state(report)[0] == SUBMITTED
    login_verified(client, program_staff)
    return_url = admin_url("hiring_reports:return", report)
    assert client.post(return_url, {"comment": ""}).status_code == 200
    assert report.events.count() == 1

    comment = "Please check the entry-level count against your payroll."
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(return_url, {"comment": comment}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.staff_comment) == ("returned", comment)
    (returned_mail,) = mail.outbox
    assert "a few comments" in returned_mail.subject
    assert returned_mail.to == []
    assert returned_mail.bcc == sorted([owner.email, editor.email])
    assert report_url(report) in returned_mail.body

    client.force_login(owner)
    assert comment in client.get(report_url(report)).text
    response = client.post(report_url(report), report_form(entry_filled=1))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.entry_filled) == (SUBMITTED, 1)

    with django_capture_on_commit_callbacks(execute=True):
        services.verify_report(actor=program_staff, report=report, comment="Thanks")
    assert "verified" in mail.outbox[-1].subject
    assert mail.outbox[-1].bcc == sorted([owner.email, editor.email])
    history = list(report.events.values_list("action", "actor", "counts"))
    assert [(action, actor) for action, actor, _counts in history] == [
        ("submitted", owner.pk),
        ("returned", program_staff.pk),
        ("submitted", owner.pk),
        ("verified", program_staff.pk),
    ]
    assert [counts["entry_filled"] for *_rest, counts in history] == [2, 2, 1, 1]


def test_only_a_sent_report_can_be_verified_or_returned(
    client, program_staff, django_capture_on_commit_callbacks
):
    award, owner = live_award(program_staff)
    report = first_report(award)
    before = report_state(report)
    with pytest.raises(ValidationError) as refusal:
        services.verify_report(actor=program_staff, report=report)
    assert refusal.value.code == "not_submitted"
    login_verified(client, program_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url("hiring_reports:verify", report), {})
    assert response.status_code == 200
    assert "Only a report that was sent" in response.text
    assert report_state(report) == before
    assert mail.outbox == []
    assert not log_entries("grants.verify_report").exists()
    submit(owner, report)
    services.verify_report(actor=program_staff, report=report)
    verified = report_state(report)
    with pytest.raises(ValidationError):
        services.return_report(actor=program_staff, report=report, comment="Again")
    assert report_state(report) == verified


# 6. Who may report, read and verify ---------------------------------------------------


def test_outsiders_and_panelists_get_404_and_write_nothing(
    client, program_staff, panelist
):
    award, _owner = live_award(program_staff)
    report = first_report(award)
    before = report_state(report)
    outsider = MembershipFactory(role="owner").user
    for user in (outsider, panelist):
        login_verified(client, user)
        assert client.get(report_url(report)).status_code == 404
        assert client.post(report_url(report), report_form()).status_code == 404
    other_award, other_owner = live_award(program_staff)
    crossed = reverse("grants:report_detail", args=[other_award.pk, report.pk])
    client.force_login(other_owner)
    assert client.get(crossed).status_code == 404
    assert client.post(crossed, report_form()).status_code == 404
    assert report_state(report) == before


def test_an_editor_sends_a_report_but_not_with_an_unconfirmed_email(
    client, program_staff
):
    award, _owner = live_award(program_staff)
    unconfirmed = member(award.organization, confirmed=False)
    report = first_report(award)
    before = report_state(report)
    client.force_login(unconfirmed)
    page = client.get(report_url(report))
    assert page.context["can_write"] is False
    assert "Please confirm your email address first" in page.text
    assert client.post(report_url(report), report_form()).status_code == 404
    with pytest.raises(PermissionDenied):
        submit(unconfirmed, report)
    assert report_state(report) == before

    editor = member(award.organization, role="editor")
    client.force_login(editor)
    response = client.post(report_url(report), report_form(served_youth=5))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.submitted_by) == (SUBMITTED, editor)


@pytest.mark.parametrize(
    "role", ["applicant", "panelist", "finance_officer", "comms_staff"]
)
def test_people_outside_program_staff_cannot_open_or_verify_reports_in_the_admin(
    client, request, program_staff, role
):
    award, owner = live_award(program_staff)
    report = submit(owner, first_report(award))
    before = report_state(report)
    login_verified(client, request.getfixturevalue(role))
    for name in ("hiring_reports:inspect", "hiring_reports:verify"):
        assert refused(client.get(admin_url(name, report))), name
    assert refused(client.get(reverse("hiring_reports:index")))
    assert refused(client.post(admin_url("hiring_reports:verify", report), {}))
    assert refused(
        client.post(admin_url("hiring_reports:return", report), {"comment": "No"})
    )
    with pytest.raises(PermissionDenied):
        services.verify_report(actor=request.getfixturevalue(role), report=report)
    assert report_state(report) == before


def test_finance_sees_the_verified_count_on_the_award_but_not_the_reports(
    client, program_staff, finance_officer
):
    # Report narratives stay with program staff; finance needs only the number of
    # verified reports an installment waits for, shown on the award.
    award, owner = live_award(program_staff)
    report = submit(owner, first_report(award))
    services.verify_report(actor=program_staff, report=report)
    login_verified(client, finance_officer)
    page = client.get(admin_url("awards:inspect", award))
    assert page.status_code == 200
    assert admin_url("hiring_reports:inspect", report) not in page.text
    assert refused(client.get(admin_url("hiring_reports:inspect", report)))


def test_nobody_verifies_a_report_of_their_own_organization(program_staff):
    award, owner = live_award(program_staff)
    report = submit(owner, first_report(award))
    before = report_state(report)
    MembershipFactory(organization=award.organization, user=program_staff)
    with pytest.raises(PermissionDenied):
        services.verify_report(actor=program_staff, report=report)
    assert report_state(report) == before


def test_a_report_returned_late_gets_time_to_be_corrected(program_staff):
    award, owner = live_award(program_staff)
    report = falls_due(submit(owner, first_report(award)), days_ago=5)
    services.return_report(actor=program_staff, report=report, comment="Please check")
    report.refresh_from_db()
    assert report.due_on >= timezone.localdate() + timedelta(
        days=settings.PORTAL_REPORT_RETURN_DAYS
    )
    assert not HiringReport.objects.overdue(timezone.localdate()).filter(pk=report.pk)


# 7. Reminders -------------------------------------------------------------------------


def test_reminders_go_once_to_due_and_overdue_reports_and_never_to_verified_ones(
    program_staff,
):
    # Report 1 is 80 days overdue and report 2 falls due inside the 14-day
    # reminder window.
    award, owner = live_award(program_staff, started_days_ago=200)
    done, done_owner = live_award(program_staff, started_days_ago=200)
    for number in (1, 2):
        report = submit(done_owner, first_report(done, number=number))
        services.verify_report(actor=program_staff, report=report)
        falls_due(report, days_ago=80)
    today = timezone.localdate()
    overdue = falls_due(first_report(award), days_ago=80)
    soon = first_report(award, number=2)
    soon.due_on = today + timedelta(days=10)
    soon.save(update_fields=["due_on"])
    assert overdue.due_on < today
    assert (
        today
        <= soon.due_on
        <= today + timedelta(days=settings.PORTAL_REPORT_REMINDER_DAYS)
    )

    call_command("send_report_reminders", stdout=io.StringIO())
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == sorted(
        [
            "Your progress report is past its due date: we are here to help",
            f"A progress report is due on {soon.due_on.strftime('%B %-d, %Y')}",
        ]
    )
    assert all(message.bcc == [owner.email] for message in mail.outbox)
    overdue.refresh_from_db()
    soon.refresh_from_db()
    assert overdue.overdue_notice_at is not None
    assert soon.reminded_at is not None
    assert not done.hiring_reports.exclude(
        reminded_at=None, overdue_notice_at=None
    ).exists()

    call_command("send_report_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2


# 8. Dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_committed_against_filled_per_round_and_overdue_reports(
    client, program_staff
):
    funding_round = make_round(title="Survivor Hiring Round 2026")
    award, owner = live_award(program_staff, funding_round=funding_round)
    commit(program_staff, award)  # 2 + 1 + 1 = 4 committed
    verified = submit(owner, first_report(award), entry_filled=2, leadership_filled=1)
    services.verify_report(actor=program_staff, report=verified)
    submit(owner, first_report(award, number=2), professional_filled=1)
    late, _late_owner = live_award(program_staff, started_days_ago=200)
    falls_due(first_report(late), days_ago=40)

    login_verified(client, program_staff)
    response = client.get(reverse("hiring_dashboard"))
    assert response.status_code == 200
    (row,) = [r for r in response.context["rows"] if r["id"] == funding_round.pk]
    assert row["label"] == "Survivor Hiring Round 2026"
    assert (row["committed_total"], row["filled_total"]) == (4, 3)
    assert row["waiting_total"] == 1
    assert row["filled"] == {
        "entry": 2,
        "professional": 0,
        "leadership": 1,
        "board": 0,
    }
    assert "<strong>3 / 4</strong>" in response.text
    assert response.context["overdue"] == [first_report(late)]
    assert late.organization.public_name in response.text


@pytest.mark.parametrize(
    "role", ["applicant", "panelist", "finance_officer", "comms_staff"]
)
def test_the_dashboard_is_refused_outside_staff(client, request, role):
    login_verified(client, request.getfixturevalue(role))
    assert refused(client.get(reverse("hiring_dashboard")))


# 9. Fairness to grantees and schedules that can be met ------------------------------


def test_a_grant_accepted_late_is_never_overdue_at_once(program_staff):
    # The grant started 200 days ago and is accepted today: its past quarters are
    # due 30 days from today, not already late.
    award, _owner = live_award(program_staff, started_days_ago=200)
    today = timezone.localdate()
    past = award.hiring_reports.filter(period_end__lt=today)
    assert past.count() == 2
    assert all(r.due_on == today + timedelta(days=30) for r in past)
    assert not HiringReport.objects.overdue(today).filter(award=award).exists()


def test_a_reminder_queued_before_the_report_was_sent_is_not_sent(program_staff):
    from grants.tasks import send_report_reminder

    award, owner = live_award(program_staff)
    report = falls_due(first_report(award), days_ago=3)
    submit(owner, report)  # sent after the daily run queued its notice
    assert send_report_reminder.call(report_id=report.pk, overdue=True) == 0
    assert mail.outbox == []


def test_an_installment_cannot_wait_for_more_reports_than_are_scheduled(
    program_staff,
):
    award, _owner = live_award(program_staff)
    scheduled = award.hiring_reports.count()
    with pytest.raises(ValidationError) as refusal:
        services.set_schedule(
            actor=program_staff,
            award=award,
            installments=[
                {
                    "due_on": award.ends_on,
                    "amount": award.amount,
                    "condition": "",
                    "reports_required": scheduled + 1,
                }
            ],
        )
    assert refusal.value.code == "reports_required"
    assert not award.installments.exists()
