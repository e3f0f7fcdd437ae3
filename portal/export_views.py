"""Your spreadsheet downloads: staff exports made in the background, and their files
(Reports → Your spreadsheet downloads)."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.models import SpreadsheetExport
from portal.permissions import can_download_spreadsheet_export
from portal.spreadsheet_exports import exports_for, record_spreadsheet_download

SHOWN = 50
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class SpreadsheetExportsView(WagtailAdminTemplateMixin, TemplateView):
    """The signed-in person's own exports of the last days; nobody sees another's."""

    template_name = "portal/admin/spreadsheet_exports.html"
    page_title = gettext_lazy("Your spreadsheet downloads")
    header_icon = "download"

    def get_context_data(self, **kwargs):
        exports = list(exports_for(self.request.user)[:SHOWN])
        return {
            **super().get_context_data(**kwargs),
            "exports": exports,
            "retain_days": settings.PORTAL_RETAIN_DATA_EXPORT_DAYS,
            "preparing": any(
                export.status == SpreadsheetExport.Status.PENDING for export in exports
            ),
        }


def download_spreadsheet_export(request, pk: int):
    export = get_object_or_404(
        SpreadsheetExport, pk=pk, status=SpreadsheetExport.Status.READY
    )
    if not can_download_spreadsheet_export(request.user, export):
        raise Http404
    record_spreadsheet_download(actor=request.user, export=export)
    stamp = export.ready_at.date().isoformat()
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"{export.filename}-{stamp}.{export.export_format}",
        content_type=CONTENT_TYPES[export.export_format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


class SpreadsheetExportsMenuItem(MenuItem):
    def is_shown(self, request):
        return exports_for(request.user).exists()


def spreadsheet_exports_menu_item():
    from django.urls import reverse

    return SpreadsheetExportsMenuItem(
        gettext_lazy("Your spreadsheet downloads"),
        reverse("portal_spreadsheet_exports"),
        icon_name="download",
        order=900,
    )
