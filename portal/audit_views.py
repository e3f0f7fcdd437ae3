"""The audit trail in the Wagtail admin: every entry of Wagtail's audit log, for
administrators, filtered by date, action, person and type, and exported safely.

Wagtail's own "Site history" report shows each person the entries of the models they
may edit, and its CSV runs formulas; this report is whole, for administrators only,
and its spreadsheets go through the portal's formula-safe cells. Every export is
itself an entry in the trail.
"""

import datetime
import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
    get_users_for_filter,
)
from wagtail.log_actions import log

from portal.accounts.services import concrete_user
from portal.audit import EXPORT_AUDIT_TRAIL, record_refusal
from portal.exports import FormulaSafeCellsMixin
from portal.permissions import can_view_audit_trail

EXPORT_CHUNK_SIZE = 1000
RECORDED_FILTERS = {
    "action",
    "user",
    "object_type",
    "timestamp_after",
    "timestamp_before",
    "is_commenting_action",
}
FILTER_VALUE_MAX_LENGTH = 100
TEXT_FILTER = "label"


def _details(data) -> str:
    return json.dumps(data or {}, sort_keys=True, default=str)


class AuditTrailFilterSet(SiteHistoryReportFilterSet):
    """Site history's filters, with the person filter offering everyone who acted
    (Wagtail's own offers only people with entries on pages)."""

    def get_users_queryset(self):
        return get_users_for_filter(self.request.user)

    class Meta(SiteHistoryReportFilterSet.Meta):
        pass


class AuditTrailView(FormulaSafeCellsMixin, LogEntriesView):
    page_title = _("Audit trail")
    header_icon = "history"
    filterset_class = AuditTrailFilterSet
    index_url_name = "portal_audit_trail"
    index_results_url_name = "portal_audit_trail_results"

    export_headings = {
        **LogEntriesView.export_headings,
        "label": _("Reference"),
        "user_id": _("User number"),
        "data": _("Details"),
    }
    list_export = [
        "timestamp",
        "action",
        "content_type",
        "object_id",
        "label",
        "user_id",
        "user_display_name",
        "data",
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.custom_field_preprocess["data"] = {
            self.FORMAT_CSV: _details,
            self.FORMAT_XLSX: _details,
        }

    def dispatch(self, request, *args, **kwargs):
        # A 404 like every other refused admin screen.
        if not can_view_audit_trail(request.user):
            record_refusal(request)
            raise Http404 from PermissionDenied("portal.view_audit_trail")
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"audit-trail-{datetime.date.today():%Y-%m-%d}"

    def get_context_data(self, *args, **kwargs):
        if self.is_export:
            # Counting and tabulating every entry would load them all before the file.
            return {"object_list": self.object_list}
        return super().get_context_data(*args, **kwargs)

    def decorate_paginated_queryset(self, queryset):
        if not self.is_export:
            return super().decorate_paginated_queryset(queryset)
        return self._decorated_in_chunks(queryset)

    def _decorated_in_chunks(self, queryset):
        # The export walks the entries a chunk at a time, so memory stays flat.
        chunk = []
        for row in queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            chunk.append(row)
            if len(chunk) == EXPORT_CHUNK_SIZE:
                yield from super().decorate_paginated_queryset(chunk)
                chunk = []
        if chunk:
            yield from super().decorate_paginated_queryset(chunk)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        # Who took a copy of the trail, in which format and with which filters.
        person = concrete_user(self.request.user)
        log(
            instance=person,
            action=EXPORT_AUDIT_TRAIL,
            user=person,
            data={"format": spreadsheet_format, "filters": self.filters_used()},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def filters_used(self) -> dict:
        """The filters of this request: values of ids, choices and dates; anything
        typed (the reference filter) only as "used", never what was typed."""
        used = {}
        for name, values in self.request.GET.lists():
            values = [value[:FILTER_VALUE_MAX_LENGTH] for value in values if value]
            if not values:
                continue
            if name in RECORDED_FILTERS:
                used[name] = values[:20]
            elif name == TEXT_FILTER:
                used[name] = "used"
        return used


class AuditTrailMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_audit_trail(request.user)


def audit_trail_menu_item() -> AuditTrailMenuItem:
    return AuditTrailMenuItem(
        _("Audit trail"),
        reverse("portal_audit_trail"),
        icon_name="history",
        order=650,
    )
