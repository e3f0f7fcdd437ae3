"""Finance screens in the Wagtail admin: dashboard, awards, payments and the ledger.

Finance and program staff hold their money permissions model-wide, so a model
permission check is enough to open a screen. Every action URL still loads its
objects through the parent in the URL (an installment of *this* award), so an id
from elsewhere answers 404. Every write goes through ``grants.services``, which
checks the permission again and keeps the ledger's invariants.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from grants import ledger, services
from grants.exports import FormulaSafeExportMixin
from grants.models import (
    Award,
    Disbursement,
    FundingRound,
    HiringCommitment,
    HiringReport,
    Installment,
    LedgerEntry,
    Stipend,
)
from portal.accounts.services import concrete_user
from portal.admin_views import ServiceActionMixin, ServiceCreateView
from portal.permissions import has_perm

LIST_LIMIT = 50
UPCOMING_DAYS = 30
DASHBOARD_PERMS = ("grants.view_disbursement", "grants.view_award")
TAX_FORM_THRESHOLD = 600
SETTLED = [Disbursement.Status.SENT, Disbursement.Status.PAID]
MONEY = {"max_digits": 12, "decimal_places": 2}


def can_see_finance(user) -> bool:
    return any(has_perm(user, perm) for perm in DASHBOARD_PERMS)


def _require(user, perm) -> None:
    """Missing rights answer 404, like every other object URL (SECURITY.md)."""
    if not has_perm(user, perm):
        raise Http404


# Installments and their payment status --------------------------------------------


def installments_with_status(queryset=None):
    """Installments annotated with the status of their latest payment attempt.

    ``payment_status`` is None when nobody has asked for a payment yet; a cancelled
    attempt does not count. Computed in the same query (a subquery per row).
    """
    queryset = queryset if queryset is not None else Installment.objects.all()
    latest = (
        Disbursement.objects.filter(installment=OuterRef("pk"))
        .exclude(status=Disbursement.Status.CANCELLED)
        .order_by("-requested_at", "-pk")
        .values("status")[:1]
    )
    return queryset.annotate(payment_status=Subquery(latest))


def unpaid_installments(today=None):
    """Installments of live awards not yet sent or paid (a failed one is unpaid)."""
    settled = Disbursement.objects.filter(
        installment=OuterRef("pk"), status__in=SETTLED
    )
    return (
        installments_with_status()
        .filter(
            award__status__in=[
                Award.Status.OFFERED,
                Award.Status.ACCEPTED,
                Award.Status.ACTIVE,
            ]
        )
        .filter(~Exists(settled))
        .select_related("award__organization", "award__funding_round")
    )


STATUS_WORDS = {
    None: _("Not asked for yet"),
    **dict(Disbursement.Status.choices),
}


def status_words(status) -> str:
    return str(STATUS_WORDS.get(status, status))


def installment_rows(installments, today) -> list[dict]:
    return [
        {
            "installment": installment,
            "award": installment.award,
            "status": status_words(installment.payment_status),
            "overdue": installment.due_on < today
            and installment.payment_status not in SETTLED,
        }
        for installment in installments
    ]


# Dashboard -------------------------------------------------------------------------


def round_rows(rounds) -> list[dict]:
    """Budget, committed, paid and remaining per round, with bar widths for the chart."""
    rows = []
    for funding_round in rounds:
        rows.append(
            {
                "round": funding_round,
                "budget": funding_round.budget,
                "committed": funding_round.committed,
                "paid": funding_round.paid,
                "remaining": funding_round.budget - funding_round.committed,
            }
        )
    scale = max((max(r["budget"], r["committed"]) for r in rows), default=0)
    bar_width = 400
    for index, row in enumerate(rows):
        # Strings, so no locale setting can put a comma into an SVG coordinate.
        y = index * 56 + 8
        row["y"] = {"label": str(y + 12), "budget": str(y), "committed": str(y + 16)}
        row["y"]["paid"] = str(y + 32)
        for key in ("budget", "committed", "paid"):
            value = max(row[key], 0)
            width = value / scale * bar_width if scale else Decimal(0)
            row[f"{key}_width"] = f"{width:.1f}"
    return rows


class FinanceAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_see_finance(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FinanceDashboardView(FinanceAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """What finance needs each morning, in a fixed number of queries."""

    template_name = "grants/admin/finance_dashboard.html"
    page_title = _("Finance")
    header_icon = "table"

    def _limited(self, queryset):
        rows = list(queryset[: LIST_LIMIT + 1])
        return rows[:LIST_LIMIT], len(rows) > LIST_LIMIT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        rounds = round_rows(
            ledger.round_figures(
                FundingRound.objects.select_related("fund").exclude(
                    status=FundingRound.Status.DRAFT
                )
            ).order_by("-opens_at")[:LIST_LIMIT]
        )
        upcoming, more_upcoming = self._limited(
            unpaid_installments()
            .filter(due_on__gte=today, due_on__lte=today + _days(UPCOMING_DAYS))
            .order_by("due_on", "pk")
        )
        overdue, more_overdue = self._limited(
            unpaid_installments().filter(due_on__lt=today).order_by("due_on", "pk")
        )
        payments = Disbursement.objects.select_related(
            "requested_by",
            "award__organization",
            "stipend__panelist",
            "funding_round",
        )
        waiting, more_waiting = self._limited(
            payments.filter(status=Disbursement.Status.REQUESTED).order_by(
                "requested_at", "pk"
            )
        )
        failed, more_failed = self._limited(
            payments.filter(status=Disbursement.Status.FAILED).order_by(
                "-requested_at", "-pk"
            )
        )
        flagged, more_flagged = self._limited(
            payments.exclude(flagged="").order_by("-requested_at", "-pk")
        )
        context.update(
            {
                "rounds": rounds,
                "chart_height": str(max(len(rounds), 1) * 56 + 16),
                "upcoming": installment_rows(upcoming, today),
                "more_upcoming": more_upcoming,
                "overdue": installment_rows(overdue, today),
                "more_overdue": more_overdue,
                "waiting": waiting,
                "more_waiting": more_waiting,
                "failed": failed,
                "more_failed": more_failed,
                "flagged": flagged,
                "more_flagged": more_flagged,
                "upcoming_days": UPCOMING_DAYS,
                "list_limit": LIST_LIMIT,
                "can_see_payments": has_perm(
                    self.request.user, "grants.view_disbursement"
                ),
                "can_see_stipends": has_perm(
                    self.request.user, "grants.view_disbursement"
                )
                and has_perm(self.request.user, "grants.view_stipend"),
            }
        )
        return context


def _days(number):
    from datetime import timedelta

    return timedelta(days=number)


class InstallmentListView(FinanceAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every unpaid installment that is overdue, or due in the next 30 days."""

    template_name = "grants/admin/installment_list.html"
    header_icon = "date"

    @cached_property
    def which(self):
        return "overdue" if self.request.GET.get("due") == "overdue" else "upcoming"

    def get_page_title(self):
        if self.which == "overdue":
            return _("Overdue installments")
        return _("Installments due in the next %(days)s days") % {"days": UPCOMING_DAYS}

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        queryset = unpaid_installments()
        if self.which == "overdue":
            queryset = queryset.filter(due_on__lt=today)
        else:
            queryset = queryset.filter(
                due_on__gte=today, due_on__lte=today + _days(UPCOMING_DAYS)
            )
        page = Paginator(queryset.order_by("due_on", "pk"), LIST_LIMIT).get_page(
            self.request.GET.get("p")
        )
        context.update(
            {
                "rows": installment_rows(page.object_list, today),
                "page_obj": page,
                "which": self.which,
            }
        )
        return context


