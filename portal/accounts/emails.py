"""Account emails: a subject, a link and plain guidance, in text and HTML.

They never carry application content, names or any other personal detail.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext


def absolute_url(path: str) -> str:
    """A full link for an email, on the portal's public address."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    text = render_to_string(f"accounts/email/{template}.txt", context)
    html = render_to_string(f"accounts/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_confirmation_link(*, to: str, link: str, language: str) -> None:
    """Ask a new account holder to confirm their address."""
    with translation.override(language):
        _send(
            to=to,
            subject=gettext("Confirm your email address"),
            template="confirm_email",
            context={"link": link},
        )


def send_existing_account_notice(*, to: str, language: str) -> None:
    """Tell an account holder that someone tried to sign up with their address."""
    with translation.override(language):
        _send(
            to=to,
            subject=gettext("Someone tried to create an account with your address"),
            template="existing_account",
            context={
                "login_link": absolute_url(reverse("accounts:login")),
                "reset_link": absolute_url(reverse("accounts:password_reset")),
            },
        )


def send_email_change_link(*, to: str, link: str, language: str) -> None:
    """Ask the owner of a new address to confirm it before we switch to it."""
    with translation.override(language):
        _send(
            to=to,
            subject=gettext("Confirm your new email address"),
            template="change_email",
            context={"link": link},
        )


def send_address_in_use_notice(*, to: str, language: str) -> None:
    """Tell an account holder that someone asked to move another account to their address."""
    with translation.override(language):
        _send(
            to=to,
            subject=gettext("Someone tried to use your email address"),
            template="address_in_use",
            context={"reset_link": absolute_url(reverse("accounts:password_reset"))},
        )


def send_email_changed_notice(*, to: str, language: str) -> None:
    """Tell the old address that the account now uses another address."""
    with translation.override(language):
        _send(
            to=to,
            subject=gettext("Your email address was changed"),
            template="email_changed",
            context={"reset_link": absolute_url(reverse("accounts:password_reset"))},
        )
