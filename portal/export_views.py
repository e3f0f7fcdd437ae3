"""Your spreadsheet downloads: staff exports made in the background, and their files
(Reports → Your spreadsheet downloads)."""

import re

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.downloads import file_download
from portal.models import SpreadsheetExport
from portal.permissions import can_download_spreadsheet_export
from portal.spreadsheet_exports import exports_for, record_spreadsheet_download

SHOWN = 50
DATED = re.compile(r"\d{4}-\d{2}-\d{2}$")
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
                export.status == SpreadsheetExport.Status.PENDING
                and not export.looks_stuck()
                for export in exports
            ),
        }


@require_GET
def download_spreadsheet_export(request, pk: int):
    export = get_object_or_404(
        exports_for(request.user), pk=pk, status=SpreadsheetExport.Status.READY
    )
    if not can_download_spreadsheet_export(request.user, export):
        raise Http404
    record_spreadsheet_download(actor=request.user, export=export)
    name = export.filename
    if not DATED.search(name):  # some listings put the date in the name already
        name = f"{name}-{timezone.localdate(export.ready_at).isoformat()}"
    return file_download(
        export.file,
        filename=f"{name}.{export.export_format}",
        content_type=CONTENT_TYPES[export.export_format],
    )


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
