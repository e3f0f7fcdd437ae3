"""Wagtail admin create/edit views that write through a service, never a bare save."""

from django.core.exceptions import ValidationError
from wagtail.admin.views import generic

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
