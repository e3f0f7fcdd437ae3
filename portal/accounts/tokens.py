"""Signed, expiring links for confirming an email address.

A link carries the account number, a fingerprint of the account's current state and
the time it was made, signed with SECRET_KEY. It stops working after three days, when
the state changes (the address is confirmed or changed, the password changes) and
when it has been used once. Links never carry an email address.
"""

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare, salted_hmac

from portal.models import User

LINK_MAX_AGE = timedelta(days=3)
CONFIRM_EMAIL_SALT = "portal.accounts.confirm_email"
CHANGE_EMAIL_SALT = "portal.accounts.change_email"

# ValidationError codes the views turn into kind messages.
EXPIRED = "expired"
USED = "used"
INVALID = "invalid"


def _fingerprint(*parts) -> str:
    return salted_hmac(
        "portal.accounts.tokens", "|".join(str(part) for part in parts)
    ).hexdigest()[:32]


def _confirmation_state(user: User, *, confirmed: bool) -> str:
    return _fingerprint(
        "confirm", user.pk, user.email, "confirmed" if confirmed else "pending"
    )


def _change_state(user: User) -> str:
    return _fingerprint("change", user.pk, user.email, user.password)


def _load(token: str, *, salt: str) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError("This link has expired.", code=EXPIRED) from error
    except signing.BadSignature as error:
        raise ValidationError("This link is not valid.", code=INVALID) from error
    if not isinstance(payload, dict):
        raise ValidationError("This link is not valid.", code=INVALID)
    return payload


def _user(payload: dict) -> User:
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        raise ValidationError("This link is not valid.", code=INVALID)
    return user


def make_confirmation_token(user: User) -> str:
    """A link token that confirms the user's current address once."""
    return signing.dumps(
        {"u": user.pk, "s": _confirmation_state(user, confirmed=False)},
        salt=CONFIRM_EMAIL_SALT,
    )


def read_confirmation_token(token: str) -> User:
    """The account a confirmation link belongs to, or ValidationError saying why not."""
    payload = _load(token, salt=CONFIRM_EMAIL_SALT)
    user = _user(payload)
    state = str(payload.get("s", ""))
    if user.email_confirmed_at is None and constant_time_compare(
        state, _confirmation_state(user, confirmed=False)
    ):
        return user
    if user.email_confirmed_at is not None and constant_time_compare(
        state, _confirmation_state(user, confirmed=False)
    ):
        raise ValidationError("This link has already been used.", code=USED)
    raise ValidationError("This link is not valid.", code=INVALID)


def make_email_change_token(user: User, *, pending_key: str) -> str:
    """A link token that applies one pending change of address for the user."""
    return signing.dumps(
        {"u": user.pk, "k": pending_key, "s": _change_state(user)},
        salt=CHANGE_EMAIL_SALT,
    )


def read_email_change_token(token: str) -> tuple[User, str]:
    """The account and pending-change key of a change link, or ValidationError."""
    payload = _load(token, salt=CHANGE_EMAIL_SALT)
    user = _user(payload)
    if not constant_time_compare(str(payload.get("s", "")), _change_state(user)):
        raise ValidationError("This link is not valid.", code=INVALID)
    return user, str(payload.get("k", ""))
