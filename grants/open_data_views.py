"""Open data downloads: public, cached, no session needed."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from grants import open_data

PUBLIC_CACHE = {"public": True, "max_age": 300}


def _attachment(response, filename):
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@cache_control(**PUBLIC_CACHE)
def giving_json(request):
    """Every published award as a 360Giving 1.4 data package."""
    response = JsonResponse(
        open_data.package(), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    return _attachment(response, "360giving.json")


@require_GET
@cache_control(**PUBLIC_CACHE)
def giving_csv(request):
    """The same awards with the 360Giving column titles."""
    response = HttpResponse(
        open_data.grants_csv(), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, "360giving.csv")


@require_GET
@cache_control(**PUBLIC_CACHE)
def candid_csv(request):
    """Authorized and paid amounts per award and fiscal year, for US grant databases."""
    response = HttpResponse(
        open_data.candid_csv(), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, "grants-candid.csv")
