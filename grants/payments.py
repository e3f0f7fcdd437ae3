"""The only module that talks to Stripe (through the official SDK).

Everything else in the project calls these functions and sees only our own
exceptions, so a Stripe outage, a refusal or a missing key each read the same way
everywhere. Amounts cross this boundary as Decimal dollars on our side and integer
cents on Stripe's; never as floats.
"""

import hashlib
import hmac
import json
from contextlib import contextmanager
from decimal import Decimal

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

CENT = Decimal("0.01")


class PaymentError(Exception):
    """Base of every payment problem the rest of the project handles."""


class PaymentsNotConfigured(PaymentError):
    """No Stripe key: the site pays by bank transfer or check only."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "Stripe payments are not set up on this site; the grants team pays "
                "by bank transfer or check."
            )
        )


class PaymentTemporarilyFailed(PaymentError):
    """Stripe could not be reached or answered with a server error: try again."""


class PaymentRefused(PaymentError):
    """Stripe answered and said no (bad request, no permission, not enough funds)."""


class WebhookRefused(PaymentError):
    """A webhook whose signature, timestamp or payload cannot be trusted."""


def is_configured() -> bool:
    """Stripe payments are available only when a secret key is set."""
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    """A Stripe client for our key; our own tasks do the retrying, with our keys."""
    if not is_configured():
        raise PaymentsNotConfigured
    base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=0,
        http_client=stripe.RequestsClient(
            timeout=getattr(settings, "STRIPE_TIMEOUT_SECONDS", 30)
        ),
    )


@contextmanager
def _stripe_errors():
    try:
        yield
    except (
        stripe.APIConnectionError,
        stripe.APIError,
        stripe.RateLimitError,
        # 409: the same idempotency key is still being processed; its outcome is
        # unknown, so it must be retried, never treated as refused.
        stripe.IdempotencyError,
    ) as error:
        raise PaymentTemporarilyFailed(
            _("Stripe could not be reached. We will try again.")
        ) from error
    except stripe.StripeError as error:
        raise PaymentRefused(
            getattr(error, "user_message", None) or str(error) or _("Stripe refused.")
        ) from error


def _plain(obj) -> dict:
    # Callers get plain dicts (with nested dicts), never SDK objects.
    return obj.to_dict()


def to_cents(amount: Decimal) -> int:
    """Whole dollars and cents as an integer number of cents, exactly."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValueError("A positive Decimal amount is required.")
    if amount != amount.quantize(CENT):
        raise ValueError("Amounts are dollars and cents only.")
    return int((amount * 100).to_integral_exact())


def from_cents(cents: int) -> Decimal:
    """Integer cents back to Decimal dollars."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


# Connected accounts ------------------------------------------------------------------


def create_connected_account(
    email: str, country: str = "US", *, idempotency_key: str | None = None
) -> str:
    """Create a connected account that can only receive transfers; return its id."""
    options = {"idempotency_key": idempotency_key} if idempotency_key else {}
    with _stripe_errors():
        account = client().v1.accounts.create(
            params={
                "email": email,
                "country": country,
                "capabilities": {"transfers": {"requested": True}},
                # Express-style: Stripe collects the details and hosts a light
                # dashboard; we never see bank details.
                "controller": {
                    "fees": {"payer": "application"},
                    "losses": {"payments": "application"},
                    "requirement_collection": "stripe",
                    "stripe_dashboard": {"type": "express"},
                },
            },
            options=options,
        )
    return account["id"]


def account_link(account_id: str, refresh_url: str, return_url: str) -> str:
    """A one-time Stripe onboarding link for the account."""
    with _stripe_errors():
        link = client().v1.account_links.create(
            params={
                "account": account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            }
        )
    return link["url"]


def retrieve_account(account_id: str):
    """The account as Stripe has it now."""
    with _stripe_errors():
        return _plain(client().v1.accounts.retrieve(account_id))


def status_of_account(account) -> str:
    """enabled, pending or restricted, from capabilities and requirements."""
    capabilities = account.get("capabilities") or {}
    requirements = account.get("requirements") or {}
    can_receive = capabilities.get("transfers") == "active" or bool(
        account.get("payouts_enabled")
    )
    if can_receive and not requirements.get("disabled_reason"):
        return "enabled"
    if not account.get("details_submitted"):
        return "pending"
    return "restricted"


def account_status(account_id: str) -> str:
    """enabled, pending or restricted for the account, read from Stripe."""
    return status_of_account(retrieve_account(account_id))


# Transfers --------------------------------------------------------------------------


def create_transfer(
    *,
    amount: Decimal,
    destination: str,
    idempotency_key: str,
    transfer_group: str,
    metadata: dict,
    currency: str = "usd",
):
    """Send money to a connected account, exactly once per idempotency key."""
    cents = to_cents(amount)
    with _stripe_errors():
        transfer = client().v1.transfers.create(
            params={
                "amount": cents,
                "currency": currency,
                "destination": destination,
                "transfer_group": transfer_group,
                "metadata": {key: str(value) for key, value in metadata.items()},
            },
            options={"idempotency_key": idempotency_key},
        )
    return _plain(transfer)


def retrieve_transfer(transfer_id: str):
    """The transfer as Stripe has it now."""
    with _stripe_errors():
        return _plain(client().v1.transfers.retrieve(transfer_id))


def find_transfer(*, transfer_group: str, disbursement_id: int):
    """The transfer already made for a disbursement, or None (after Stripe has
    forgotten the idempotency key, 24 hours on)."""
    with _stripe_errors():
        page = client().v1.transfers.list(
            params={"transfer_group": transfer_group, "limit": 100}
        )
        for found in page.auto_paging_iter():
            transfer = _plain(found)
            metadata = transfer.get("metadata") or {}
            if metadata.get("disbursement") == str(disbursement_id):
                return transfer
    return None


def list_transfers(created_gte: int, created_lte: int) -> list:
    """Every transfer created in the window (Unix timestamps), all pages."""
    with _stripe_errors():
        page = client().v1.transfers.list(
            params={
                "created": {"gte": created_gte, "lte": created_lte},
                "limit": 100,
            }
        )
        return [_plain(transfer) for transfer in page.auto_paging_iter()]


# Webhooks ---------------------------------------------------------------------------


def _signatures(header: str) -> tuple[int, list[str]]:
    timestamp = None
    signatures = []
    for part in (header or "").split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as error:
                raise WebhookRefused("Bad timestamp.") from error
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookRefused("Missing timestamp or signature.")
    return timestamp, signatures


def verify_webhook(
    body: bytes, header: str, *, secrets: list[str], now: int, tolerance: int = 300
) -> dict:
    """Check Stripe's signature on the raw body ourselves and decode the event.

    stripe-python accepts timestamps from the future and turns the age check off with
    tolerance 0, so we refuse both old and future timestamps here. Any of the given
    secrets may match: two are accepted while a secret is being rolled.
    """
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        raise WebhookRefused("No webhook secret is configured.")
    if tolerance <= 0:
        raise WebhookRefused("A timestamp window is required.")
    timestamp, signatures = _signatures(header)
    if abs(now - timestamp) > tolerance:
        raise WebhookRefused("Timestamp outside the window.")
    signed = str(timestamp).encode() + b"." + body
    expected = [
        hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        for secret in secrets
    ]
    if not any(
        hmac.compare_digest(good.encode(), given.encode("utf-8", "replace"))
        for good in expected
        for given in signatures
    ):
        raise WebhookRefused("Bad signature.")
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookRefused("Bad payload.") from error
    data = event.get("data") if isinstance(event, dict) else None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
    ):
        raise WebhookRefused("Bad payload.")
    return event
