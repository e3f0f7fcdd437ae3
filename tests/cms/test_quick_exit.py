"""/exit/ ends our session at once and leaves for a neutral site."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from wagtail.models import Site

from cms.models import SafetySettings

pytestmark = pytest.mark.django_db


def test_exit_flushes_the_session_and_redirects_to_the_default_neutral_site(
    client, applicant
):
    client.force_login(applicant)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.get("/exit/")
    assert response.status_code == 302
    assert response["Location"] == "https://www.weather.gov/"
    assert not Session.objects.filter(session_key=session_key).exists()
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
    assert '"cookies"' in response["Clear-Site-Data"]
    assert {"no-cache", "no-store"} & set(
        response["Cache-Control"].replace(",", " ").split()
    )


def test_exit_goes_where_the_site_settings_say():
    site = Site.objects.get(is_default_site=True)
    SafetySettings.objects.update_or_create(
        site=site, defaults={"quick_exit_url": "https://www.bbc.com/weather"}
    )
    response = Client().get("/exit/")
    assert response["Location"] == "https://www.bbc.com/weather"


def test_exit_works_by_post_without_a_csrf_token(client):
    response = client.post("/exit/")
    assert response.status_code == 302
