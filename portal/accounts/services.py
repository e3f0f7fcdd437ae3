"""Account actions: sign up, confirm and change an address, set up a second factor.

Every action that changes an account writes an entry in Wagtail's audit log against
the user (whose label is "User <pk>", never an address). Emails leave only after the
transaction commits.
"""

import hashlib
import secrets
from functools import partial
from importlib import import_module

from axes.utils import reset as reset_failed_attempts
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from portal import roles
from portal.accounts import emails, tokens
from portal.accounts.selectors import authenticator_for
from portal.models import User
from portal.permissions import can_end_sessions

BACKUP_CODE_COUNT = 10
# One notice per address and kind in this window, so nobody can flood an inbox by
# repeating a form.
NOTICE_INTERVAL_SECONDS = 10 * 60
PENDING_EMAIL_KEY = "portal.accounts.pending_email"

# ValidationError codes the views turn into kind messages.
EMAIL_TAKEN = "email_taken"
THROTTLED = "throttled"
WRONG_CODE = "wrong_code"


def _email_taken_error() -> ValidationError:
    return ValidationError(
        {
            "email": ValidationError(
                "An account with this address exists.", code=EMAIL_TAKEN
            )
        }
    )


def is_email_taken_error(error: ValidationError) -> bool:
    """True when a ValidationError says the address already has an account."""
    errors = getattr(error, "error_dict", {}).get("email", [])
    return any(item.code == EMAIL_TAKEN for item in errors)


def concrete_user(user) -> User:
    """The User behind request.user.

    request.user is a lazy object inside a lazy object (Django's and django-otp's
    middleware). Wagtail's log() unwraps only one level and silently writes nothing
    for anything else, so audit entries are written against the real instance.
    """
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def audit(user, action: str, **kwargs) -> None:
    """Write an entry in Wagtail's audit log against an account, by that person."""
    user = concrete_user(user)
    log(instance=user, action=action, user=user, **kwargs)


def normalize_email(email: str) -> str:
    """Addresses are stored and compared in lower case."""
    return User.objects.normalize_email(email.strip()).lower()


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _first_notice_in_window(kind: str, email: str) -> bool:
    digest = hashlib.sha256(f"{kind}:{email}".encode()).hexdigest()
    return cache.add(f"accounts:notice:{digest}", 1, NOTICE_INTERVAL_SECONDS)


def _send_confirmation(user: User) -> None:
    link = emails.absolute_url(
        reverse(
            "accounts:confirm_email",
            kwargs={"token": tokens.make_confirmation_token(user)},
        )
    )
    transaction.on_commit(
        partial(
            emails.send_confirmation_link,
            to=user.email,
            link=link,
            language=_language(),
        )
    )


def _new_account(*, email: str, password: str, first_name: str, role: str, **values):
    user = User(email=normalize_email(email), first_name=first_name.strip(), **values)
    # Hash before looking the address up, so both outcomes take as long.
    user.set_password(password)
    if User.objects.filter(email__iexact=user.email).exists():
        raise _email_taken_error()
    user.full_clean(exclude=["password"], validate_unique=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # another sign-up with this address just won
        raise _email_taken_error() from error
    user.groups.add(Group.objects.get(name=role))
    audit(user, "accounts.signup")
    return user


@transaction.atomic
def register_applicant(*, email: str, password: str, first_name: str) -> User:
    """Create an unconfirmed applicant account and send its confirmation link.

    Raises:
        ValidationError: with code "email_taken" when the address has an account.
    """
    user = _new_account(
        email=email, password=password, first_name=first_name, role=roles.APPLICANTS
    )
    _send_confirmation(user)
    return user


@transaction.atomic
def create_invited_account(
    *, email: str, password: str, first_name: str, role: str
) -> User:
    """Create a confirmed account for someone who followed an emailed invitation.

    The invitation link reached this address, which proves it as well as a
    confirmation link would.

    Raises:
        ValidationError: with code "email_taken" when the address has an account.
    """
    return _new_account(
        email=email,
        password=password,
        first_name=first_name,
        role=role,
        email_confirmed_at=timezone.now(),
    )


def sign_up(*, email: str, password: str, first_name: str) -> None:
    """Register an applicant, or quietly tell the owner of an address already in use.

    Both outcomes look the same to the person signing up, so the form cannot be used
    to find out who has an account.
    """
    try:
        register_applicant(email=email, password=password, first_name=first_name)
    except ValidationError as error:
        if not is_email_taken_error(error):
            raise
        address = normalize_email(email)
        if _first_notice_in_window("existing_account", address):
            transaction.on_commit(
                partial(
                    emails.send_existing_account_notice,
                    to=address,
                    language=_language(),
                )
            )


def resend_confirmation(*, email: str) -> None:
    """Send a fresh confirmation link when the address has an unconfirmed account."""
    address = normalize_email(email)
    user = User.objects.filter(
        email__iexact=address, is_active=True, email_confirmed_at__isnull=True
    ).first()
    if user is not None and _first_notice_in_window("confirm_email", address):
        _send_confirmation(user)


@transaction.atomic
def confirm_email(*, token: str) -> User:
    """Mark an address confirmed when its link is genuine, unused and recent.

    Raises:
        ValidationError: code "expired", "used" or "invalid" (see tokens).
    """
    user = tokens.read_confirmation_token(token)
    User.objects.select_for_update().get(pk=user.pk)
    user = tokens.read_confirmation_token(token)  # again, under the row lock
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    audit(user, "accounts.confirm_email")
    return user


# A new address waits server-side until its owner confirms it: in the session store
# (database by default), under a random key, expiring with the link and deleted on
# use. The link carries only that key, so the address never appears in a URL.
def _session_store(key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


def _save_pending_email(user: User, email: str) -> str:
    store = _session_store()
    store[PENDING_EMAIL_KEY] = {"user": user.pk, "email": email}
    store.set_expiry(int(tokens.LINK_MAX_AGE.total_seconds()))
    store.create()
    return store.session_key


@transaction.atomic
def request_email_change(*, actor: User, new_email: str) -> None:
    """Send a link to the new address; the account switches only once it is followed.

    The caller has checked the current password. When the new address already has
    an account, its owner gets a notice instead, and the caller sees no difference.
    """
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("accounts.change_email")
    address = normalize_email(new_email)
    if address == actor.email:
        raise ValidationError(
            {"new_email": _("This is already the address on your account.")},
            code="unchanged",
        )
    audit(actor, "accounts.request_email_change")
    if User.objects.filter(email__iexact=address).exists():
        if _first_notice_in_window("address_in_use", address):
            transaction.on_commit(
                partial(
                    emails.send_address_in_use_notice,
                    to=address,
                    language=_language(),
                )
            )
        return
    pending_key = _save_pending_email(actor, address)
    link = emails.absolute_url(
        reverse(
            "accounts:confirm_email_change",
            kwargs={
                "token": tokens.make_email_change_token(actor, pending_key=pending_key)
            },
        )
    )
    transaction.on_commit(
        partial(
            emails.send_email_change_link, to=address, link=link, language=_language()
        )
    )


@transaction.atomic
def confirm_email_change(*, token: str) -> User:
    """Switch the account to the new address its owner just confirmed.

    Raises:
        ValidationError: code "expired" or "invalid", or "email_taken" when someone
        else registered the address in the meantime.
    """
    user, _key = tokens.read_email_change_token(token)
    User.objects.select_for_update().get(pk=user.pk)
    user, pending_key = tokens.read_email_change_token(token)  # under the row lock
    store = _session_store(pending_key) if pending_key else None
    pending = store.get(PENDING_EMAIL_KEY) if store is not None else None
    if not pending or pending.get("user") != user.pk:
        raise ValidationError("This link is not valid.", code=tokens.INVALID)
    address = pending["email"]
    if User.objects.filter(email__iexact=address).exclude(pk=user.pk).exists():
        raise ValidationError(
            "Another account uses this address now.", code=EMAIL_TAKEN
        )
    old_address = user.email
    user.email = address
    user.email_confirmed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email", "email_confirmed_at"])
    store.delete()
    audit(user, "accounts.change_email")
    transaction.on_commit(
        partial(emails.send_email_changed_notice, to=old_address, language=_language())
    )
    return user


def record_password_reset(*, user: User) -> None:
    """Audit a password reset and lift sign-in pauses for the account.

    Following the reset link proves the person holds the address, so earlier
    failed attempts should not keep them out.
    """
    reset_failed_attempts(username=user.email)
    audit(user, "accounts.reset_password")


def record_password_change(*, actor: User) -> None:
    """Audit a password change made by a signed-in person."""
    audit(actor, "accounts.change_password")


@transaction.atomic
def start_two_factor_setup(*, actor: User) -> TOTPDevice:
    """The unconfirmed authenticator the person is setting up (made on first visit)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("accounts.enable_two_factor")
    device = (
        TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
    )
    if device is None:
        device = TOTPDevice(user=actor, name="Authenticator app", confirmed=False)
        device.full_clean()
        device.save()
    return device


def _check_code(device, code: str) -> bool:
    """Verify a code and keep the failure count even when the caller raises."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise ValidationError(
                "Too many codes did not match just now.", code=THROTTLED
            )
        return device.verify_token(code)


def _new_backup_codes(actor: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=actor, defaults={"name": "Backup codes", "confirmed": True}
    )
    device.token_set.all().delete()
    device.throttle_reset()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def enable_two_factor(*, actor: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code from it and issue fresh backup codes.

    Returns the backup codes, which are shown to the person once.

    Raises:
        ValidationError: code "wrong_code" or "throttled".
    """
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied("accounts.enable_two_factor")
    # The check commits on its own: a failed attempt must count even though the
    # caller turns it into an error.
    if not _check_code(device, normalize_code(code)):
        raise ValidationError("That code did not match.", code=WRONG_CODE)
    with transaction.atomic():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(actor)
        end_sessions(actor)
        audit(actor, "accounts.enable_two_factor")
    return codes


@transaction.atomic
def regenerate_backup_codes(*, actor: User) -> list[str]:
    """Replace every backup code; the old ones stop working at once."""
    if authenticator_for(actor) is None:
        raise PermissionDenied("accounts.regenerate_backup_codes")
    codes = _new_backup_codes(actor)
    end_sessions(actor)
    audit(actor, "accounts.regenerate_backup_codes")
    return codes


def end_sessions(user: User) -> None:
    """Sign the person out everywhere: every session's check stops matching.

    A view acting for the person keeps its own session with Django's
    ``update_session_auth_hash(request, user)`` afterwards.
    """
    user.session_stamp = secrets.token_hex(16)
    user.save(update_fields=["session_stamp"])


@transaction.atomic
def end_all_sessions(*, actor: User, user: User) -> None:
    """An administrator signs someone out on every device (a lost phone, a worry)."""
    if not can_end_sessions(actor):
        raise PermissionDenied("accounts.end_all_sessions")
    end_sessions(User.objects.select_for_update().get(pk=user.pk))
    log(instance=user, action="accounts.end_all_sessions", user=concrete_user(actor))


def normalize_code(code: str) -> str:
    """Codes are accepted with spaces or dashes and in any case."""
    return "".join(code.split()).replace("-", "").lower()


def verify_second_factor(*, user: User, code: str):
    """The device that accepts this code: the authenticator, or a backup code once.

    Raises:
        ValidationError: code "wrong_code" or "throttled".
    """
    code = normalize_code(code)
    authenticator = authenticator_for(user)
    # Six digits go to the authenticator, anything else to the backup codes, so a
    # typo in one never slows down the other.
    if (
        authenticator is not None
        and code.isdigit()
        and len(code) == authenticator.digits
    ):
        device = authenticator
        method = "authenticator"
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        method = "backup_code"
    if device is None:
        raise ValidationError("That code did not match.", code=WRONG_CODE)
    try:
        accepted = _check_code(device, code)
    except ValidationError:
        audit(user, "accounts.two_factor_failed")
        raise
    if not accepted:
        audit(user, "accounts.two_factor_failed")
        raise ValidationError("That code did not match.", code=WRONG_CODE)
    audit(user, "accounts.verify_two_factor", data={"method": method})
    return device


@transaction.atomic
def set_email_preferences(*, actor, optional_emails: bool):
    """Let a person opt out of emails that are nice to have but not needed."""
    actor = concrete_user(actor)
    actor.optional_emails = bool(optional_emails)
    actor.save(update_fields=["optional_emails"])
    audit(actor, "accounts.set_email_preferences")
    return actor