class StipendTotalsView(WagtailAdminTemplateMixin, TemplateView):
    """Stipends paid to each person per calendar year, for tax-form thresholds."""

    template_name = "grants/admin/stipend_totals.html"
    page_title = _("Stipends paid per person and year")
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not (
            has_perm(request.user, "grants.view_disbursement")
            and has_perm(request.user, "grants.view_stipend")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = (
            Disbursement.objects.filter(
                stipend__isnull=False,
                status=Disbursement.Status.PAID,
                paid_on__isnull=False,
            )
            .annotate(year=ExtractYear("paid_on"))
            .values(
                "year",
                "stipend__panelist_id",
                "stipend__panelist__first_name",
                "stipend__panelist__last_name",
                "stipend__panelist__email",
            )
            .annotate(total=ledger.money_sum("amount"))
            .order_by("-year", "stipend__panelist__email")
        )
        context["rows"] = [
            {**row, "over_threshold": row["total"] >= TAX_FORM_THRESHOLD}
            for row in rows
        ]
        context["threshold"] = TAX_FORM_THRESHOLD
        return context


# Action pages ----------------------------------------------------------------------


class MoneyField(forms.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(**MONEY, **kwargs)


class GrantsActionView(ServiceActionMixin, WagtailAdminTemplateMixin, FormView):
    """One small form that calls one service, from an inspect page.

    ``permission`` is checked before anything is loaded; a missing right is a 404.
    """

    template_name = "grants/admin/action.html"
    permission = None
    intro = ""
    submit_label = None
    index_url_name = None
    inspect_url_name = None
    header_icon = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        _require(request.user, self.permission)
        self.object = self.load_object(kwargs["pk"])

    def load_object(self, pk):
        raise NotImplementedError

    def get_page_subtitle(self):
        return str(self.object)

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[self.object.pk])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse(self.index_url_name),
                "label": self.object._meta.verbose_name_plural.capitalize(),
            },
            {"url": self.get_success_url(), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "object": self.object,
            "intro": self.intro,
            "summary": self.get_summary(),
            "submit_label": self.submit_label or self.get_page_title(),
            "action_url": self.request.path,
            "cancel_url": self.get_success_url(),
        }

    def get_summary(self) -> list[tuple[str, object]]:
        return []


