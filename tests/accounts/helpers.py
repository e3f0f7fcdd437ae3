"""Plain helpers for account tests: links in emails, devices, codes, signing in."""

import re
from urllib.parse import urlsplit

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "river stones under a quiet bridge"


def link_path(message) -> str:
    """The path and query of the one link in an email's text body."""
    urls = re.findall(r"https?://\S+", message.body)
    assert len(urls) >= 1, message.body
    parts = urlsplit(urls[0])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def add_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )


def add_backup_codes(user, codes=("abcdefgh", "ijklmnop")) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or a few time steps later)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


def sign_in(client, user, *, next_url=None, ip="203.0.113.10"):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data, REMOTE_ADDR=ip)
