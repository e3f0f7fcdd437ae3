"""Administrators erase a person's or an organization's personal data on request."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from applications.services.privacy import erase_organization, erase_person
from grants.models import Organization
from portal.forms import add_service_errors
from portal.models import ErasureRecord, User
from portal.permissions import can_erase_personal_data


class ConfirmErasureForm(forms.Form):
    confirmed = forms.BooleanField(
        label=gettext_lazy(
            "I have checked who is asking, and this erasure is what they asked for."
        ),
        required=True,
    )


class EraseView(WagtailAdminTemplateMixin, FormView):
    """Explain what erasure removes and keeps, then erase after a confirmation."""

    template_name = "applications/admin/erase.html"
    form_class = ConfirmErasureForm
    page_title = gettext_lazy("Erase personal data")
    header_icon = "bin"
    model = None

    def dispatch(self, request, *args, **kwargs):
        if not can_erase_personal_data(request.user):
            raise Http404
        self.subject = get_object_or_404(self.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kind = (
            ErasureRecord.Subject.PERSON
            if self.model is User
            else ErasureRecord.Subject.ORGANIZATION
        )
        return {
            **super().get_context_data(**kwargs),
            "subject": self.subject,
            "is_person": self.model is User,
            "already": ErasureRecord.objects.filter(
                subject=kind, subject_id=self.subject.pk
            ).first(),
            "cancel_url": self.cancel_url(),
        }

    def form_valid(self, form):
        try:
            changes = self.erase()
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if changes:
            messages.success(self.request, _("The personal data was erased."))
        else:
            messages.info(self.request, _("There was nothing left to erase."))
        return redirect(self.cancel_url())


class ErasePersonView(EraseView):
    model = User

    def get_page_subtitle(self):
        return str(self.subject)

    def cancel_url(self):
        return reverse("wagtailusers_users:index")

    def erase(self):
        return erase_person(actor=self.request.user, user=self.subject)


class EraseOrganizationView(EraseView):
    model = Organization

    def get_page_subtitle(self):
        return _("Organization %(number)s") % {"number": self.subject.pk}

    def cancel_url(self):
        return reverse("wagtailadmin_home")

    def erase(self):
        return erase_organization(actor=self.request.user, organization=self.subject)


class OrganizationErasureIndexView(WagtailAdminTemplateMixin, FormView):
    """Find an organization to erase, by name or number."""

    template_name = "applications/admin/erase_index.html"
    page_title = gettext_lazy("Erase an organization's data")
    header_icon = "bin"

    class SearchForm(forms.Form):
        q = forms.CharField(label=gettext_lazy("Name or number"), max_length=200)

    form_class = SearchForm

    def dispatch(self, request, *args, **kwargs):
        if not can_erase_personal_data(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {"data": self.request.GET or None}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        found = []
        if form.is_bound and form.is_valid():
            query = form.cleaned_data["q"].strip()
            found = Organization.objects.filter(
                models.Q(legal_name__icontains=query)
                | models.Q(public_name__icontains=query)
                | models.Q(pk=int(query) if query.isdigit() else None)
            ).order_by("public_name")[:20]
        context["organizations"] = found
        return context
