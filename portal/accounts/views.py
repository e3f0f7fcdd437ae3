"""Account pages: thin views that parse, call a service and render."""

import io
from base64 import b32encode
from functools import wraps
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from portal.accounts import forms, selectors, services, tokens
from portal.permissions import requires_second_factor
from portal.ratelimit import ratelimit

# Which kind message a refused link shows (the templates hold the words).
LINK_PROBLEMS = {
    tokens.EXPIRED: "expired",
    tokens.USED: "used",
    tokens.INVALID: "invalid",
    services.EMAIL_TAKEN: "taken",
}


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _code_message(error: ValidationError) -> str:
    if error.code == services.THROTTLED:
        return _(
            "For your safety, we pause code checks for a short while after a code "
            "that did not match. Wait a little, then try again."
        )
    return _(
        "That code did not match. Check that you typed it in full and try again. "
        "Codes from an app change every 30 seconds."
    )


def verified_if_enrolled(view):
    """Pages that change an account ask for the second factor first, when set up."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if selectors.has_confirmed_device(user) and not user.is_verified():
            return redirect(
                _with_next(
                    reverse("accounts:two_factor_verify"), request.get_full_path()
                )
            )
        return view(request, *args, **kwargs)

    return login_required(wrapper)


# Signing in and out


class LoginView(auth_views.LoginView):
    """Email and password, then the second factor for anyone who has one."""

    template_name = "accounts/login.html"
    form_class = forms.LoginForm

    def get_default_redirect_url(self):
        return selectors.default_redirect_url()

    def form_valid(self, form):
        user = form.get_user()
        auth_login(self.request, user)  # Django gives the session a new key here
        next_url = self.get_success_url()
        step = selectors.second_factor_step(user, verified=False)
        if step is not None:
            return redirect(
                _with_next(reverse(f"accounts:two_factor_{step}"), next_url)
            )
        return HttpResponseRedirect(next_url)


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET); ends the session and says so."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


# Signing up and confirming the address


@require_http_methods(["GET", "POST"])
@ratelimit("signup")
def signup(request):
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
        )
        return redirect(
            _with_next(
                reverse("accounts:signup_done"), selectors.safe_next_url(request, "")
            )
        )
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": selectors.safe_next_url(request, "")},
    )


def signup_done(request):
    return render(
        request,
        "accounts/check_email.html",
        {"reason": "signup", "next": selectors.safe_next_url(request, "")},
    )


@require_http_methods(["GET", "POST"])
def confirm_email(request, token: str):
    """Show a button for a good link; confirming happens on POST (mail scanners GET)."""
    problem = None
    try:
        tokens.read_confirmation_token(token)
        if request.method == "POST":
            services.confirm_email(token=token)
            messages.success(
                request,
                _("Thank you. Your email address is confirmed. You can now apply."),
            )
            if request.user.is_authenticated:
                return redirect(selectors.default_redirect_url())
            return redirect("accounts:login")
    except ValidationError as error:
        problem = LINK_PROBLEMS.get(error.code, "invalid")
    return render(
        request,
        "accounts/confirm_email.html",
        {"problem": problem},
        status=200 if problem in (None, "used") else 400,
    )


@require_http_methods(["GET", "POST"])
@ratelimit("resend_confirmation")
def resend_confirmation(request):
    user = request.user
    if user.is_authenticated and user.email_confirmed_at is not None:
        messages.info(request, _("Your email address is already confirmed."))
        return redirect(selectors.default_redirect_url())
    form = (
        None
        if user.is_authenticated
        else forms.ResendConfirmationForm(request.POST or None)
    )
    if request.method == "POST" and (form is None or form.is_valid()):
        email = user.email if form is None else form.cleaned_data["email"]
        services.resend_confirmation(email=email)
        return redirect("accounts:resend_confirmation_done")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


def resend_confirmation_done(request):
    return render(request, "accounts/check_email.html", {"reason": "resend"})


# Password reset (Django's views, our forms and templates)


@method_decorator(ratelimit("password_reset"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = forms.PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_reset(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@method_decorator(verified_if_enrolled, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:account")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in
        services.record_password_change(actor=self.request.user)
        messages.success(self.request, _("Your password is changed."))
        return response


# The account overview and changing the address


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    preferences = forms.EmailPreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"optional_emails": user.optional_emails},
    )
    if request.method == "POST" and preferences.is_valid():
        services.set_email_preferences(
            actor=user, optional_emails=preferences.cleaned_data["optional_emails"]
        )
        messages.success(request, _("Your email preferences are saved."))
        return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {
            "email_confirmed": user.email_confirmed_at is not None,
            "has_authenticator": selectors.authenticator_for(user) is not None,
            "backup_codes_left": selectors.backup_codes_left(user),
            "second_factor_required": requires_second_factor(user),
            "preferences": preferences,
        },
    )


@verified_if_enrolled
@require_http_methods(["GET", "POST"])
def change_email(request):
    form = forms.ChangeEmailForm(
        request.POST or None, user=request.user, request=request
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.request_email_change(
                actor=request.user, new_email=form.cleaned_data["new_email"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("accounts:change_email_done")
    return render(request, "accounts/change_email.html", {"form": form})


@login_required
def change_email_done(request):
    return render(request, "accounts/check_email.html", {"reason": "change_email"})


@require_http_methods(["GET", "POST"])
def confirm_email_change(request, token: str):
    """Show a button for a good link; the address changes on POST."""
    problem = None
    try:
        tokens.read_email_change_token(token)
        if request.method == "POST":
            services.confirm_email_change(token=token)
            messages.success(
                request,
                _("Your email address is changed. Use the new address to sign in."),
            )
            if request.user.is_authenticated:
                return redirect("accounts:account")
            return redirect("accounts:login")
    except ValidationError as error:
        problem = LINK_PROBLEMS.get(error.code, "invalid")
    return render(
        request,
        "accounts/confirm_email_change.html",
        {"problem": problem},
        status=200 if problem is None else 400,
    )


# Second factor


def _qr_code_svg(data: str) -> str:
    """An inline SVG QR code drawn on the server: no image request, no script."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=4,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration, if any
    svg = svg.replace(
        "<svg ",
        '<svg class="qr-code__image" role="img" aria-labelledby="qr-code-label" ',
        1,
    )
    # The SVG holds only path data that qrcode computed from our own key URI.
    return mark_safe(svg)  # noqa: S308  # nosemgrep: no-mark-safe


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _show_backup_codes(request, codes, *, next_url: str, first_time: bool):
    return render(
        request,
        "accounts/two_factor_codes.html",
        {
            "codes": [f"{code[:4]}-{code[4:]}" for code in codes],
            "next": next_url,
            "first_time": first_time,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Add an authenticator app: scan the code, type one code, keep the backup codes."""
    user = request.user
    next_url = selectors.safe_next_url(request)
    if selectors.authenticator_for(user) is not None:
        if not user.is_verified():
            return redirect(_with_next(reverse("accounts:two_factor_verify"), next_url))
        return render(
            request,
            "accounts/two_factor_setup.html",
            {"already_on": True, "next": next_url},
        )
    device = services.start_two_factor_setup(actor=user)
    form = forms.TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.enable_two_factor(
                actor=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", _code_message(error))
        else:
            request.session.cycle_key()
            # Other sessions ended with the change; this one carries on.
            update_session_auth_hash(request, user)
            django_otp.login(request, device)
            return _show_backup_codes(
                request, codes, next_url=next_url, first_time=True
            )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": _qr_code_svg(device.config_url),
            "secret": _grouped(b32encode(device.bin_key).decode()),
            "next": next_url,
            "required": requires_second_factor(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit("two_factor", by="user")
def two_factor_verify(request):
    """The second step of signing in: one code, from the app or a backup code."""
    user = request.user
    next_url = selectors.safe_next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not selectors.has_confirmed_device(user):
        if requires_second_factor(user):
            return redirect(_with_next(reverse("accounts:two_factor_setup"), next_url))
        return redirect(next_url)
    form = forms.TwoFactorVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(
                user=user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", _code_message(error))
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = selectors.backup_codes_left(user)
                messages.info(
                    request,
                    ngettext(
                        "You used a backup code. You have %(count)d left.",
                        "You used a backup code. You have %(count)d left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": next_url}
    )


@verified_if_enrolled
@require_http_methods(["GET", "POST"])
def two_factor_backup_codes(request):
    """Make a new set of backup codes; the old set stops working."""
    user = request.user
    if selectors.authenticator_for(user) is None:
        return redirect("accounts:two_factor_setup")
    if request.method == "POST":
        codes = services.regenerate_backup_codes(actor=user)
        update_session_auth_hash(request, user)
        return _show_backup_codes(request, codes, next_url="", first_time=False)
    return render(
        request,
        "accounts/two_factor_backup_codes.html",
        {"backup_codes_left": selectors.backup_codes_left(user)},
    )
