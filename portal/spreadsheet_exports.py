"""Staff spreadsheet exports, made by the task worker rather than in a web request.

Pressing "Download CSV" or "Download XLSX" on a staff listing queues a
``SpreadsheetExport`` holding the listing's address with its filters. The worker
replays that address through the listing's own view, as the person who asked and
in the language they used, so the same permission checks, filters, columns,
formula-safe cells and audit entries apply as before. The file is written to a
temporary file, a chunk of rows at a time, then to private storage: memory stays
flat however many rows there are, and a web process is never held up by a long
export. The person downloads it from "Your spreadsheet downloads".
"""

import logging
import tempfile
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage import default_storage as message_storage
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import Http404, HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from wagtail.log_actions import log

from portal.audit import record_refusal
from portal.models import SpreadsheetExport, User
from portal.permissions import can_download_spreadsheet_export, roles_held

logger = logging.getLogger(__name__)

# A view run by the worker finds the file to write here (see portal.exports).
OUTPUT_ATTRIBUTE = "spreadsheet_output"
# Views that make their exports this way say so (``portal.exports``); the worker runs
# no other view.
WORKER_EXPORTS = "exports_in_worker"
FORMATS = ("csv", "xlsx")
DOWNLOAD_ACTION = "portal.download_spreadsheet"


def is_worker_request(request) -> bool:
    """True inside the worker's replay of a listing, which writes a file."""
    return getattr(request, OUTPUT_ATTRIBUTE, None) is not None


def export_format_of(path: str) -> str | None:
    """The format a listing address asks for (``export=csv`` or ``xlsx``), if any."""
    asked = QueryDict(urlsplit(path).query).get("export")
    return asked if asked in FORMATS else None


@transaction.atomic
def request_spreadsheet_export(
    *, actor, path: str, title: str, filename: str
) -> SpreadsheetExport:
    """Queue an export of a listing: ``path`` is its address with its filters and
    ``export=csv`` or ``xlsx``. The same address, still being prepared for this
    person, is returned as is. The listing's view checks the person's permissions
    again when the worker runs it."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("request spreadsheet export")
    export_format = export_format_of(path)
    if export_format is None:
        raise ValueError("not a spreadsheet export address")
    # One person's requests one at a time: a double click queues one export.
    User.objects.select_for_update().get(pk=actor.pk)
    pending = SpreadsheetExport.objects.filter(
        requested_by=actor, status=SpreadsheetExport.Status.PENDING
    )
    now = timezone.now()
    # Left "being prepared" by a worker that stopped: say so, and make a new one.
    pending.filter(requested_at__lt=now - SpreadsheetExport.STUCK_AFTER).update(
        status=SpreadsheetExport.Status.FAILED
    )
    waiting = pending.filter(path=path).first()
    if waiting is not None:
        return waiting
    export = SpreadsheetExport.objects.create(
        requested_by=actor,
        path=path,
        title=str(title)[:200],
        filename=filename[:100],
        export_format=export_format,
        language=translation.get_language() or "",
        roles="\n".join(roles_held(actor)),
    )
    from portal.tasks import build_spreadsheet_export

    transaction.on_commit(
        partial(build_spreadsheet_export.enqueue, export_id=export.pk)
    )
    return export


def _worker_request(export: SpreadsheetExport, output) -> HttpRequest:
    """A GET of the export's address, as its requester, writing into ``output``."""
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    parts = urlsplit(export.path)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = parts.path
    request.GET = QueryDict(parts.query)
    request.META = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "HTTP_HOST": base.netloc or "localhost",
        "SERVER_NAME": base.hostname or "localhost",
        "SERVER_PORT": str(base.port or (443 if base.scheme == "https" else 80)),
        "wsgi.url_scheme": base.scheme or "http",
    }
    request.user = export.requested_by
    # Views may add a message or touch the session; neither is kept.
    request.session = SessionBase()
    request._messages = message_storage(request)
    setattr(request, OUTPUT_ATTRIBUTE, output)
    return request


def _write(export: SpreadsheetExport, output) -> bool:
    """Run the listing's view into ``output``; False when it refused or failed to
    write (the person lost access, or the address no longer exists)."""
    if not export.requested_by.is_active:
        return False
    request = _worker_request(export, output)
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if not getattr(getattr(match.func, "view_class", None), WORKER_EXPORTS, False):
        return False
    request.resolver_match = match
    with translation.override(export.language or settings.LANGUAGE_CODE):
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except (PermissionDenied, Http404) as refusal:
            if isinstance(refusal, PermissionDenied) or isinstance(
                refusal.__cause__, PermissionDenied
            ):
                record_refusal(request)
            return False
    return response.status_code == 200 and getattr(
        response, "spreadsheet_written", False
    )


def build_spreadsheet_export(*, export_id: int) -> SpreadsheetExport | None:
    """Make a queued export; one already made or failed is left as it is."""
    export = (
        SpreadsheetExport.objects.select_related("requested_by")
        .filter(pk=export_id, status=SpreadsheetExport.Status.PENDING)
        .first()
    )
    if export is None:
        return None
    with tempfile.TemporaryFile() as output:
        if not _write(export, output):
            logger.warning("Spreadsheet export %s was refused", export_id)
            mark_spreadsheet_export_failed(export_id=export_id)
            return None
        export.size = output.tell()
        output.seek(0)
        name = f"{export.filename}.{export.export_format}"
        export.file.save(name, File(output, name=name), save=False)
    export.status = SpreadsheetExport.Status.READY
    export.ready_at = timezone.now()
    export.save(update_fields=["file", "size", "status", "ready_at"])
    return export


def record_spreadsheet_download(*, actor, export: SpreadsheetExport) -> None:
    """Audit a download of an export (the view checks who may, and so does this)."""
    if not can_download_spreadsheet_export(actor, export):
        raise PermissionDenied("download spreadsheet export")
    log(
        instance=export,
        action=DOWNLOAD_ACTION,
        user=actor,
        data={"format": export.export_format, "listing": export.title},
    )


def mark_spreadsheet_export_failed(*, export_id: int) -> None:
    """The person's downloads page then asks them to try again from the listing."""
    SpreadsheetExport.objects.filter(
        pk=export_id, status=SpreadsheetExport.Status.PENDING
    ).update(status=SpreadsheetExport.Status.FAILED)


def exports_for(user):
    """The person's own exports that are still kept (a read, for the views)."""
    since = timezone.now() - timedelta(days=settings.PORTAL_RETAIN_DATA_EXPORT_DAYS)
    return SpreadsheetExport.objects.filter(requested_by=user, requested_at__gte=since)
