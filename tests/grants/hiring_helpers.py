"""Set-up for the survivor-hiring tests: live awards through the services, report
form data, and a snapshot of what a report holds (to prove a refusal wrote nothing)."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import COUNT_FIELDS, HiringCommitment, ServiceType
from tests.factories import MembershipFactory
from tests.grants.money_helpers import SUMMARY, TITLE, make_round

SUPPORTS = [
    HiringCommitment.Support.PEER_SUPPORT.value,
    HiringCommitment.Support.FLEXIBLE_SCHEDULES.value,
]


def confirm_email(user):
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    return user


def member(organization, role="editor", *, confirmed=True):
    """A member of the organization, with or without a confirmed email address."""
    user = MembershipFactory(organization=organization, role=role).user
    return confirm_email(user) if confirmed else user


def live_award(program_staff, *, started_days_ago=100, funding_round=None):
    """An accepted award that started ``started_days_ago`` and runs a year, so its
    first reports' periods have begun. Returns (award, owner with confirmed email)."""
    starts = timezone.localdate() - timedelta(days=started_days_ago)
    owner = confirm_email(MembershipFactory(role="owner").user)
    award = services.create_award(
        actor=program_staff,
        organization=owner.memberships.get().organization,
        funding_round=funding_round or make_round(),
        amount=Decimal("30000.00"),
        public_title=TITLE,
        public_summary=SUMMARY,
        starts_on=starts,
        ends_on=starts + timedelta(days=364),
    )
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    return award, owner


def commitment_values(award, **changes) -> dict:
    """Entry 2, professional 1, leadership 1, board 0 at $18.50 by the award's end."""
    return {
        "entry_positions": 2,
        "professional_positions": 1,
        "leadership_positions": 1,
        "board_positions": 0,
        "wage_floor": Decimal("18.50"),
        "target_date": award.ends_on,
        "supports": list(SUPPORTS),
        "other_supports": "Bus passes",
        **changes,
    }


def commitment_post(**changes) -> dict:
    """POST data for the staff commitment form in the admin."""
    return {
        "entry_positions": "1",
        "professional_positions": "0",
        "leadership_positions": "1",
        "board_positions": "0",
        "wage_floor": "16.37",
        "target_date": "2027-06-30",
        **changes,
    }


def commit(program_staff, award, **changes) -> HiringCommitment:
    return services.record_commitment(
        actor=program_staff, award=award, **commitment_values(award, **changes)
    )


def first_report(award, number=1):
    return award.hiring_reports.get(number=number)


def submit(actor, report, *, served=None, narrative=None, **counts):
    """Send a report through the service (counts default to 0)."""
    return services.submit_report(
        actor=actor,
        report=report,
        counts=counts,
        served=served or {},
        narrative=narrative or {},
    )


def report_form(**values) -> dict:
    """POST data for the grantee's report form: every count 0 unless given."""
    data = dict.fromkeys(COUNT_FIELDS, "0")
    data.update({f"served_{value}": "0" for value in ServiceType.values})
    data.update(over_commitment_explanation="", barriers="", support_needed="")
    data.update({name: str(value) for name, value in values.items()})
    return data


def report_url(report) -> str:
    return reverse("grants:report_detail", args=[report.award_id, report.pk])


def report_state(report) -> tuple:
    """Everything a submission, return or verification writes on a report."""
    report.refresh_from_db()
    return (
        report.status,
        report.counts(),
        report.barriers,
        report.submitted_by_id,
        report.verified_by_id,
        report.staff_comment,
        list(report.events.values_list("action", flat=True)),
    )


def error_fields(error) -> set:
    """The fields a service's ValidationError names ("__all__" when none)."""
    return set(getattr(error, "error_dict", {"__all__": None}))


def refused(response) -> bool:
    """Admin convention: staff without the right get 404 (or 403); people without
    admin access are sent to sign in or to the dashboard."""
    if response.status_code == 302:
        location = response["Location"]
        return location == "/admin/" or location.startswith("/admin/login/")
    return response.status_code in (403, 404)


def falls_due(report, *, days_ago: int):
    """Time passes: the report's due date is now ``days_ago`` days behind us.

    Schedules never set a due date in the past (a grant accepted late gets time to
    report), so a test that needs a late report moves the calendar this way.
    """
    report.due_on = timezone.localdate() - timedelta(days=days_ago)
    report.save(update_fields=["due_on"])
    return report
