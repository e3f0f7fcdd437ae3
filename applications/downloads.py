"""Serving applicants' files: always as a download, never rendered, always logged."""

from django.http import FileResponse
from wagtail.log_actions import log


def attachment_response(
    *, user, application, attachment, filename: str | None = None
) -> FileResponse:
    """A download of one attachment the caller has already been allowed to see.

    ``filename`` replaces the applicant's file name (blind review uses a neutral one).
    """
    log(instance=application, action="applications.download_attachment", user=user)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=filename or attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    return response
