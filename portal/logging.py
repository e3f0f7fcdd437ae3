"""Structured logs: one JSON object a line, in UTC, with the request's id.

Log lines say what happened to which row (ids), never who: no names, email
addresses, phone numbers, passwords, codes or secrets. The request id travels in the
``X-Request-ID`` header, so a line can be matched with the load balancer's logs.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
# An id from the load balancer is kept only when it looks like one.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Add the current request's id to every record."""

    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    """Give each request an id (or keep the load balancer's) and send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex
        # Kept until the response is finished: Django logs errors after the
        # middleware has returned (see forget_request_id).
        REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def forget_request_id(**kwargs) -> None:
    """Connected to request_finished: work after a request carries no stale id."""
    REQUEST_ID.set("-")