# Awards ---------------------------------------------------------------------------


class AwardFilterSet(WagtailFilterSet):
    funding_round = django_filters.ModelChoiceFilter(
        label=_("Funding round"), queryset=FundingRound.objects.all()
    )
    fund = django_filters.ModelChoiceFilter(
        label=_("Fund"),
        field_name="funding_round__fund",
        queryset=FundingRound._meta.get_field("fund").related_model.objects.all(),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Award.Status.choices
    )

    class Meta:
        model = Award
        fields = []


class AwardIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("organization", "funding_round__fund")
        )


class AwardCreateView(ServiceCreateView):
    """Offer an award directly (most come from a staff decision on an application)."""

    create_service = services.create_award

    def get_success_url(self):
        return reverse("awards:inspect", args=[self.object.pk])

    def get_success_buttons(self):
        return []

    def get_success_message(self, instance=None):
        return _("Award %(award)s offered. Its amount is committed in the ledger.") % {
            "award": instance or self.object
        }

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for name in ("starts_on", "ends_on"):
            if name in form.fields:
                form.fields[name].widget = AdminDateInput()
        return form


def award_ledger_rows(award) -> list[dict]:
    """The award's ledger rows with running committed and paid balances."""
    committed = paid = ledger.ZERO
    rows = []
    for entry in award.ledger_entries.select_related("disbursement").order_by(
        "created_at", "pk"
    ):
        if entry.account == LedgerEntry.Account.COMMITTED:
            committed += entry.amount
        elif entry.account == LedgerEntry.Account.PAID:
            paid += entry.amount
        rows.append(
            {
                "entry": entry,
                "committed": committed,
                "paid": paid,
                "left_to_pay": committed - paid,
            }
        )
    return rows


