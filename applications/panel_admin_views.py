"""Program staff's panel screens in the Wagtail admin: people, assignment, ranking.

Every view loads its panel through ``panel_for_staff``, which answers 404 unless the
permission gate allows changing that panel. Writes go through services, which check
again.
"""

from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from applications import ranking, selectors, services
from applications.models import (
    Application,
    Assignment,
    ConflictDeclaration,
    Panel,
    PanelInvitation,
    PanelMembership,
)
from portal.admin_views import (
    ServiceActionMixin,
    ServiceCreateView,
    ServiceEditView,
    ServiceFormMixin,
)
from portal.permissions import has_perm

CHANGE_PERM = "applications.change_panel"


def panel_for_staff(user, pk) -> Panel:
    """A panel the person may run, or 404."""
    panel = Panel.objects.select_related("funding_round__fund").filter(pk=pk).first()
    if panel is None or not has_perm(user, CHANGE_PERM, panel):
        raise Http404
    return panel


class PanelCreateView(ServiceCreateView):
    create_service = services.create_panel


class PanelEditView(ServiceEditView):
    update_service = services.update_panel
    object_arg = "panel"

    def get_object(self, queryset=None):
        return panel_for_staff(self.request.user, self.kwargs["pk"])


class RubricCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.save_rubric(
            actor=self.request.user, rubric=self.form.save(commit=False)
        )


class RubricEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        return services.save_rubric(
            actor=self.request.user, rubric=self.form.save(commit=False)
        )


def panel_context(panel) -> dict:
    """Members, invitations, and each application with its reviewers and conflicts."""
    applications = list(
        Application.objects.filter(funding_round_id=panel.funding_round_id)
        .exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])
        .filter(submitted_at__isnull=False)
        .select_related("organization")
        .order_by("reference")
    )
    assignments = {}
    for assignment in panel.assignments.select_related("panelist", "review"):
        assignments.setdefault(assignment.application_id, []).append(assignment)
    conflicts = {}
    for declaration in ConflictDeclaration.objects.filter(
        application__funding_round_id=panel.funding_round_id, has_conflict=True
    ).select_related("panelist"):
        conflicts.setdefault(declaration.application_id, []).append(declaration)
    rows = [
        {
            "application": application,
            "assignments": assignments.get(application.pk, []),
            "conflicts": conflicts.get(application.pk, []),
        }
        for application in applications
    ]
    return {
        "panel": panel,
        "members": panel.members.select_related("user"),
        "invitations": panel.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "rows": rows,
        "rubric": selectors.rubric_for(panel.funding_round_id),
        "stipends": panel.funding_round.stipends.select_related("panelist"),
    }


