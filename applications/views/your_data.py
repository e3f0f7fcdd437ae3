"""An organization's owners ask for, and download, a copy of everything it gave us."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from applications.models import DataExport
from applications.services.data_export import (
    record_data_export_download,
    request_data_export,
)
from grants.models import Organization
from portal import ratelimit
from portal.downloads import file_download
from portal.permissions import can_request_data_export


def _owned_organization(user, pk: int) -> Organization:
    """The organization, if this person owns it; 404 for everyone else."""
    organization = get_object_or_404(Organization, pk=pk)
    if not can_request_data_export(user, organization):
        raise Http404
    return organization


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit.ratelimit("export", by="user")
def your_data(request, pk: int):
    """What a copy holds, the copies made lately, and a button for a new one."""
    organization = _owned_organization(request.user, pk)
    if request.method == "POST":
        try:
            request_data_export(actor=request.user, organization=organization)
        except PermissionDenied as error:
            raise Http404 from error
        return redirect("applications:your_data", pk=organization.pk)
    return render(
        request,
        "applications/your_data.html",
        {
            "organization": organization,
            "exports": organization.data_exports.all()[:5],
        },
    )


@login_required
@require_http_methods(["GET"])
def your_data_download(request, pk: int, export_id: int):
    organization = _owned_organization(request.user, pk)
    export = get_object_or_404(
        DataExport,
        pk=export_id,
        organization=organization,
        status=DataExport.Status.READY,
    )
    record_data_export_download(actor=request.user, export=export)
    stamp = export.ready_at.date().isoformat()
    return file_download(
        export.file,
        filename=f"organization-{organization.pk}-data-{stamp}.zip",
        content_type="application/zip",
    )
