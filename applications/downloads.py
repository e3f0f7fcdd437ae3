"""Serving applicants' files: always as a download, never rendered, always logged."""

from django.http import FileResponse
from wagtail.log_actions import log

from portal.downloads import file_download


def attachment_response(
    *, user, application, attachment, filename: str | None = None
) -> FileResponse:
    """A download of one attachment the caller has already been allowed to see.

    ``filename`` replaces the applicant's file name (blind review uses a neutral one).
    """
    log(instance=application, action="applications.download_attachment", user=user)
    return file_download(
        attachment.file,
        filename=filename or attachment.original_name,
        content_type=attachment.content_type,
    )
