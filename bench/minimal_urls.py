"""One view that answers a few bytes, for ``bench.minimal_settings``."""

from django.http import HttpResponse
from django.urls import path


def tiny(request):
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("", tiny, name="tiny")]
