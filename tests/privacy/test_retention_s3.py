"""Retention and erasure delete files on S3 too (django-storages against moto)."""

from datetime import timedelta

import boto3
import pytest
from django.utils import timezone

from applications.models import Application
from applications.services.privacy import (
    ORPHAN_GRACE,
    erase_organization,
    purge_expired,
)
from tests.factories import ApplicationFactory
from tests.privacy.helpers import age, make_attachment

pytestmark = pytest.mark.django_db

BUCKET = "grants-retention-test"


@pytest.fixture
def s3(settings, moto_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_server,
                "region_name": "us-east-1",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> set:
    return {
        item["Key"]
        for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    }


def test_purge_deletes_expired_files_from_s3(s3, django_capture_on_commit_callbacks):
    old = ApplicationFactory(status=Application.Status.DECLINED)
    old_file = make_attachment(old)
    age(old, days=3 * 365 + 1)
    kept = make_attachment(ApplicationFactory(status=Application.Status.DECLINED))
    assert keys(s3) == {old_file.file.name, kept.file.name}

    with django_capture_on_commit_callbacks(execute=True):
        changes = purge_expired()

    assert changes["files"] == 1
    assert keys(s3) == {kept.file.name}


def test_orphaned_s3_files_go_once_they_are_old(s3, django_capture_on_commit_callbacks):
    kept = make_attachment(ApplicationFactory())
    s3.put_object(Bucket=BUCKET, Key="attachments/left-behind", Body=b"old")
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired(now=timezone.now()).get("orphan_files") is None
        changes = purge_expired(now=timezone.now() + ORPHAN_GRACE + timedelta(hours=1))
    assert changes["orphan_files"] == 1
    assert keys(s3) == {kept.file.name}


def test_erasing_an_organization_deletes_its_files_from_s3(
    s3, administrator, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(status=Application.Status.WITHDRAWN)
    attachment = make_attachment(application)
    other = make_attachment(ApplicationFactory())
    with django_capture_on_commit_callbacks(execute=True):
        erase_organization(actor=administrator, organization=application.organization)
    assert attachment.file.name not in keys(s3)
    assert other.file.name in keys(s3)
