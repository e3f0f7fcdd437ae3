import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_and_storage_answer(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("portal.views.connection.cursor", broken_cursor)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] == "unavailable"


def test_healthz_answers_503_when_storage_does_not(client, monkeypatch):
    def broken_exists(name):
        raise OSError("bucket unreachable")

    monkeypatch.setattr("portal.views.default_storage.exists", broken_exists)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["storage"] == "unavailable"


def test_robots_txt_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Disallow: /portal/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