class AwardInspectView(generic.InspectView):
    template_name = "grants/admin/award_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Award.objects.select_related("organization", "funding_round__fund"),
            pk=self.pk,
        )

    @cached_property
    def header_more_buttons(self):
        buttons = []
        user = self.request.user
        award = self.object
        if award.is_live and has_perm(user, "grants.amend_award"):
            buttons.append(_button(_("Amend amount"), "awards:amend", award, "edit"))
            buttons.append(_button(_("Rescind"), "awards:rescind", award, "cross"))
        if award.is_live and has_perm(user, "grants.change_installment"):
            buttons.append(
                _button(_("Set payment schedule"), "awards:schedule", award, "date")
            )
        if award.is_live and has_perm(user, "grants.change_hiringcommitment"):
            buttons.append(
                _button(_("Hiring commitment"), "awards:commitment", award, "group")
            )
        if award.is_live and has_perm(user, "grants.add_hiringreport"):
            buttons.append(
                _button(
                    _("Report schedule"), "awards:report_schedule", award, "calendar"
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        award = self.object
        today = timezone.localdate()
        installments = installments_with_status(award.installments.all()).order_by(
            "number"
        )
        can_request = award.status in {
            Award.Status.ACCEPTED,
            Award.Status.ACTIVE,
        } and has_perm(self.request.user, "grants.request_disbursement")
        rows = installment_rows([_with_award(i, award) for i in installments], today)
        reports = list(award.hiring_reports.order_by("number"))
        verified = sum(1 for r in reports if r.status == HiringReport.Status.VERIFIED)
        for row in rows:
            row["waiting_for_reports"] = row["installment"].reports_required > verified
            row["can_ask"] = (
                can_request
                and not row["waiting_for_reports"]
                and row["installment"].payment_status
                in {None, Disbursement.Status.FAILED, Disbursement.Status.REVERSED}
            )
        context.update(
            {
                "award": award,
                "installments": rows,
                "disbursements": award.disbursements.select_related(
                    "installment", "requested_by", "approved_by"
                ).order_by("-requested_at", "-pk"),
                "ledger_rows": award_ledger_rows(award),
                "commitment": HiringCommitment.objects.filter(award=award).first(),
                "reports": reports,
                "verified_reports": verified,
                "can_see_reports": has_perm(
                    self.request.user, "grants.view_hiringreport"
                ),
                "committed": ledger.committed_to_award(award),
                "paid": ledger.paid_on_award(award),
                "can_see_payments": has_perm(
                    self.request.user, "grants.view_disbursement"
                ),
            }
        )
        return context


def _with_award(installment, award):
    installment.award = award
    return installment


def _button(label, url_name, obj, icon):
    return HeaderButton(label, url=reverse(url_name, args=[obj.pk]), icon_name=icon)


class AwardActionView(GrantsActionView):
    index_url_name = "awards:index"
    inspect_url_name = "awards:inspect"
    header_icon = "tick-inverse"

    def load_object(self, pk):
        return get_object_or_404(
            Award.objects.select_related("organization", "funding_round"), pk=pk
        )

    def get_summary(self):
        return [
            (_("Organization"), self.object.organization),
            (_("Funding round"), self.object.funding_round),
            (_("Amount"), f"${self.object.amount:,.2f}"),
            (_("Status"), self.object.get_status_display()),
        ]


class AmendForm(forms.Form):
    amount = MoneyField(label=_("New amount (USD)"))
    reason = forms.CharField(
        label=_("Why the amount changes"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the ledger with the difference."),
    )


class AmendAwardView(AwardActionView):
    permission = "grants.amend_award"
    form_class = AmendForm
    page_title = _("Amend the award amount")
    success_message = _("The award is amended. The difference is in the ledger.")
    intro = _(
        "The difference between the old and new amount is written to the ledger as "
        "an adjustment. The amount cannot go below what is paid or on its way."
    )

    def get_initial(self):
        return {"amount": self.object.amount}

    def perform(self, form):
        services.amend_award(
            actor=self.request.user, award=self.object, **form.cleaned_data
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class RescindAwardView(AwardActionView):
    permission = "grants.amend_award"
    form_class = ReasonForm
    page_title = _("Rescind the award")
    success_message = _("The award is rescinded. What was not paid is released.")
    intro = _(
        "Payments not yet sent are cancelled, and the part of the award not paid "
        "goes back to the round's budget. This cannot be undone."
    )

    def perform(self, form):
        services.rescind_award(
            actor=self.request.user,
            award=self.object,
            reason=form.cleaned_data["reason"],
        )


class InstallmentRowForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), required=False, widget=AdminDateInput())
    amount = MoneyField(label=_("Amount (USD)"), required=False)
    condition = forms.CharField(label=_("Condition"), max_length=300, required=False)
    reports_required = forms.IntegerField(
        label=_("Verified reports needed"),
        min_value=0,
        max_value=60,
        required=False,
        help_text=_("0 or empty: paid without waiting for a progress report."),
    )

    def clean(self):
        cleaned = super().clean()
        has_date = cleaned.get("due_on") is not None
        has_amount = cleaned.get("amount") is not None
        if has_date != has_amount and not self.errors:
            raise forms.ValidationError(
                _("Give each installment both a due date and an amount.")
            )
        return cleaned

    @property
    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        return data.get("due_on") is None and data.get("amount") is None


InstallmentFormSet = forms.formset_factory(
    InstallmentRowForm, extra=2, max_num=24, validate_max=True
)


class ScheduleForm(forms.Form):
    """The schedule as one form: a formset of rows, each due date / amount."""

    def __init__(self, *args, installments_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.formset = InstallmentFormSet(
            data=self.data if self.is_bound else None,
            initial=installments_initial or [],
            prefix="installments",
        )

    def is_valid(self):
        return super().is_valid() and self.formset.is_valid()

    def rows(self) -> list[dict]:
        return [
            {
                "due_on": row.cleaned_data["due_on"],
                "amount": row.cleaned_data["amount"],
                "condition": row.cleaned_data.get("condition", ""),
                "reports_required": row.cleaned_data.get("reports_required") or 0,
            }
            for row in self.formset.forms
            if not row.is_blank
        ]


class SetScheduleView(AwardActionView):
    permission = "grants.change_installment"
    form_class = ScheduleForm
    template_name = "grants/admin/schedule.html"
    page_title = _("Set the payment schedule")
    success_message = _("The payment schedule is saved.")
    intro = _(
        "The installments must add up exactly to the award. Installments that already "
        "have a payment stay as they are and count towards the total. Leave a row "
        "empty to remove it."
    )

    @cached_property
    def kept(self):
        return list(
            self.object.installments.filter(disbursements__isnull=False)
            .distinct()
            .order_by("number")
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("initial", None)
        kept = {i.pk for i in self.kept}
        kwargs["installments_initial"] = [
            {
                "due_on": i.due_on,
                "amount": i.amount,
                "condition": i.condition,
                "reports_required": i.reports_required,
            }
            for i in self.object.installments.order_by("number")
            if i.pk not in kept
        ]
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "kept": self.kept}

    def perform(self, form):
        services.set_schedule(
            actor=self.request.user, award=self.object, installments=form.rows()
        )


PAYMENT_METHOD_CHOICES = Disbursement.Method.choices


class RequestPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How to pay"),
        choices=PAYMENT_METHOD_CHOICES,
        widget=forms.RadioSelect,
    )


class RequestPaymentView(AwardActionView):
    permission = "grants.request_disbursement"
    form_class = RequestPaymentForm
    page_title = _("Ask for this installment to be paid")
    success_message = _(
        "Payment requested. A different finance officer must approve it."
    )
    intro = _(
        "Someone else in finance approves the payment before it is sent (two people "
        "look at every payment)."
    )

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.installment = get_object_or_404(
            Installment, pk=kwargs["installment_id"], award=self.object
        )

    def get_summary(self):
        return super().get_summary() + [
            (_("Installment"), self.installment.number),
            (_("Due on"), self.installment.due_on),
            (_("Installment amount"), f"${self.installment.amount:,.2f}"),
            (_("Condition"), self.installment.condition or _("None")),
        ]

    def perform(self, form):
        services.request_disbursement(
            actor=self.request.user,
            installment=self.installment,
            method=form.cleaned_data["method"],
        )


# Disbursements --------------------------------------------------------------------


class DisbursementFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Disbursement.Status.choices
    )
    method = django_filters.ChoiceFilter(
        label=_("Method"), choices=Disbursement.Method.choices
    )
    funding_round = django_filters.ModelChoiceFilter(
        label=_("Funding round"), queryset=FundingRound.objects.all()
    )
    needs_a_look = django_filters.BooleanFilter(
        label=_("Needs a look"), method="filter_needs_a_look"
    )

    class Meta:
        model = Disbursement
        fields = []

    def filter_needs_a_look(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.exclude(flagged="")
        return queryset.filter(flagged="")


def payee(disbursement) -> str:
    if disbursement.stipend_id:
        return str(_("Stipend: %(name)s")) % {
            "name": _person(disbursement.stipend.panelist)
        }
    if disbursement.award_id:
        return f"{disbursement.award} ({disbursement.award.organization})"
    return "-"


def _person(user) -> str:
    if user is None:
        return "-"
    name = f"{user.first_name} {user.last_name}".strip()
    return f"{name} ({user.email})" if name else user.email


class PayeeColumn(Column):
    def get_value(self, instance):
        return payee(instance)


class PersonColumn(Column):
    def get_value(self, instance):
        return _person(getattr(instance, self.name))


class DisbursementIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related(
                "award__organization",
                "stipend__panelist",
                "funding_round",
                "requested_by",
            )
        )


class DisbursementInspectView(generic.InspectView):
    template_name = "grants/admin/disbursement_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Disbursement.objects.select_related(
                "award__organization",
                "stipend__panelist",
                "installment",
                "funding_round",
                "requested_by",
                "approved_by",
            ),
            pk=self.pk,
        )

    @cached_property
    def header_more_buttons(self):
        d = self.object
        user = self.request.user
        status = Disbursement.Status
        buttons = []
        if d.status == status.REQUESTED and has_perm(
            user, "grants.approve_disbursement"
        ):
            buttons.append(_button(_("Approve"), "disbursements:approve", d, "tick"))
        manual = d.method != Disbursement.Method.STRIPE
        if has_perm(user, "grants.record_disbursement"):
            if d.status == status.APPROVED and manual:
                buttons.append(
                    _button(_("Record as sent"), "disbursements:mark_sent", d, "mail")
                )
            if d.status == status.SENT and manual:
                buttons.append(
                    _button(_("Record as paid"), "disbursements:mark_paid", d, "tick")
                )
            if d.status in {status.SENT, status.PAID} and manual:
                buttons.append(
                    _button(
                        _("Record failed or reversed"),
                        "disbursements:mark_failed",
                        d,
                        "warning",
                    )
                )
        if d.status in {status.REQUESTED, status.APPROVED} and has_perm(
            user, "grants.request_disbursement"
        ):
            buttons.append(_button(_("Cancel"), "disbursements:cancel", d, "cross"))
        return buttons

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "-" if value in (None, "") else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "disbursement": self.object,
                "payee": payee(self.object),
                "requested_by": _person(self.object.requested_by),
                "approved_by": _person(self.object.approved_by),
                "ledger_entries": self.object.ledger_entries.order_by(
                    "created_at", "pk"
                ),
            }
        )
        return context