class PanelInspectView(generic.InspectView):
    any_permission_required = None
    template_name = "applications/admin/panel_inspect.html"

    def get_object(self, queryset=None):
        return panel_for_staff(self.request.user, self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(panel_context(self.object))
        context["url_prefix"] = "panels"
        return context


class PanelActionView(ServiceActionMixin, WagtailAdminTemplateMixin, FormView):
    """One action on a panel, from its inspect page."""

    template_name = "applications/admin/action.html"
    header_icon = "group"
    intro = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.panel = panel_for_staff(request.user, kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.panel)

    def get_success_url(self):
        return reverse("panels:inspect", args=[self.panel.pk])

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "panel": self.panel,
            "intro": self.intro,
            "action_url": self.request.path,
            "cancel_url": self.get_success_url(),
        }


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=PanelMembership.Role.choices)
    stipend_rate = forms.DecimalField(
        label=_("Stipend rate per hour (USD)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal("40.00"),
    )


class InviteMemberView(PanelActionView):
    form_class = InviteForm
    page_title = _("Invite a panel member")
    success_message = _("Invitation sent.")
    intro = _(
        "We email a link. The person chooses a password when they accept, and sets "
        "up a second sign-in step before seeing any application."
    )

    def perform(self, form):
        services.invite_panel_member(
            actor=self.request.user, panel=self.panel, **form.cleaned_data
        )


class RevokeInvitationView(PanelActionView):
    form_class = forms.Form
    page_title = _("Cancel invitation")
    success_message = _("Invitation cancelled.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invitation = get_object_or_404(
            PanelInvitation, pk=kwargs["invitation_id"], panel=self.panel
        )

    def perform(self, form):
        services.revoke_panel_invitation(
            actor=self.request.user, invitation=self.invitation
        )


class StipendRateForm(forms.Form):
    stipend_rate = forms.DecimalField(
        label=_("Stipend rate per hour (USD)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )


class SetStipendRateView(PanelActionView):
    form_class = StipendRateForm
    page_title = _("Change stipend rate")
    success_message = _("Stipend rate changed.")
    intro = _(
        "The new rate applies to all of this person's hours on the panel the next "
        "time stipends are sent to finance. A stipend finance has approved does "
        "not change."
    )

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.membership = get_object_or_404(
            PanelMembership, pk=kwargs["membership_id"], panel=self.panel
        )

    def get_initial(self):
        return {"stipend_rate": self.membership.stipend_rate}

    def perform(self, form):
        services.set_stipend_rate(
            actor=self.request.user,
            membership=self.membership,
            stipend_rate=form.cleaned_data["stipend_rate"],
        )


class RemoveMemberView(PanelActionView):
    form_class = forms.Form
    page_title = _("Take someone off the panel")
    success_message = _("They are no longer on the panel.")
    intro = _(
        "Their open assignments go back to the panel and they can no longer open any "
        "application of this panel. Reviews they submitted and hours they logged "
        "stay, and are still paid."
    )

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.membership = get_object_or_404(
            PanelMembership,
            pk=kwargs["membership_id"],
            panel=self.panel,
            removed_at__isnull=True,
        )

    def perform(self, form):
        services.remove_panel_member(
            actor=self.request.user, membership=self.membership
        )


class ManualAssignForm(forms.Form):
    application = forms.ModelChoiceField(
        label=_("Application"), queryset=Application.objects.none()
    )
    panelist = forms.ModelChoiceField(label=_("Panelist"), queryset=None)
    due_on = forms.DateField(
        label=_("Due on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, panel, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.models import User

        self.fields["application"].queryset = Application.objects.filter(
            funding_round_id=panel.funding_round_id,
            status=Application.Status.ELIGIBLE,
        ).order_by("reference")
        self.fields["application"].label_from_instance = lambda a: (
            f"{a.reference}: {a.title}"
        )
        self.fields["panelist"].queryset = User.objects.filter(
            panel_seats__panel=panel, panel_seats__removed_at__isnull=True
        ).order_by("first_name")
        self.fields["panelist"].label_from_instance = lambda u: (
            f"{u.first_name} ({u.email})" if u.first_name else u.email
        )


class ManualAssignView(PanelActionView):
    form_class = ManualAssignForm
    page_title = _("Assign a reviewer")
    success_message = _("Reviewer assigned.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "panel": self.panel}

    def perform(self, form):
        services.assign_reviewer(
            actor=self.request.user, panel=self.panel, **form.cleaned_data
        )


class UnassignView(PanelActionView):
    form_class = forms.Form
    page_title = _("Take an application back")
    success_message = _(
        "The assignment is removed. The panelist can no longer open it."
    )
    intro = _("The panelist loses access straight away. A draft review is discarded.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.assignment = get_object_or_404(
            Assignment, pk=kwargs["assignment_id"], panel=self.panel
        )

    def perform(self, form):
        services.withdraw_reviewer(actor=self.request.user, assignment=self.assignment)


class ContentNoteForm(forms.Form):
    content_note = forms.CharField(
        label=_("Content note"),
        max_length=300,
        required=False,
        help_text=_(
            "Leave empty for none. Panelists see it before opening the application."
        ),
    )


class ContentNoteView(PanelActionView):
    form_class = ContentNoteForm
    page_title = _("Content note for reviewers")
    success_message = _("Content note saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.application = get_object_or_404(
            Application,
            pk=kwargs["application_id"],
            funding_round_id=self.panel.funding_round_id,
        )

    def get_initial(self):
        return {"content_note": self.application.content_note}

    def perform(self, form):
        services.set_content_note(
            actor=self.request.user,
            application=self.application,
            content_note=form.cleaned_data["content_note"],
        )


class SendStipendsView(PanelActionView):
    form_class = forms.Form
    page_title = _("Send stipends to finance")
    success_message = _("Stipends sent to finance.")
    intro = _(
        "Each panelist's stipend is worked out from the hours they logged and their "
        "rate, or the flat amount per submitted review. Finance sees them in "
        "Panel stipends. A stipend finance has approved does not change."
    )

    def perform(self, form):
        services.send_stipends_to_finance(actor=self.request.user, panel=self.panel)


class AutoAssignView(PanelActionView):
    """Preview a balanced assignment; confirm to create it."""

    form_class = forms.Form
    template_name = "applications/admin/panel_auto_assign.html"
    page_title = _("Assign reviewers automatically")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = services.plan_assignments(panel=self.panel)
        applications = Application.objects.in_bulk(
            {a for a, _p in plan.new_pairs} | set(plan.shortfalls)
        )
        people = {m.user_id: m.user for m in self.panel.members.select_related("user")}
        context.update(
            {
                "plan": plan,
                "pairs": [(applications[a], people[p]) for a, p in plan.new_pairs],
                "shortfalls": [
                    (applications[a], missing) for a, missing in plan.shortfalls.items()
                ],
                "loads": [(people[p], load) for p, load in sorted(plan.loads.items())],
            }
        )
        return context

    def perform(self, form):
        plan = services.apply_assignment_plan(
            actor=self.request.user,
            panel=self.panel,
            expected=self.request.POST.get("plan", ""),
        )
        self.success_message = _("%(count)s assignments created.") % {
            "count": len(plan.new_pairs)
        }


class RankingView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "applications/admin/panel_ranking.html"
    header_icon = "list-ol"
    page_title = _("Ranking")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.panel = panel_for_staff(request.user, kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.panel)

    def get_context_data(self, **kwargs):
        rubric = selectors.rubric_for(self.panel.funding_round_id)
        page, rows = ranking.meeting_page(
            self.panel, rubric=rubric, page_number=self.request.GET.get("page")
        )
        return {
            **super().get_context_data(**kwargs),
            "panel": self.panel,
            "rubric": rubric,
            "rows": rows,
            "page_obj": page,
            "budget": self.panel.funding_round.budget,
            "expected": self.panel.reviewers_per_application,
        }
