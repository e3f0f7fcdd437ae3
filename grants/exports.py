"""Spreadsheet exports of the money ledger, safe to open in Excel or Calc.

A memo or title that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return
would be run as a formula by spreadsheet programs (CSV injection), so such text gets a
leading single quote. Numbers and dates stay numbers and dates. Wagtail's
``SpreadsheetExportMixin`` does not neutralise CSV cells at all, and it loads the whole
queryset into memory; here both formats walk the rows with ``.iterator()``, and the
task worker writes them to a temporary file (``portal.spreadsheet_exports``), so
memory stays flat however many rows there are.

The cell rule itself (``FormulaSafeCellsMixin``, ``neutralise_formula``) lives in
``portal.exports`` so the audit trail can share it; it is importable from here too,
as ``applications.exports`` and ``grants.open_data`` do.
"""

from django.utils.translation import gettext_lazy as _

from portal.exports import FormulaSafeCellsMixin, neutralise_formula

__all__ = [
    "CHUNK_SIZE",
    "LEDGER_EXPORT_FIELDS",
    "LEDGER_EXPORT_HEADINGS",
    "FormulaSafeCellsMixin",
    "FormulaSafeExportMixin",
    "neutralise_formula",
]

CHUNK_SIZE = 2000

LEDGER_EXPORT_FIELDS = [
    "pk",
    "created_at",
    "funding_round.title",
    "award",
    "get_account_display",
    "get_kind_display",
    "amount",
    "disbursement_id",
    "memo",
]
LEDGER_EXPORT_HEADINGS = {
    "pk": _("Row"),
    "created_at": _("Date and time"),
    "funding_round.title": _("Funding round"),
    "award": _("Award"),
    "get_account_display": _("Account"),
    "get_kind_display": _("What happened"),
    "amount": _("Amount (USD)"),
    "disbursement_id": _("Payment number"),
    "memo": _("Memo"),
}


class FormulaSafeExportMixin(FormulaSafeCellsMixin):
    """Formula-safe cells, and rows read with ``.iterator()`` so an export of every
    row keeps memory flat (the worker writes them to a file as they are read)."""

    def get_context_data(self, *args, **kwargs):
        if self.is_export:
            # The listing's table and its item count (len() of an unpaginated
            # queryset) would load every row into memory before the first byte.
            return {"object_list": self.object_list}
        return super().get_context_data(*args, **kwargs)

    def export_rows(self, queryset):
        if hasattr(queryset, "iterator"):
            return queryset.iterator(chunk_size=CHUNK_SIZE)
        return iter(queryset)

    def stream_csv(self, queryset):
        return super().stream_csv(_Rows(queryset, self.export_rows(queryset)))

    def write_xlsx(self, queryset, output):
        return super().write_xlsx(_Rows(queryset, self.export_rows(queryset)), output)


class _Rows:
    """An iterable over streamed rows that still knows its model (for headings)."""

    def __init__(self, queryset, rows):
        self.model = queryset.model
        self._rows = rows

    def __iter__(self):
        return iter(self._rows)