class DisbursementActionView(GrantsActionView):
    index_url_name = "disbursements:index"
    inspect_url_name = "disbursements:inspect"
    header_icon = "doc-full"

    def load_object(self, pk):
        return get_object_or_404(
            Disbursement.objects.select_related(
                "award__organization", "stipend__panelist", "requested_by"
            ),
            pk=pk,
        )

    def get_summary(self):
        d = self.object
        return [
            (_("Paid to"), payee(d)),
            (_("Amount"), f"${d.amount:,.2f}"),
            (_("Method"), d.get_method_display()),
            (_("Status"), d.get_status_display()),
            (_("Asked for by"), _person(d.requested_by)),
        ]


class ApproveDisbursementView(DisbursementActionView):
    permission = "grants.approve_disbursement"
    form_class = forms.Form
    page_title = _("Approve this payment")
    success_message = _("Payment approved.")
    intro = _(
        "Check the payee, amount and method. The person who asked for this payment "
        "cannot approve it: a second person always looks."
    )

    def perform(self, form):
        services.approve_disbursement(actor=self.request.user, disbursement=self.object)


class MarkSentForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        help_text=_("The ACH trace number, check number or card reference."),
    )


class MarkSentView(DisbursementActionView):
    permission = "grants.record_disbursement"
    form_class = MarkSentForm
    page_title = _("Record this payment as sent")
    success_message = _("Recorded as sent. The ledger shows the money as paid out.")

    def perform(self, form):
        services.mark_sent(
            actor=self.request.user,
            disbursement=self.object,
            reference=form.cleaned_data["reference"],
        )


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Date the money arrived"),
        widget=AdminDateInput(),
        help_text=_("When the bank cleared it or the check was cashed."),
    )


