"""Stripe's webhook: verify on the raw body, store the event once, process later.

This module is also the URLconf portal/urls.py includes at /stripe/webhook/, outside
the language prefixes (portal may not import grants directly).

The answer is short plain text: Stripe only reads the status code, and nothing
about our data belongs in it.
"""

import logging
import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from grants import payments
from grants.models import StripeEvent
from grants.services import record_stripe_event
from portal.audit import log_event

logger = logging.getLogger(__name__)
# Anyone can post here: refusals past this many an hour reach the application log only.
REFUSALS_AUDITED_PER_HOUR = 100


def _refuse(reason: str) -> HttpResponseBadRequest:
    logger.warning("Stripe webhook refused: %s", reason)
    log_event(
        "grants.refuse_stripe_webhook",
        about=StripeEvent,
        data={"reason": reason[:200]},
        per_hour=REFUSALS_AUDITED_PER_HOUR,
    )
    return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Accept a signed Stripe event; duplicates are answered 200 and change nothing."""
    secrets = [
        secret
        for secret in (
            settings.STRIPE_WEBHOOK_SECRET,
            getattr(settings, "STRIPE_WEBHOOK_SECRET_PREVIOUS", ""),
        )
        if secret
    ]
    if not secrets:
        return _refuse("Webhooks are not set up.")
    try:
        event = payments.verify_webhook(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            secrets=secrets,
            now=int(time.time()),
        )
    except payments.WebhookRefused as error:
        return _refuse(str(error))
    record_stripe_event(event=event)
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("", stripe_webhook, name="stripe_webhook")]
