"""Spreadsheet cells that are safe to open in Excel or Calc, for every app's exports.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return would
be run as a formula by spreadsheet programs (CSV injection), so such text gets a
leading single quote. Numbers and dates stay numbers and dates. Wagtail's
``SpreadsheetExportMixin`` does not neutralise CSV cells at all. This lives in
``portal`` so that the ledger, application and audit-trail exports share one rule.
"""

import datetime
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal import ratelimit

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NOT_TEXT = (bool, int, float, Decimal, datetime.date, datetime.time)


def neutralise_formula(value):
    """Prefix a quote to text that a spreadsheet would otherwise run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class FormulaSafeCellsMixin:
    """Put in front of ``SpreadsheetExportMixin``: text cells neutralised in both
    formats, and exports limited per account (views only)."""

    def get(self, request, *args, **kwargs):
        # Exports read many rows: limited per account, in the shared cache.
        if request.GET.get("export") and not ratelimit.allowed(
            request, "export", by="user"
        ):
            return ratelimit.too_many_requests(request, "export")
        return super().get(request, *args, **kwargs)

    def preprocess_field_value(self, field, value, export_format):
        prepared = super().preprocess_field_value(field, value, export_format)
        if value is None or isinstance(value, _NOT_TEXT):
            return prepared
        prepared = neutralise_formula(prepared)
        if export_format == self.FORMAT_XLSX and isinstance(prepared, str):
            # openpyxl refuses control characters; dropping them beats a failed export.
            prepared = ILLEGAL_CHARACTERS_RE.sub("", prepared)
        return prepared
