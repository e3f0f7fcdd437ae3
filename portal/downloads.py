"""Serving a stored file to the one person allowed it: always as a download, never
rendered by the browser, never kept in a cache."""

from django.http import FileResponse


def file_download(file, *, filename: str, content_type: str) -> FileResponse:
    """A download of a stored file the caller has already been allowed to have."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    return response
