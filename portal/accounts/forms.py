"""Account forms: the shape of each field and kind, plain error messages."""

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from portal.models import User

EMAIL_FORMAT_MESSAGE = _("Enter your email address in the form name@example.org.")
NEW_PASSWORD_HINT = _(
    "At least 12 characters. A few unrelated words make a strong password that is "
    "easy to remember."
)


def email_field(label, *, autocomplete="email"):
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": EMAIL_FORMAT_MESSAGE,
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": autocomplete, "spellcheck": "false"}
        ),
    )


def password_field(label, *, autocomplete, required_message, help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        error_messages={"required": required_message},
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def code_field(help_text):
    return forms.CharField(
        label=_("Code"),
        help_text=help_text,
        max_length=20,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "input--code",
            }
        ),
    )


class LoginForm(auth_forms.AuthenticationForm):
    """Email and password; axes counts failures per address and network location."""

    # Named "username" because django-axes reads that field (AXES_USERNAME_FORM_FIELD).
    username = email_field(_("Email address"), autocomplete="username")
    password = password_field(
        _("Password"),
        autocomplete="current-password",
        required_message=_("Enter your password."),
    )

    error_messages = {
        "invalid_login": _(
            "The email address and password did not match an account. Check them "
            "and try again, or reset your password."
        ),
        "inactive": _(
            "The email address and password did not match an account. Check them "
            "and try again, or reset your password."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class SignupForm(forms.Form):
    """What we need to open an account: a name to greet you by, an address, a password."""

    first_name = forms.CharField(
        label=_("What should we call you?"),
        help_text=_(
            "A first name or any name you like. We use it only to greet you. "
            "You can leave it empty."
        ),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    email = email_field(_("Email address"))
    password1 = password_field(
        _("Create a password"),
        autocomplete="new-password",
        required_message=_("Create a password."),
        help_text=NEW_PASSWORD_HINT,
    )
    password2 = password_field(
        _("Type the password again"),
        autocomplete="new-password",
        required_message=_("Type the password again."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2",
                _("The two passwords are different. Type the same password twice."),
            )
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""), first_name=cleaned.get("first_name", "")
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendConfirmationForm(forms.Form):
    email = email_field(_("Email address"))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django sends the link only to active accounts; the page never says which."""

    email = email_field(_("Email address"))


class SetPasswordForm(auth_forms.SetPasswordForm):
    new_password1 = password_field(
        _("New password"),
        autocomplete="new-password",
        required_message=_("Create a new password."),
        help_text=NEW_PASSWORD_HINT,
    )
    new_password2 = password_field(
        _("Type the new password again"),
        autocomplete="new-password",
        required_message=_("Type the new password again."),
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    old_password = password_field(
        _("Current password"),
        autocomplete="current-password",
        required_message=_("Enter your current password."),
    )
    new_password1 = password_field(
        _("New password"),
        autocomplete="new-password",
        required_message=_("Create a new password."),
        help_text=NEW_PASSWORD_HINT,
    )
    new_password2 = password_field(
        _("Type the new password again"),
        autocomplete="new-password",
        required_message=_("Type the new password again."),
    )

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _(
            "That is not your current password. Try again, or reset your password."
        ),
    }

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        # authenticate() with the request rather than check_password(), so django-axes
        # counts wrong guesses here too and pauses them like sign-in attempts.
        confirmed = authenticate(
            self.request, username=self.user.email, password=password
        )
        if confirmed is None or confirmed.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return password


class ChangeEmailForm(forms.Form):
    """The current password first (checked like a sign-in), then the new address."""

    current_password = password_field(
        _("Your current password"),
        autocomplete="current-password",
        required_message=_("Enter your current password."),
        help_text=_("We ask for it to make sure it is you."),
    )
    new_email = email_field(_("New email address"))

    def __init__(self, *args, user, request, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        # authenticate() with the request, so django-axes counts wrong passwords here
        # exactly as it does on the sign-in page.
        confirmed = authenticate(
            self.request, username=self.user.email, password=password
        )
        if confirmed is None or confirmed.pk != self.user.pk:
            raise forms.ValidationError(
                _("That password did not match. Try again, or reset your password."),
                code="password_incorrect",
            )
        return password

    def clean_new_email(self):
        return self.cleaned_data["new_email"].strip().lower()


class TwoFactorSetupForm(forms.Form):
    code = code_field(
        _("6 digits. The app shows a new code every 30 seconds: type the current one.")
    )


class TwoFactorVerifyForm(forms.Form):
    code = code_field(
        _("6 digits from your app, or one of your backup codes, like abcd-efgh.")
    )


class EmailPreferencesForm(forms.Form):
    optional_emails = forms.BooleanField(
        label=_("Send me optional emails, such as thank-you notes"),
        help_text=_(
            "Receipts, questions from the grants team and security messages are "
            "always sent."
        ),
        required=False,
    )