class MarkPaidView(DisbursementActionView):
    permission = "grants.record_disbursement"
    form_class = MarkPaidForm
    page_title = _("Record this payment as paid")
    success_message = _("Recorded as paid.")

    def get_initial(self):
        return {"paid_on": timezone.localdate()}

    def perform(self, form):
        services.mark_paid(
            actor=self.request.user,
            disbursement=self.object,
            paid_on=form.cleaned_data["paid_on"],
        )


class MarkFailedForm(ReasonForm):
    reversed_payment = forms.BooleanField(
        label=_("The payment was reversed after it arrived"),
        required=False,
        help_text=_("Leave unticked when the payment bounced or never arrived."),
    )


class MarkFailedView(DisbursementActionView):
    permission = "grants.record_disbursement"
    form_class = MarkFailedForm
    page_title = _("Record this payment as failed or reversed")
    success_message = _(
        "Recorded. The ledger shows the money back, and the installment can be "
        "paid again."
    )

    def perform(self, form):
        services.mark_failed(
            actor=self.request.user, disbursement=self.object, **form.cleaned_data
        )


class CancelDisbursementView(DisbursementActionView):
    permission = "grants.request_disbursement"
    form_class = ReasonForm
    page_title = _("Cancel this payment")
    success_message = _("Payment cancelled. Nothing was sent.")
    intro = _("Only a payment that has not been sent can be cancelled.")

    def perform(self, form):
        services.cancel_disbursement(
            actor=self.request.user,
            disbursement=self.object,
            reason=form.cleaned_data["reason"],
        )


