"""Background jobs that failed after every attempt: staff run them again or dismiss
them (Settings → Failed background jobs)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_tasks import default_task_backend
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.jobs import dismiss_failed_job, retry_failed_job
from portal.permissions import can_manage_background_jobs

SHOWN = 200


def failed_jobs():
    return DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by(
        "-finished_at"
    )


def describe(result: DBTaskResult) -> dict:
    """What staff see of a job: its name, its ids, when and how it failed. Never
    the traceback, which may quote what the job was working on."""
    kwargs = dict(result.args_kwargs.get("kwargs", {}))
    attempt = kwargs.pop("attempt", 1)
    return {
        "id": result.id,
        "name": result.task_path.rsplit(".", 1)[-1].replace("_", " "),
        "details": ", ".join(f"{key} {value}" for key, value in sorted(kwargs.items())),
        "attempts": attempt,
        "failed_at": result.finished_at,
        "error": result.exception_class_path.rsplit(".", 1)[-1],
    }


class FailedJobsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/admin/failed_jobs.html"
    page_title = gettext_lazy("Failed background jobs")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_background_jobs(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "jobs": [describe(result) for result in failed_jobs()[:SHOWN]],
            "queued": default_task_backend.supports_defer,
        }

    def post(self, request, *args, **kwargs):
        result = failed_jobs().filter(pk=request.POST.get("job")).first()
        if result is None:
            messages.info(request, _("That job was already dealt with."))
            return redirect("portal_failed_jobs")
        if request.POST.get("action") == "retry":
            retry_failed_job(actor=request.user, result=result)
            message = _("The job was queued again.")
        else:
            dismiss_failed_job(actor=request.user, result=result)
            message = _("The job was dismissed.")
        messages.success(request, message)
        return redirect("portal_failed_jobs")


class FailedJobsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_background_jobs(request.user)


def failed_jobs_menu_item():
    from django.urls import reverse

    return FailedJobsMenuItem(
        gettext_lazy("Failed background jobs"),
        reverse("portal_failed_jobs"),
        icon_name="warning",
        order=910,
    )
