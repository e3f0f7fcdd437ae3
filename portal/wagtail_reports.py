"""Wagtail's own reports, with formula-safe CSV and XLSX exports.

Page titles, people's names and history labels can start with "=" or "+"; Wagtail's
reports export them as they are. These URL patterns are placed before Wagtail's admin
URLs, so the same addresses (and URL names) serve the same reports with every text
cell neutralised, behind the same admin checks.
"""

from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.contrib.redirects.views import IndexView as RedirectIndexView

from portal.exports import FormulaSafeCellsMixin

REPORTS = [
    ("admin/reports/locked/", LockedPagesView),
    ("admin/reports/workflow/", WorkflowView),
    ("admin/reports/workflow_tasks/", WorkflowTasksView),
    ("admin/reports/site-history/", LogEntriesView),
    ("admin/reports/aging-pages/", AgingPagesView),
    ("admin/redirects/", RedirectIndexView),
]


def formula_safe_report_urls() -> list:
    patterns = []
    for prefix, view in REPORTS:
        safe = type(f"FormulaSafe{view.__name__}", (FormulaSafeCellsMixin, view), {})
        for suffix, options in (("", {}), ("results/", {"results_only": True})):
            view_function = never_cache(require_admin_access(safe.as_view(**options)))
            view_function.view_class = safe
            patterns.append(path(prefix + suffix, view_function))
    return patterns
