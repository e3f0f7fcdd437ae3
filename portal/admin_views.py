"""Wagtail admin create/edit views that write through a service, never a bare save."""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.views import generic

from portal.audit import record_refusal
from portal.forms import add_service_errors


class ServiceFormMixin:
    """Turn a service's ValidationError into form errors instead of a crash."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            # Wagtail's form_invalid shows this banner; it is normally set only when
            # the form itself fails validation.
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ServiceCreateView(ServiceFormMixin, generic.CreateView):
    """Create through ``create_service(actor=..., **cleaned_data)``."""

    create_service = None

    def save_instance(self):
        values = {name: self.form.cleaned_data[name] for name in self.form.fields}
        return type(self).create_service(actor=self.request.user, **values)


class ServiceEditView(ServiceFormMixin, generic.EditView):
    """Edit through ``update_service(actor=..., <object_arg>=obj, **cleaned_data)``."""

    update_service = None
    object_arg = "instance"

    def save_instance(self):
        values = {name: self.form.cleaned_data[name] for name in self.form.fields}
        return type(self).update_service(
            actor=self.request.user, **{self.object_arg: self.object}, **values
        )


class ServiceActionMixin:
    """A one-form admin action: ``perform(form)`` calls the service; its refusals
    become a 404 or form errors, success a message and a redirect."""

    success_message = ""

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.perform(form)
        except PermissionDenied as error:
            record_refusal(self.request)
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())


class InspectURLFinderMixin:
    """For viewsets that route no edit view: history entries (site history, the
    audit trail) link to the inspect view instead of failing to find an edit URL."""

    @cached_property
    def url_finder_class(self):
        names = [self.get_url_name("edit"), self.get_url_name("inspect")]

        class URLFinder(ModelAdminURLFinder):
            def construct_edit_url(self, instance):
                for name in names:
                    try:
                        return reverse(name, args=(quote(instance.pk),))
                    except NoReverseMatch:
                        continue
                return None

        return URLFinder
