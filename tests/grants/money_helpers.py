"""Shared set-up for the money tests: awards through the services, the ledger as
rows, audit entries, role groups after a flush and threads released together."""

import importlib
from datetime import date
from decimal import Decimal

from django.utils import timezone

from grants import services
from grants.models import LedgerEntry
from portal import roles
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory

TITLE = "Peer support for survivors"
SUMMARY = "Weekly peer support circles led by survivors."
STARTS, ENDS = date(2027, 1, 1), date(2027, 12, 31)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def finance_user(**values):
    return UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True, **values)


def program_user(**values):
    return UserFactory(roles=[roles.PROGRAM_STAFF], is_staff=True, **values)


def make_round(**values):
    values.setdefault("budget", Decimal("100000.00"))
    values.setdefault("min_award", Decimal("1000.00"))
    values.setdefault("max_award", Decimal("60000.00"))
    return FundingRoundFactory(**values)


def offer(actor, amount="30000.00", funding_round=None, owner=None):
    """An award offered through create_award; returns (award, owner user)."""
    membership = (
        MembershipFactory(role="owner")
        if owner is None
        else owner.memberships.select_related("organization").get(role="owner")
    )
    award = services.create_award(
        actor=actor,
        organization=membership.organization,
        funding_round=funding_round or make_round(),
        amount=Decimal(amount) if isinstance(amount, str) else amount,
        public_title=TITLE,
        public_summary=SUMMARY,
        starts_on=STARTS,
        ends_on=ENDS,
    )
    return award, membership.user


def schedule(actor, award, *amounts):
    """Installments due one month apart, in the order given."""
    return services.set_schedule(
        actor=actor,
        award=award,
        installments=[
            {"due_on": date(2027, 1 + n, 15), "amount": money(a)}
            for n, a in enumerate(amounts)
        ],
    )


def accepted_award(program_staff, amount="30000.00", parts=None, funding_round=None):
    """An accepted award with a schedule; returns (award, installments, owner)."""
    award, owner = offer(program_staff, amount, funding_round)
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    installments = schedule(program_staff, award, *(parts or [amount]))
    award.refresh_from_db()
    return award, installments, owner


def send(requester, approver, installment, reference="ACH 0042"):
    """Request, approve and mark sent: the money has left."""
    payment = services.request_disbursement(
        actor=requester, installment=installment, method="manual_ach"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    services.mark_sent(actor=requester, disbursement=payment, reference=reference)
    payment.refresh_from_db()
    return payment


def pay(requester, approver, installment):
    payment = send(requester, approver, installment)
    services.mark_paid(
        actor=requester, disbursement=payment, paid_on=timezone.localdate()
    )
    payment.refresh_from_db()
    return payment


def ledger_rows():
    """Every ledger row as (pk, account, kind, amount), oldest first."""
    return list(
        LedgerEntry.objects.order_by("pk").values_list(
            "pk", "account", "kind", "amount"
        )
    )


def log_entries(action, instance=None):
    """Wagtail audit log entries with this action (on this object, when given)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    entries = ModelLogEntry.objects.filter(action=action)
    if instance is not None:
        entries = entries.filter(
            content_type=ContentType.objects.get_for_model(
                instance, for_concrete_model=False
            ),
            object_id=str(instance.pk),
        )
    return entries


def ensure_money_roles():
    """Recreate program and finance staff with their money grants.

    A transactional test's flush keeps permissions (post_migrate recreates them) but
    not the role groups and grants written by data migrations, so restore them from
    the very lists migration 0006 grants.
    """
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module(
        "grants.migrations.0006_ledger_append_only_and_roles"
    )
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    for name, perms in (
        (roles.PROGRAM_STAFF, migration.PROGRAM),
        (roles.FINANCE_STAFF, migration.FINANCE),
    ):
        group = Group.objects.get(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )
