"""Audit entries for signing in, signing out and failed sign-ins.

Entries are written against the account ("User <pk>"); a failed attempt for an
address without an account is counted in the application log without the address.
"""

import logging
import secrets

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.log_actions import log

from portal.accounts.services import audit
from portal.models import User

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="portal.accounts.log_login")
def log_login(sender, request, user, **kwargs):
    audit(user, "accounts.login")


@receiver(user_logged_out, dispatch_uid="portal.accounts.log_logout")
def log_logout(sender, request, user, **kwargs):
    if user is not None and user.pk is not None:
        audit(user, "accounts.logout")


@receiver(user_login_failed, dispatch_uid="portal.accounts.log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    address = str(credentials.get("username") or credentials.get("email") or "")
    user = (
        User.objects.filter(email__iexact=address.strip()).first() if address else None
    )
    paused = bool(getattr(request, "axes_locked_out", False))
    if user is None:
        logger.info("Sign-in failed for an address without an account.")
        return
    # No actor: whoever typed the password is not known to be the account holder.
    log(instance=user, action="accounts.login_failed", data={"sign_in_paused": paused})


@receiver(post_save, sender=User, dispatch_uid="portal.accounts.end_sessions_inactive")
def end_sessions_of_inactive_accounts(sender, instance, created, **kwargs):
    """A deactivated account's sessions end for good: Django already refuses an
    inactive account, and the new stamp keeps its old sessions from coming back if
    the account is turned on again later."""
    if created or instance.is_active:
        return
    stamp = secrets.token_hex(16)
    User.objects.filter(pk=instance.pk).update(session_stamp=stamp)
    instance.session_stamp = stamp
