"""Compare our Stripe payments with Stripe's transfers for a date range.

Scheduled daily in production (cron or a systemd timer), looking back a few days
because Stripe events can arrive late:

    python manage.py reconcile_stripe --since "$(date -d '3 days ago' +%F)" --fix

With ``--fix`` only legal forward moves are applied, through the same services the
webhook uses; ledger rows are never edited (corrections are new entries). Anything
that cannot be fixed forward is flagged on the payment for finance.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from grants import payments, services
from grants.models import Disbursement
from grants.services import stripe as stripe_services

Status = Disbursement.Status
CHECKED = [Status.APPROVED, Status.SENT, Status.PAID, Status.REVERSED, Status.FAILED]


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Dates are YYYY-MM-DD, not {value!r}.") from error


def _expected(disbursement: Disbursement, transfer) -> str:
    """What our status should become given Stripe's transfer (or "" when in step)."""
    if transfer.get("reversed"):
        return "" if disbursement.status == Status.REVERSED else Status.REVERSED
    if disbursement.status == Status.PAID:
        return ""
    return Status.PAID


class Command(BaseCommand):
    help = "Compare Stripe disbursements with Stripe transfers; --fix moves forward."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--until", help="Last day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Apply legal forward transitions and flag the rest for finance.",
        )

    def handle(self, *args, since, until=None, fix=False, **options):
        if not payments.is_configured():
            raise CommandError(str(payments.PaymentsNotConfigured()))
        first = _day(since)
        last = _day(until) if until else timezone.localdate()
        if last < first:
            raise CommandError("--until must not be before --since.")
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        try:
            transfers = payments.list_transfers(
                int(start.timestamp()), int(end.timestamp()) - 1
            )
        except payments.PaymentError as error:
            raise CommandError(f"Stripe could not list transfers: {error}") from error

        self.fix = fix
        self.problems = 0
        self.fixed = 0
        self.stdout.write(
            f"Reconciling Stripe transfers from {first} to {last}"
            f"{' (fixing forward)' if fix else ''}."
        )
        seen = set()
        for transfer in transfers:
            disbursement = stripe_services.disbursement_for_transfer(transfer)
            if disbursement is None:
                self._report(
                    "UNKNOWN",
                    f"Stripe transfer {transfer['id']} of "
                    f"${payments.from_cents(transfer.get('amount') or 0)} "
                    f"(group {transfer.get('transfer_group') or '-'}) "
                    "is not one of our payments.",
                )
                continue
            seen.add(disbursement.pk)
            self._compare(disbursement, transfer)

        ours = Disbursement.objects.filter(
            Q(sent_at__gte=start, sent_at__lt=end)
            | Q(approved_at__gte=start, approved_at__lt=end),
            method=Disbursement.Method.STRIPE,
            status__in=CHECKED,
        ).exclude(pk__in=seen)
        for disbursement in ours.order_by("pk"):
            self._check_without_listing(disbursement)

        if self.problems:
            self.stdout.write(
                f"{self.problems} difference(s) found, {self.fixed} fixed forward."
            )
        else:
            self.stdout.write(self.style.SUCCESS("No differences."))

    def _report(self, kind: str, text: str) -> None:
        self.problems += 1
        self.stdout.write(f"{kind:9} {text}")

    def _check_without_listing(self, disbursement: Disbursement) -> None:
        """A payment of ours whose transfer was not in Stripe's list for the range."""
        transfer = None
        if disbursement.external_id:
            try:
                transfer = payments.retrieve_transfer(disbursement.external_id)
            except payments.PaymentRefused:
                transfer = None
        if transfer is None and disbursement.status == Status.APPROVED:
            return  # not sent yet, and Stripe has nothing: in step
        if transfer is None and disbursement.status == Status.FAILED:
            return  # refused before sending: in step
        if transfer is None:
            text = (
                f"Disbursement {disbursement.pk} is {disbursement.status} "
                f"(${disbursement.amount}, transfer "
                f"{disbursement.external_id or 'none'}) but Stripe has no such "
                "transfer."
            )
            self._report("MISSING", text)
            if self.fix:
                services.flag_disbursement(disbursement_id=disbursement.pk, text=text)
            return
        self._compare(disbursement, transfer)

    def _compare(self, disbursement: Disbursement, transfer) -> None:
        theirs = transfer.get("amount")
        if theirs != payments.to_cents(disbursement.amount):
            text = (
                f"Disbursement {disbursement.pk} is ${disbursement.amount} but Stripe "
                f"transfer {transfer['id']} is "
                f"${payments.from_cents(theirs or 0)}."
            )
            self._report("AMOUNT", text)
            if self.fix:
                services.flag_disbursement(disbursement_id=disbursement.pk, text=text)
            return
        payee = stripe_services.payee_for(disbursement)
        if payee is None or transfer.get("destination") != payee.stripe_account_id:
            text = (
                f"Stripe transfer {transfer['id']} for disbursement {disbursement.pk} "
                "went to an account that is not its payee."
            )
            self._report("PAYEE", text)
            if self.fix:
                services.flag_disbursement(disbursement_id=disbursement.pk, text=text)
            return
        expected = _expected(disbursement, transfer)
        if not expected:
            return
        self._report(
            "STATUS",
            f"Disbursement {disbursement.pk} is {disbursement.status}; Stripe "
            f"transfer {transfer['id']} says {expected}.",
        )
        if self.fix:
            outcome = services.apply_transfer_state(
                disbursement=disbursement, transfer=transfer
            )
            disbursement.refresh_from_db()
            if disbursement.status == expected:
                self.fixed += 1
            self.stdout.write(f"          -> {outcome}")
