"""Spreadsheet cells that are safe to open in Excel or Calc, for every app's exports.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return would
be run as a formula by spreadsheet programs (CSV injection), so such text gets a
leading single quote. Numbers and dates stay numbers and dates. Wagtail's
``SpreadsheetExportMixin`` does not neutralise CSV cells at all. This lives in
``portal`` so that the ledger, application and audit-trail exports share one rule.

Every staff export is made by the task worker (``portal.spreadsheet_exports``): the
listing queues it, and the worker runs the listing's view again to write the file.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.encoding import force_bytes
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal import ratelimit
from portal.spreadsheet_exports import (
    OUTPUT_ATTRIBUTE,
    is_worker_request,
    request_spreadsheet_export,
)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NOT_TEXT = (bool, int, float, Decimal, datetime.date, datetime.time)


def neutralise_formula(value):
    """Prefix a quote to text that a spreadsheet would otherwise run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def queue_spreadsheet_export(request, **export):
    """Queue an export for the task worker and send the person to their downloads."""
    request_spreadsheet_export(actor=request.user, **export)
    messages.success(
        request,
        _(
            "We are preparing your spreadsheet. It will be ready to download here "
            "in a moment."
        ),
    )
    return redirect("portal_spreadsheet_exports")


class FormulaSafeCellsMixin:
    """Put in front of ``SpreadsheetExportMixin``: text cells neutralised in both
    formats and, in views, exports made by the task worker and limited per account.

    A web request for an export only queues it (``portal.spreadsheet_exports``) and
    sends the person to their downloads; the worker runs the same view, which
    writes the file instead of answering with it."""

    exports_in_worker = True  # spreadsheet_exports.WORKER_EXPORTS

    def get(self, request, *args, **kwargs):
        if not self.is_export or is_worker_request(request):
            return super().get(request, *args, **kwargs)
        # Exports read many rows: limited per account, in the shared cache.
        if not ratelimit.allowed(request, "export", by="user"):
            return ratelimit.too_many_requests(request, "export")
        return queue_spreadsheet_export(
            request,
            path=f"{request.path_info}?{request.GET.urlencode()}",
            title=self.export_title(),
            filename=self.get_filename(),
        )

    def export_title(self) -> str:
        title = self.get_page_title() if hasattr(self, "get_page_title") else ""
        return str(title or self.get_filename())

    def as_spreadsheet(self, queryset, spreadsheet_format):
        output = getattr(self.request, OUTPUT_ATTRIBUTE, None)
        if output is None:
            return super().as_spreadsheet(queryset, spreadsheet_format)
        if spreadsheet_format == self.FORMAT_CSV:
            for line in self.stream_csv(queryset):
                output.write(force_bytes(line))
        else:
            self.write_xlsx(queryset, output)
        response = HttpResponse(status=200)
        response.spreadsheet_written = True
        return response

    def preprocess_field_value(self, field, value, export_format):
        prepared = super().preprocess_field_value(field, value, export_format)
        if value is None or isinstance(value, _NOT_TEXT):
            return prepared
        prepared = neutralise_formula(prepared)
        if export_format == self.FORMAT_XLSX and isinstance(prepared, str):
            # openpyxl refuses control characters; dropping them beats a failed export.
            prepared = ILLEGAL_CHARACTERS_RE.sub("", prepared)
        return prepared
