"""Forms built from an application form's sections. Shape checks only; rules that
span objects (deadline, membership, amounts against the round) live in services."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from applications.models import ConflictDeclaration, PanelRecommendation, Review
from applications.schema import Section
from portal.accounts.forms import SignupForm

WORD = re.compile(r"\S+")
BUDGET_BLANK_ROWS = 3
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def count_words(text: str) -> int:
    return len(WORD.findall(text or ""))


def _clean_text(value: str) -> str:
    """Plain text only: refuse NUL bytes, normalise line endings."""
    if "\x00" in value:
        raise ValidationError(
            _("This answer contains a character we cannot store. Please retype it.")
        )
    return value.replace("\r\n", "\n").strip()


class MoneyField(forms.DecimalField):
    """Dollars and cents; refuses NaN, infinity, fractions of a cent and thousands commas."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "invalid": _(
                    "Enter an amount in dollars using numbers only, like 25000 or 25000.50."
                ),
                "max_decimal_places": _(
                    "Enter an amount with no more than 2 digits after the decimal point."
                ),
                "max_digits": _("Enter a smaller amount."),
                "min_value": _("Enter an amount greater than zero."),
            }
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("$")
        number = super().to_python(value)
        if number is not None and not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class WordLimitedField(forms.CharField):
    def __init__(self, *, word_limit, **kwargs):
        self.word_limit = word_limit
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        words = count_words(value)
        if words > self.word_limit:
            raise ValidationError(
                ngettext(
                    "Use %(limit)d word or fewer (you have %(count)d).",
                    "Use %(limit)d words or fewer (you have %(count)d).",
                    self.word_limit,
                )
                % {"limit": self.word_limit, "count": words}
            )


def _form_field(field_def, *, required):
    common = {
        "label": field_def.label,
        "help_text": field_def.help_text,
        "required": required,
    }
    options = field_def.options
    kind = field_def.type
    if kind == "short_text":
        return forms.CharField(max_length=options.get("max_length") or 200, **common)
    if kind == "long_text":
        return WordLimitedField(
            word_limit=options.get("word_limit") or 300, max_length=50_000, **common
        )
    if kind == "number":
        return forms.IntegerField(
            min_value=options.get("min_value"),
            max_value=options.get("max_value"),
            **common,
        )
    if kind == "currency":
        extra = {}
        if options.get("max_value") not in (None, ""):
            extra["max_value"] = Decimal(str(options["max_value"]))
        field = MoneyField(**common, **extra)
        if options.get("min_value") not in (None, ""):
            field.min_value = Decimal(str(options["min_value"]))
        return field
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        choices = [(c, c) for c in options.get("choices") or []]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == "multi_choice":
        choices = [(c, c) for c in options.get("choices") or []]
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "yes_no":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if kind == "file":
        return forms.FileField(**common)
    raise ValueError(f"No form field for {kind}")


