"""Public-site forms on the money side: field shape and per-field validation only."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grants.models import Membership, Organization

EIN_PATTERN = re.compile(r"^(\d{2})-?(\d{7})$")
ZIP_PATTERN = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
PHONE_PATTERN = re.compile(r"^[0-9+().\- ]+(?:\s*(?:ext\.?|x)\s*\d{1,6})?$", re.I)


def single_line(value: str) -> None:
    """Refuse line breaks and control characters in names and addresses."""
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise ValidationError(
            _("Write this on one line, without line breaks."), code="single_line"
        )


class OrganizationForm(forms.ModelForm):
    """Who the organization is, where it works, and whom to contact."""

    class Meta:
        model = Organization
        fields = [
            "legal_name",
            "public_name",
            "ein",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "mission",
            "survivor_led",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        labels = {
            "legal_name": _("Legal name"),
            "public_name": _("Public name"),
            "ein": _("EIN (Employer Identification Number)"),
            "address_line1": _("Address"),
            "address_line2": _("Address line 2 (optional)"),
            "city": _("City"),
            "state": _("State"),
            "postal_code": _("ZIP code"),
            "mission": _("Mission"),
            "survivor_led": _("Our organization is survivor-led"),
            "contact_name": _("Contact person"),
            "contact_email": _("Contact email"),
            "contact_phone": _("Contact phone (optional)"),
        }
        help_texts = {
            "legal_name": _(
                "As it appears on your registration papers. If you are not "
                "registered, use the name your group goes by."
            ),
            "public_name": _(
                "The name the public knows you by. It is shown if you are funded."
            ),
            "ein": _(
                "Optional. Nine digits, for example 12-3456789. Groups without an "
                "EIN can apply too."
            ),
            "postal_code": _("For example 55401."),
            "mission": _("In a few sentences: what you do and whom you serve."),
            "survivor_led": _(
                "Tick this if people with lived experience of trafficking lead the "
                "organization. You decide; we do not ask for proof."
            ),
            "contact_email": _("We send messages about applications here."),
        }
        error_messages = {
            "legal_name": {"required": _("Enter the legal name.")},
            "public_name": {"required": _("Enter the public name.")},
            "address_line1": {"required": _("Enter the address.")},
            "city": {"required": _("Enter the city.")},
            "state": {
                "required": _("Enter the state as two letters, for example MN."),
                "max_length": _("Enter the state as two letters, for example MN."),
            },
            "postal_code": {"required": _("Enter the ZIP code, for example 55401.")},
            "mission": {"required": _("Tell us your mission in a few sentences.")},
            "contact_name": {"required": _("Enter the name of a contact person.")},
            "contact_email": {
                "required": _("Enter a contact email address."),
                "invalid": _("Enter an email address like name@example.org."),
            },
        }
        widgets = {
            "legal_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "public_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "ein": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "size": 12}
            ),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "state": forms.TextInput(
                attrs={"autocomplete": "address-level1", "size": 3}
            ),
            "postal_code": forms.TextInput(
                attrs={
                    "autocomplete": "postal-code",
                    "inputmode": "numeric",
                    "size": 10,
                }
            ),
            "mission": forms.Textarea(attrs={"rows": 6}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel"}),
        }

    SINGLE_LINE_FIELDS = (
        "legal_name",
        "public_name",
        "address_line1",
        "address_line2",
        "city",
        "contact_name",
        "contact_phone",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SINGLE_LINE_FIELDS:
            self.fields[name].validators.append(single_line)

    def clean_ein(self):
        value = "".join(self.cleaned_data.get("ein", "").split())
        if not value:
            return ""
        match = EIN_PATTERN.match(value)
        if not match:
            raise ValidationError(
                _(
                    "Enter the EIN as nine digits, for example 12-3456789, or leave "
                    "it empty if you do not have one."
                ),
                code="invalid",
            )
        return f"{match[1]}-{match[2]}"

    def clean_postal_code(self):
        value = "".join(self.cleaned_data.get("postal_code", "").split())
        match = ZIP_PATTERN.match(value)
        if not match:
            raise ValidationError(
                _("Enter a 5-digit ZIP code, for example 55401."), code="invalid"
            )
        return f"{match[1]}-{match[2]}" if match[2] else match[1]

    def clean_state(self):
        value = self.cleaned_data.get("state", "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValidationError(
                _("Enter the state as two letters, for example MN."), code="invalid"
            )
        return value

    def clean_contact_phone(self):
        value = self.cleaned_data.get("contact_phone", "").strip()
        if value and (
            not PHONE_PATTERN.match(value) or sum(c.isdigit() for c in value) < 7
        ):
            raise ValidationError(
                _("Enter a phone number, for example 612-555-0100."), code="invalid"
            )
        return value


class InviteMemberForm(forms.Form):
    """Whom to invite, and what they may do."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send a link to this address. It works for 7 days."),
        error_messages={
            "required": _("Enter the email address of the person to invite."),
            "invalid": _("Enter an email address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (
                Membership.Role.EDITOR,
                _("Editor: can see the organization and write applications"),
            ),
            (
                Membership.Role.OWNER,
                _(
                    "Owner: can also change the organization's details and "
                    "manage members"
                ),
            ),
        ],
        initial=Membership.Role.EDITOR,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a role.")},
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.get_full_name() or obj.user.email


