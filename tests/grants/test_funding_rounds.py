"""Program staff create and change funds and rounds through services and the admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from grants.models import FundingRound
from grants.selectors import open_rounds
from grants.services import create_funding_round, update_funding_round
from tests.factories import FundFactory, FundingRoundFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def round_values(**overrides):
    now = timezone.now()
    values = {
        "fund": FundFactory(),
        "title": "2028 Survivor Services Grants",
        "reference_prefix": "R9",
        "budget": Decimal("300000.00"),
        "min_award": Decimal("5000.00"),
        "max_award": Decimal("40000.00"),
        "opens_at": now,
        "closes_at": now + timedelta(days=45),
        "status": FundingRound.Status.DRAFT,
    }
    values.update(overrides)
    return values


def test_program_staff_create_a_round_and_it_is_logged(program_staff):
    funding_round = create_funding_round(actor=program_staff, **round_values())
    assert funding_round.pk
    entry = ModelLogEntry.objects.get(object_id=str(funding_round.pk))
    assert entry.action == "grants.create_funding_round"
    assert entry.user == program_staff


@pytest.mark.parametrize(
    "role", ["finance_officer", "comms_staff", "applicant", "panelist"]
)
def test_other_roles_cannot_create_a_round(request, role):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        create_funding_round(actor=actor, **round_values())
    assert not FundingRound.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": timezone.now() - timedelta(days=1)}, "closes_at"),
        ({"max_award": Decimal("1000.00")}, "max_award"),
        ({"max_award": Decimal("400000.00")}, "max_award"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"min_award": Decimal("0")}, "min_award"),
        ({"budget": Decimal("10.001")}, "budget"),
    ],
)
def test_invalid_rounds_are_refused_and_nothing_is_written(
    program_staff, overrides, field
):
    with pytest.raises(ValidationError) as error:
        create_funding_round(actor=program_staff, **round_values(**overrides))
    assert field in error.value.message_dict
    assert not FundingRound.objects.exists()


def test_update_changes_the_round(program_staff):
    funding_round = FundingRoundFactory()
    new_deadline = funding_round.closes_at + timedelta(days=7)
    update_funding_round(
        actor=program_staff, funding_round=funding_round, closes_at=new_deadline
    )
    funding_round.refresh_from_db()
    assert funding_round.closes_at == new_deadline


def test_phase_follows_dates_and_status():
    now = timezone.now()
    assert FundingRoundFactory().phase(now) == FundingRound.Phase.OPEN
    assert FundingRoundFactory(closed=True).phase(now) == FundingRound.Phase.CLOSED
    assert FundingRoundFactory(upcoming=True).phase(now) == FundingRound.Phase.UPCOMING
    draft = FundingRoundFactory(status=FundingRound.Status.DRAFT)
    assert draft.phase(now) == FundingRound.Phase.NOT_PUBLISHED


def test_deadline_is_exclusive_to_the_second():
    funding_round = FundingRoundFactory()
    assert funding_round.is_open(funding_round.closes_at - timedelta(seconds=1))
    assert not funding_round.is_open(funding_round.closes_at)


def test_open_rounds_lists_only_published_open_rounds():
    open_round = FundingRoundFactory()
    FundingRoundFactory(closed=True)
    FundingRoundFactory(upcoming=True)
    FundingRoundFactory(status=FundingRound.Status.DRAFT)
    assert list(open_rounds()) == [open_round]


def test_program_staff_create_a_round_in_the_admin(client, program_staff):
    login_verified(client, program_staff)
    fund = FundFactory()
    now = timezone.localtime()
    response = client.post(
        "/admin/funding_rounds/new/",
        {
            "fund": fund.pk,
            "title": "2028 Healing Grants",
            "reference_prefix": "R7",
            "budget": "250000.00",
            "min_award": "5000.00",
            "max_award": "25000.00",
            "opens_at": now.strftime("%Y-%m-%d %H:%M"),
            "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
            "status": "published",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    funding_round = FundingRound.objects.get(reference_prefix="R7")
    assert ModelLogEntry.objects.filter(
        object_id=str(funding_round.pk), action="grants.create_funding_round"
    ).exists()


def test_admin_shows_a_clear_error_and_writes_nothing_for_a_bad_deadline(
    client, program_staff
):
    login_verified(client, program_staff)
    fund = FundFactory()
    now = timezone.localtime()
    response = client.post(
        "/admin/funding_rounds/new/",
        {
            "fund": fund.pk,
            "title": "Backwards round",
            "reference_prefix": "R8",
            "budget": "250000.00",
            "min_award": "5000.00",
            "max_award": "25000.00",
            "opens_at": now.strftime("%Y-%m-%d %H:%M"),
            "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            "status": "published",
        },
    )
    assert response.status_code == 200
    assert "The deadline must be after the opening date." in response.content.decode()
    assert not FundingRound.objects.exists()


def test_finance_staff_may_read_rounds_but_not_add_them(client, finance_officer):
    login_verified(client, finance_officer)
    FundingRoundFactory()
    assert client.get("/admin/funding_rounds/").status_code == 200
    response = client.get("/admin/funding_rounds/new/")
    assert response.status_code in (302, 403)
