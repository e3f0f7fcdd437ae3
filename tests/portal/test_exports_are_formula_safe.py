"""Every admin listing that offers a CSV or XLSX export neutralises formulas: a new
viewset with ``list_export`` fails here until its index view is formula-safe."""

import csv
import io

import pytest
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)

from portal.exports import FormulaSafeCellsMixin
from tests.helpers import exported, login_verified


def exporting_views(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from exporting_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None and getattr(view_class, "list_export", None):
                yield f"{namespace}{pattern.name}", view_class


def served_class(name, view_class):
    """The view that actually answers the URL: an earlier pattern may shadow it."""
    try:
        path = reverse(name)
    except NoReverseMatch:
        return view_class  # needs arguments: this pattern serves it
    return getattr(resolve(path).func, "view_class", view_class)


def test_every_exporting_view_is_formula_safe():
    found = dict(exporting_views(get_resolver().url_patterns))
    assert len(found) > 10, "the walk found too few exporting views"
    unsafe = sorted(
        name
        for name, view_class in found.items()
        if not issubclass(served_class(name, view_class), FormulaSafeCellsMixin)
    )
    assert unsafe == []


@pytest.mark.django_db
def test_the_site_history_export_neutralises_a_formula_in_a_label(
    client, administrator
):
    from wagtail.log_actions import log

    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(public_name='=HYPERLINK("http://x","y")')
    log(instance=organization, action="wagtail.edit", user=administrator)
    login_verified(client, administrator)
    response = exported(
        client, reverse("wagtailadmin_reports:site_history"), {"export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x","y")' in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "panelist"])
def test_the_reports_still_refuse_people_without_admin_access(client, request, who):
    login_verified(client, request.getfixturevalue(who))
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 302
