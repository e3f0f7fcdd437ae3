"""The only module that talks to Stripe (through the official SDK)."""

from django.conf import settings


def is_configured() -> bool:
    """Stripe payments are available only when a secret key is set."""
    return bool(settings.STRIPE_SECRET_KEY)
