"""The demo's money: an accepted award with a schedule, one installment paid, one
waiting for the second finance officer, and a panelist's stipend paid by check.

Written through the same services finance staff and grantees use.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import Application
from grants import services
from grants.models import Stipend

FINANCE = "finance@demo.test"
FINANCE2 = "finance2@demo.test"


def seed_money(*, users: dict, staff) -> None:
    """Payments for the award the demo panel's decision created."""
    application = Application.objects.select_related("award").get(
        title="Survivor-led healing circles"
    )
    award = application.award
    owner = users["applicant@demo.test"]
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    today = timezone.localdate()
    first, second, _third = services.set_schedule(
        actor=staff,
        award=award,
        installments=[
            {
                "due_on": today - timedelta(days=10),
                "amount": Decimal("20000.00"),
                "condition": "Agreement signed",
            },
            {
                "due_on": today + timedelta(days=20),
                "amount": Decimal("12000.00"),
                "condition": "First progress report verified",
            },
            {
                "due_on": today + timedelta(days=200),
                "amount": Decimal("8000.00"),
                "condition": "Final report received",
                "reports_required": 4,
            },
        ],
    )
    finance, finance2 = users[FINANCE], users[FINANCE2]
    paid = services.request_disbursement(
        actor=finance, installment=first, method="manual_ach"
    )
    services.approve_disbursement(actor=finance2, disbursement=paid)
    services.mark_sent(actor=finance, disbursement=paid, reference="ACH 2026-0117")
    services.mark_paid(
        actor=finance, disbursement=paid, paid_on=today - timedelta(days=7)
    )
    # Waiting for the second pair of eyes: Yer (finance2) can approve it in the demo.
    services.request_disbursement(
        actor=finance, installment=second, method="manual_ach"
    )

    stipend = Stipend.objects.filter(panelist=users["chair@demo.test"]).first()
    if stipend is not None:
        payment = services.request_stipend_payment(
            actor=finance, stipend=stipend, method="check"
        )
        services.approve_disbursement(actor=finance2, disbursement=payment)
        services.mark_sent(actor=finance, disbursement=payment, reference="Check 10442")
