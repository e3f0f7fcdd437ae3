"""Spreadsheet exports of submitted applications, safe to open in Excel or Calc.

Applicant-written text goes into these files. A cell whose text starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return is read as a formula by spreadsheet
programs (CSV injection), so such text is prefixed with a single quote. Wagtail's
``SpreadsheetExportMixin`` does not do this for CSV at all; for XLSX it only stops
openpyxl from storing the text as a formula, so both formats pass through
``grants.exports.FormulaSafeCellsMixin``.
"""

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.log_actions import log

from grants.exports import FormulaSafeCellsMixin
from grants.models import FundingRound

EXPORT_ACTION = "applications.export_applications"

APPLICATION_EXPORT_FIELDS = [
    "reference",
    "organization.public_name",
    "funding_round.title",
    "get_status_display",
    "amount_requested",
    "submitted_at",
    "organization.survivor_led",
]
APPLICATION_EXPORT_HEADINGS = {
    "reference": _("Reference"),
    "organization.public_name": _("Organization"),
    "funding_round.title": _("Funding round"),
    "get_status_display": _("Status"),
    "amount_requested": _("Amount requested"),
    "submitted_at": _("Submitted at"),
    "organization.survivor_led": _("Survivor-led"),
}


def _yes_no(value) -> str:
    return str(_("Yes")) if value else str(_("No"))


class ApplicationExportMixin(FormulaSafeCellsMixin):
    """The application columns' own formatting (survivor-led as Yes/No)."""

    custom_field_preprocess = {
        "organization.survivor_led": {
            SpreadsheetExportMixin.FORMAT_CSV: _yes_no,
            SpreadsheetExportMixin.FORMAT_XLSX: _yes_no,
        },
    }


def log_export(*, user, applications, export_format: str, funding_round=None) -> None:
    """Record who exported which rounds' applications, once per round in the file.

    The audit log needs an object: each round whose applications are in the file
    gets an entry with the number of rows. An empty export filtered to one round is
    logged against that round.
    """
    # Counted by the database: an export of every row never loads their ids.
    counts = Counter(
        dict(
            applications.order_by()
            .values_list("funding_round_id")
            .annotate(rows=Count("pk"))
        )
    )
    if not counts and funding_round is not None:
        counts[funding_round.pk] = 0
    total = sum(counts.values())
    for round_obj in FundingRound.objects.filter(pk__in=counts).order_by("pk"):
        log(
            instance=round_obj,
            action=EXPORT_ACTION,
            user=user,
            data={
                "format": export_format,
                "rows": counts[round_obj.pk],
                "total_rows": total,
            },
        )