# Stipends --------------------------------------------------------------------------

STIPEND_METHOD_CHOICES = [
    (value, label)
    for value, label in Disbursement.Method.choices
    if value != Disbursement.Method.MANUAL_ACH
]


class PayStipendForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How to pay"), choices=STIPEND_METHOD_CHOICES, widget=forms.RadioSelect
    )


class PayStipendView(GrantsActionView):
    permission = "grants.request_disbursement"
    form_class = PayStipendForm
    index_url_name = "stipends:index"
    inspect_url_name = "stipends:inspect"
    header_icon = "pick"
    page_title = _("Pay this stipend")
    success_message = _(
        "Payment requested. A different finance officer must approve it."
    )
    intro = _(
        "Stipends are paid by check, prepaid card or Stripe. Someone else in finance "
        "approves the payment before it is sent."
    )

    def load_object(self, pk):
        return get_object_or_404(
            Stipend.objects.select_related("panelist", "funding_round"), pk=pk
        )

    def get_summary(self):
        return [
            (_("Panelist"), _person(self.object.panelist)),
            (_("Funding round"), self.object.funding_round),
            (_("Amount"), f"${self.object.amount:,.2f}"),
            (_("Status"), self.object.get_status_display()),
        ]

    def perform(self, form):
        services.request_stipend_payment(
            actor=self.request.user,
            stipend=self.object,
            method=form.cleaned_data["method"],
        )


class StipendInspectView(generic.InspectView):
    template_name = "grants/admin/stipend_inspect.html"

    @cached_property
    def header_more_buttons(self):
        live = self.object.disbursements.filter(status__in=ledger.LIVE_PAYMENTS)
        if (
            self.object.status != Stipend.Status.PAID
            and not live.exists()
            and has_perm(self.request.user, "grants.request_disbursement")
        ):
            return [_button(_("Pay this stipend"), "stipends:pay", self.object, "pick")]
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payments"] = self.object.disbursements.order_by("-requested_at")
        context["can_see_payments"] = has_perm(
            self.request.user, "grants.view_disbursement"
        )
        return context


# Ledger ----------------------------------------------------------------------------


class LedgerFilterSet(WagtailFilterSet):
    funding_round = django_filters.ModelChoiceFilter(
        label=_("Funding round"), queryset=FundingRound.objects.all()
    )
    award = django_filters.NumberFilter(
        label=_("Award number"),
        field_name="award_id",
        help_text=_("The number at the end of the award's identifier."),
        min_value=1,
        max_value=2**63 - 1,
    )
    account = django_filters.ChoiceFilter(
        label=_("Account"), choices=LedgerEntry.Account.choices
    )
    kind = django_filters.ChoiceFilter(
        label=_("What happened"), choices=LedgerEntry.Kind.choices
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Date"), field_name="created_at__date", widget=DateRangePickerWidget
    )

    class Meta:
        model = LedgerEntry
        fields = []


class StipendIndexView(FormulaSafeExportMixin, generic.IndexView):
    """Panel stipends; the export's cells are formula-safe (round titles are text)."""


class LedgerIndexView(FormulaSafeExportMixin, generic.IndexView):
    """Read-only ledger listing, with totals of the filtered rows and exports."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("funding_round", "award", "disbursement")
        )

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.is_export:
            filtered = self.get_queryset()
            totals = {
                row["account"]: row["total"]
                for row in filtered.order_by()
                .values("account")
                .annotate(total=ledger.money_sum("amount"))
            }
            labels = dict(LedgerEntry.Account.choices)
            context["account_totals"] = [
                {"label": labels[account], "total": totals.get(account, ledger.ZERO)}
                for account in LedgerEntry.Account.values
            ]
        return context

    def as_spreadsheet(self, queryset, spreadsheet_format):
        # Who took a copy of the money journal, in which format and with which filters.
        person = concrete_user(self.request.user)
        log(
            instance=person,
            action="grants.export_ledger",
            user=person,
            data={
                "format": spreadsheet_format,
                "filters": self.request.GET.urlencode()[:500],
            },
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)