class TransferOwnershipForm(forms.Form):
    """Which member becomes the new owner."""

    new_owner = MemberChoiceField(
        label=_("New owner"),
        queryset=Membership.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_(
            "They can then change the organization's details and manage members. "
            "You stay on as an editor."
        ),
        error_messages={
            "required": _("Choose who becomes the owner."),
            "invalid_choice": _("Choose one of the members listed."),
        },
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = members


class AcceptAwardForm(forms.Form):
    signer_name = forms.CharField(
        label=_("Your full name, as your signature"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(
        label=_("I have read the agreement and accept the award for my organization"),
        error_messages={"required": _("Tick the box to accept the agreement.")},
    )


class DeclineAwardForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything you want to tell the grants team (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


# Progress reports ---------------------------------------------------------------------


def count_field(label, help_text=""):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=9999,
        initial=0,
        error_messages={
            "invalid": _("Enter a whole number, like 0 or 3."),
            "min_value": _("Enter 0 or more."),
            "max_value": _("Enter a number below 10,000."),
            "required": _("Enter a number. Use 0 if none."),
        },
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "class": "input--short"}
        ),
    )


NARRATIVE_HINT = _(
    "Describe things in general words. Please do not write names, contact details, "
    "dates of birth or anything else that could identify someone."
)


class HiringReportForm(forms.Form):
    """A period's report: counts and short narrative, never a person's details.

    Hiring fields appear only when the award carries a commitment. Field shape is
    checked here; the rules across fields and earlier reports live in the service.
    """

    entry_filled = count_field(_("Entry-level positions filled"))
    professional_filled = count_field(_("Professional positions filled"))
    leadership_filled = count_field(_("Leadership positions filled"))
    board_filled = count_field(_("Board or advisory seats filled"))
    retained_6_months = count_field(
        _("People still in post 6 months after they started"),
        _("Count everyone hired under this award who reached 6 months, so far."),
    )
    retained_12_months = count_field(
        _("People still in post 12 months after they started"),
        _("Count everyone hired under this award who reached 12 months, so far."),
    )
    at_or_above_wage_floor = count_field(
        _("Positions filled this period paid at or above the wage floor")
    )
    over_commitment_explanation = forms.CharField(
        label=_("If you filled more positions than committed, tell us why"),
        required=False,
        max_length=1000,
        help_text=NARRATIVE_HINT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    barriers = forms.CharField(
        label=_("Barriers you met"),
        required=False,
        max_length=2000,
        help_text=NARRATIVE_HINT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    support_needed = forms.CharField(
        label=_("Support you would like from the grants team"),
        required=False,
        max_length=2000,
        help_text=NARRATIVE_HINT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    HIRING_FIELDS = [
        "entry_filled",
        "professional_filled",
        "leadership_filled",
        "board_filled",
        "retained_6_months",
        "retained_12_months",
        "at_or_above_wage_floor",
        "over_commitment_explanation",
    ]

    def __init__(self, *args, has_commitment=True, **kwargs):
        from grants.models import ServiceType

        super().__init__(*args, **kwargs)
        if not has_commitment:
            for name in self.HIRING_FIELDS:
                del self.fields[name]
        for value, label in ServiceType.choices:
            self.fields[f"served_{value}"] = count_field(label)
        self.service_types = ServiceType.choices

    def hiring_fields(self):
        return [self[name] for name in self.HIRING_FIELDS if name in self.fields]

    def served_fields(self):
        return [self[f"served_{value}"] for value, _label in self.service_types]

    def narrative_fields(self):
        return [self["barriers"], self["support_needed"]]

    def service_arguments(self) -> dict:
        """The cleaned figures split as the service takes them."""
        data = self.cleaned_data
        counts = {
            name: data[name]
            for name in self.HIRING_FIELDS
            if name in self.fields and name != "over_commitment_explanation"
        }
        served = {
            value: data[f"served_{value}"] for value, _label in self.service_types
        }
        narrative = {
            name: data.get(name, "")
            for name in ("barriers", "support_needed", "over_commitment_explanation")
        }
        return {"counts": counts, "served": served, "narrative": narrative}
