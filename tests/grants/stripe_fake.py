"""A small fake of Stripe's HTTP API for the real SDK to talk to in tests.

It implements only the endpoints grants/payments.py calls, records every request
with its Idempotency-Key, honours idempotency (same key -> same answer, no second
transfer) and can fail the next N calls: a timeout (the transfer is made but the
answer arrives too late), a dropped connection, or a 500.
"""

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    params: dict
    idempotency_key: str | None


def _nest(pairs) -> dict:
    """Stripe's form encoding (a[b][c]=1) back into nested dicts."""
    result: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


@dataclass
class FakeStripe:
    timeout_sleep: float = 1.5
    requests: list = field(default_factory=list)
    accounts: dict = field(default_factory=dict)
    transfers: dict = field(default_factory=dict)
    idempotent: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    clock: int = 1_767_225_600  # 2026-01-01 UTC; tests move it as they need

    def __post_init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    # Test controls -------------------------------------------------------------

    def fail_next(self, kind: str, times: int = 1) -> None:
        """kind: "timeout" (made, answered too late), "drop" or "500"."""
        with self._lock:
            self.failures.extend([kind] * times)

    def transfer_requests(self) -> list[Recorded]:
        return [
            r for r in self.requests if r.method == "POST" and r.path == "/v1/transfers"
        ]

    def add_account(self, *, enabled: bool = True) -> str:
        """A connected account that finished (or did not finish) onboarding."""
        with self._lock:
            account_id = f"acct_fake{next(self._ids)}"
            self.accounts[account_id] = {
                "id": account_id,
                "object": "account",
                "capabilities": {"transfers": "active" if enabled else "inactive"},
                "requirements": {"currently_due": [], "disabled_reason": None},
                "details_submitted": enabled,
                "payouts_enabled": enabled,
                "livemode": False,
            }
        return account_id

    def add_transfer(self, **values) -> dict:
        """A transfer Stripe has (made by someone, or by us long ago)."""
        with self._lock:
            transfer = self._new_transfer(values)
        return transfer

    def _new_transfer(self, params: dict) -> dict:
        transfer_id = f"tr_fake{next(self._ids)}"
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": int(params["amount"]),
            "amount_reversed": 0,
            "currency": params.get("currency", "usd"),
            "destination": params["destination"],
            "transfer_group": params.get("transfer_group"),
            "metadata": dict(params.get("metadata") or {}),
            "reversed": False,
            "livemode": False,
            "created": int(params.get("created") or self.clock),
        }
        self.transfers[transfer_id] = transfer
        return transfer

    def reverse(self, transfer_id: str) -> None:
        with self._lock:
            transfer = self.transfers[transfer_id]
            transfer["reversed"] = True
            transfer["amount_reversed"] = transfer["amount"]

    # Server --------------------------------------------------------------------

    def start(self) -> "FakeStripe":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, handler, method: str) -> None:
        url = urlsplit(handler.path)
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            raw = handler.rfile.read(length).decode()
        else:
            raw = url.query
        params = _nest(parse_qsl(raw, keep_blank_values=True))
        key = handler.headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append(Recorded(method, url.path, params, key))
            failure = self.failures.pop(0) if self.failures else None
        if failure == "drop":
            handler.close_connection = True
            handler.connection.close()
            return
        if failure == "500":
            self._send(
                handler, 500, {"error": {"type": "api_error", "message": "Boom"}}
            )
            return
        with self._lock:
            status, body = self._answer(method, url.path, params, key)
        if failure == "timeout":
            # The work is done but the answer is lost, as when Stripe is slow.
            time.sleep(self.timeout_sleep)
        try:
            self._send(handler, status, body)
        except OSError:
            pass

    def _send(self, handler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, method, path, params, key):
        if method == "POST" and key:
            stored = self.idempotent.get(key)
            if stored is not None:
                if stored[0] != (path, params):
                    return 400, {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used "
                            "with the same parameters they were first used with.",
                        }
                    }
                return stored[1]
        answer = self._route(method, path, params)
        if method == "POST" and key and answer[0] < 500:
            self.idempotent[key] = ((path, params), answer)
        return answer

    def _route(self, method, path, params):
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v1/accounts":
            account_id = f"acct_fake{next(self._ids)}"
            self.accounts[account_id] = {
                "id": account_id,
                "object": "account",
                "email": params.get("email"),
                "capabilities": {"transfers": "inactive"},
                "requirements": {"currently_due": ["external_account"]},
                "details_submitted": False,
                "payouts_enabled": False,
                "livemode": False,
            }
            return 200, self.accounts[account_id]
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "accounts"]:
            account = self.accounts.get(parts[2])
            return (200, account) if account else self._missing("account", parts[2])
        if method == "POST" and path == "/v1/account_links":
            return 200, {
                "object": "account_link",
                "url": f"https://connect.stripe.test/setup/{params['account']}",
                "created": self.clock,
                "expires_at": self.clock + 300,
            }
        if method == "POST" and path == "/v1/transfers":
            if params.get("destination") not in self.accounts:
                return 400, {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "No such destination.",
                    }
                }
            return 200, self._new_transfer(params)
        if method == "GET" and path == "/v1/transfers":
            return 200, self._list(params)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "transfers"]:
            transfer = self.transfers.get(parts[2])
            return (200, transfer) if transfer else self._missing("transfer", parts[2])
        return 404, {"error": {"type": "invalid_request_error", "message": "No route"}}

    def _missing(self, kind, object_id):
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"No such {kind}: '{object_id}'",
            }
        }

    def _list(self, params):
        items = sorted(
            self.transfers.values(), key=lambda t: (t["created"], t["id"]), reverse=True
        )
        if params.get("transfer_group"):
            items = [
                t for t in items if t["transfer_group"] == params["transfer_group"]
            ]
        created = params.get("created") or {}
        if "gte" in created:
            items = [t for t in items if t["created"] >= int(created["gte"])]
        if "lte" in created:
            items = [t for t in items if t["created"] <= int(created["lte"])]
        if params.get("starting_after"):
            ids = [t["id"] for t in items]
            items = items[ids.index(params["starting_after"]) + 1 :]
        limit = int(params.get("limit") or 10)
        return {
            "object": "list",
            "url": "/v1/transfers",
            "has_more": len(items) > limit,
            "data": items[:limit],
        }


