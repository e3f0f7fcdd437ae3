"""Administrators sign a person out on every device, from the Wagtail users list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.accounts import services
from portal.models import User
from portal.permissions import can_end_sessions


class EndSessionsView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then end every session of the person (they sign in again)."""

    template_name = "accounts/admin/end_sessions.html"
    page_title = gettext_lazy("Sign out everywhere")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not can_end_sessions(request.user):
            raise Http404
        self.person = get_object_or_404(User, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.person.email

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "person": self.person,
            "cancel_url": reverse("wagtailusers_users:index"),
        }

    def post(self, request, *args, **kwargs):
        try:
            services.end_all_sessions(actor=request.user, user=self.person)
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(
            request,
            _("%(email)s is signed out on every device.")
            % {"email": self.person.email},
        )
        return redirect("wagtailusers_users:index")