class SectionForm(forms.Form):
    """One section of an application. Required answers are checked at submission,
    so a draft can be saved half-done; every answer given must have the right shape."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, section: Section, answers: dict, round_limits=None, **kwargs
    ):
        self.section = section
        self.budget_rows = {}
        self.round_limits = round_limits
        initial = {}
        for field_def in section.fields:
            if field_def.type == "budget_table":
                continue
            if field_def.id in answers:
                initial[field_def.id] = answers[field_def.id]
        kwargs.setdefault("initial", {}).update(initial)
        super().__init__(*args, **kwargs)
        for field_def in section.fields:
            if field_def.type == "budget_table":
                self._add_budget_fields(field_def, answers.get(field_def.id) or {})
                continue
            self.fields[field_def.id] = _form_field(field_def, required=False)
            self.fields[field_def.id].required_at_submit = field_def.required
        if round_limits and "amount_requested" in self.fields:
            low, high = round_limits
            self.fields["amount_requested"].min_value = low
            self.fields["amount_requested"].max_value = high

    def _add_budget_fields(self, field_def, stored):
        rows = stored.get("rows") or []
        max_rows = field_def.options.get("max_rows") or 12
        count = min(max_rows, len(rows) + BUDGET_BLANK_ROWS)
        names = []
        for index in range(count):
            item_name, amount_name = (
                f"{field_def.id}-item-{index}",
                f"{field_def.id}-amount-{index}",
            )
            row = rows[index] if index < len(rows) else {}
            self.fields[item_name] = forms.CharField(
                label=_("Item %(number)s") % {"number": index + 1},
                max_length=200,
                required=False,
                initial=row.get("item", ""),
            )
            self.fields[amount_name] = MoneyField(
                label=_("Amount for item %(number)s") % {"number": index + 1},
                required=False,
                initial=row.get("amount", ""),
            )
            names.append((item_name, amount_name))
        self.budget_rows[field_def.id] = names

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                try:
                    cleaned[name] = _clean_text(value)
                except ValidationError as error:
                    self.add_error(name, error)
        for names in self.budget_rows.values():
            for item_name, amount_name in names:
                item, amount = cleaned.get(item_name), cleaned.get(amount_name)
                if item and amount is None and amount_name not in self.errors:
                    self.add_error(amount_name, _("Enter an amount for this item."))
                if amount is not None and not item:
                    self.add_error(item_name, _("Say what this amount is for."))
        return cleaned

    def answers(self) -> dict:
        """The cleaned answers of this section in their stored shape."""
        result = {}
        for field_def in self.section.fields:
            if field_def.type == "file":
                continue
            if field_def.type == "budget_table":
                rows = []
                for item_name, amount_name in self.budget_rows[field_def.id]:
                    item, amount = (
                        self.cleaned_data.get(item_name),
                        self.cleaned_data.get(amount_name),
                    )
                    if item and amount is not None:
                        rows.append({"item": item, "amount": str(amount)})
                total = sum((Decimal(r["amount"]) for r in rows), Decimal("0"))
                result[field_def.id] = (
                    {"rows": rows, "total": str(total)} if rows else {}
                )
                continue
            value = self.cleaned_data.get(field_def.id)
            if isinstance(value, Decimal):
                value = str(value)
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            result[field_def.id] = value if value not in (None, "") else None
        return result

    def files_by_field(self) -> dict:
        return {
            f.id: self.cleaned_data.get(f.id)
            for f in self.section.fields
            if f.type == "file" and self.cleaned_data.get(f.id)
        }


class EligibilityForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for index, question in enumerate(questions):
            self.fields[f"q{index}"] = forms.ChoiceField(
                label=question["question"],
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose yes or no.")},
            )

    def ineligible_messages(self) -> list[str]:
        return [
            q["message"]
            for index, q in enumerate(self.questions)
            if self.cleaned_data.get(f"q{index}") == q["ineligible_answer"]
        ]


class StartApplicationForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=None,
        label=_("Which organization is applying?"),
        empty_label=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Review panels ------------------------------------------------------------------------


class ConflictForm(forms.Form):
    """Before reading anything: is there a conflict of interest?"""

    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this organization?"),
        choices=[
            ("no", _("No, I have no conflict")),
            ("yes", _("Yes, I have a conflict")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    reason = forms.ChoiceField(
        label=_("What is the conflict?"),
        choices=[("", _("Choose one"))] + ConflictDeclaration.Reason.choices,
        required=False,
    )
    details = forms.CharField(
        label=_("Anything you want staff to know (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_conflict") and not cleaned.get("reason"):
            self.add_error("reason", _("Choose the reason that fits best."))
        return cleaned


class ReviewForm(forms.Form):
    """Scores for each criterion, a recommendation and comments. Drafts may be partial;
    the service decides what a submitted review needs."""

    recommendation = forms.ChoiceField(
        label=_("Overall recommendation"),
        choices=Review.Recommendation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    strengths = forms.CharField(
        label=_("Strengths"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    concerns = forms.CharField(
        label=_("Concerns"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    questions = forms.CharField(
        label=_("Questions for the panel"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    abstained = forms.BooleanField(
        label=_("I need to abstain from scoring this application"), required=False
    )
    abstain_reason = forms.CharField(
        label=_("Why you abstain (the panel chair and staff see this)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(rubric.criteria.all()) if rubric else []
        for criterion in self.criteria:
            levels = criterion.levels
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                help_text=criterion.guidance,
                choices=[
                    (
                        value,
                        f"{value}: {levels[value - 1] if value <= len(levels) else ''}",
                    )
                    for value in rubric.scale
                ],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                required=False,
            )

    def criterion_fields(self):
        return [self[f"criterion_{c.pk}"] for c in self.criteria]

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}

    def open_criteria(self) -> list:
        """Criteria without a score yet, for the "still to do" list."""
        return [
            c
            for c in self.criteria
            if self[f"criterion_{c.pk}"].value() in (None, "", [])
        ]


class HoursForm(forms.Form):
    worked_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.DecimalField(
        label=pgettext_lazy("time spent", "Hours"),
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        max_digits=5,
        decimal_places=2,
        help_text=_("For example 1.5 for an hour and a half."),
    )
    activity = forms.CharField(
        label=_("What you worked on (optional)"), max_length=200, required=False
    )


class RecommendationForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How the panel decided"),
        choices=PanelRecommendation.Method.choices,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("The panel recommends"),
        choices=Review.Recommendation.choices,
        widget=forms.RadioSelect,
    )
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(
        label=_("Votes against"), min_value=0, required=False
    )
    votes_abstaining = forms.IntegerField(
        label=_("Abstentions"), min_value=0, required=False
    )
    rationale = forms.CharField(
        label=_("Why the panel recommends this"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class PanelAccountForm(SignupForm):
    """Accepting a panel invitation without an account: choose a name and password."""

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].disabled = True
        self.initial["email"] = email
        self.invitation_email = email

    def clean_email(self):
        return self.invitation_email