WEBHOOK_SECRET = "whsec_test_current"
PREVIOUS_WEBHOOK_SECRET = "whsec_test_previous"


def point_settings_at(settings, fake: FakeStripe) -> None:
    """Switch Stripe on for a test, talking to the fake."""
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.base_url
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    settings.STRIPE_LIVEMODE = False
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_SECRET_PREVIOUS = ""


def sign(body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """The Stripe-Signature header for body: HMAC-SHA256 over "{t}.{body}"."""
    import hashlib
    import hmac

    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_body(event_id: str, event_type: str, obj: dict, *, livemode=False) -> bytes:
    """A webhook event as Stripe would post it."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "livemode": livemode,
            "created": int(time.time()),
            "data": {"object": obj},
        }
    ).encode()


def approved_stripe_payment(fake: FakeStripe, *, approve: bool = True, payee=None):
    """An accepted $30,000 award whose first $20,000 installment is requested (and,
    unless approve=False, approved) for payment by Stripe to an enabled payee."""
    from datetime import date
    from decimal import Decimal

    from grants import services
    from grants.models import PayeeAccount
    from portal import roles
    from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory

    program = UserFactory(roles=[roles.PROGRAM_STAFF], is_staff=True)
    requester = UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True)
    approver = UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True)
    owner = MembershipFactory(role="owner")
    award = services.create_award(
        actor=program,
        organization=owner.organization,
        funding_round=FundingRoundFactory(),
        amount=Decimal("30000.00"),
        public_title="Peer support for survivors",
        public_summary="Weekly peer support circles led by survivors.",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    services.accept_award(actor=owner.user, award=award, signer_name="Amina Yusuf")
    first, _second = services.set_schedule(
        actor=program,
        award=award,
        installments=[
            {"due_on": date(2027, 1, 15), "amount": Decimal("20000.00")},
            {"due_on": date(2027, 7, 15), "amount": Decimal("10000.00")},
        ],
    )
    PayeeAccount.objects.create(
        organization=owner.organization,
        stripe_account_id=payee or fake.add_account(),
        status=PayeeAccount.Status.ENABLED,
    )
    payment = services.request_disbursement(
        actor=requester, installment=first, method="stripe"
    )
    if approve:
        services.approve_disbursement(actor=approver, disbursement=payment)
        payment.refresh_from_db()
    payment.approver = approver
    return payment


def ensure_log_actions() -> None:
    """Register the Stripe log actions if grants/wagtail_hooks.py does not yet."""
    from wagtail.log_actions import registry

    from grants.services.stripe import LOG_ACTIONS

    for action, label in LOG_ACTIONS.items():
        if not registry.action_exists(action):
            registry.register_action(action, label, label)
