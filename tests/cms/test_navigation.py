"""The header and footer links are kept in the shared cache until pages or site
settings change, so public pages do not look each link up on every request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

pytestmark = pytest.mark.django_db


def queries_for(client, path) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_links_are_looked_up_once_not_on_every_page(client, demo_site):
    # Measured 31 on the home page before the links were cached.
    assert queries_for(client, "/") <= 15
    assert queries_for(client, "/es/") <= 15


def test_a_renamed_page_shows_its_new_name_in_the_links_at_once(
    client, demo_site, django_capture_on_commit_callbacks
):
    before = client.get("/").text
    funded = Page.objects.get(slug="funded", locale__language_code="en").specific
    assert f">{funded.title}</a>" in before
    funded.title = "Grants we made"
    with django_capture_on_commit_callbacks(execute=True):
        funded.save_revision().publish()
    assert ">Grants we made</a>" in client.get("/").text
