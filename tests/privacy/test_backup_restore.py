"""`make backup` / `make restore`: a seeded database and its files come back whole
into a fresh database, and the erasure log is applied again after the restore.

Runs on the database the suite runs on: PostgreSQL (pg_dump / pg_restore) when
DATABASE_URL points at it, SQLite files otherwise.
"""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest

from tests.portal.test_settings import BASE_DIR, clean_env

ADD_ATTACHMENT = """
from django.core.files.base import ContentFile
from applications.models import Application, Attachment
application = Application.objects.exclude(status="draft").order_by("pk").first()
attachment = Attachment(application=application, field_id="budget", original_name="b.pdf",
    size=17, content_type="application/pdf", sha256="0" * 64)
attachment.file.save("b.pdf", ContentFile(b"%PDF-1.4 budget 1"), save=False)
attachment.save()
print(attachment.file.name)
"""
ROW_COUNTS = """
import json
from portal.backups import row_counts
print(json.dumps(row_counts()))
"""
ACCOUNT = """
import json
from portal.models import User
user = User.objects.get(pk={pk})
print(json.dumps({{"email": user.email, "active": user.is_active}}))
"""
ACCOUNT_ID = """
from portal.models import User
print(User.objects.get(email="applicant2@demo.test").pk)
"""


class Site:
    """One portal installation: its database, media folder and erasure log."""

    def __init__(self, tmp_path: Path, name: str, database_url: str):
        self.media = tmp_path / f"media-{name}"
        self.env = clean_env(
            DJANGO_SETTINGS_MODULE="portal.settings.dev",
            DATABASE_URL=database_url,
            PORTAL_MEDIA_ROOT=str(self.media),
            PORTAL_ERASURE_LOG=str(tmp_path / f"erasure-log-{name}.jsonl"),
            PORTAL_LOG_LEVEL="WARNING",
        )

    def manage(self, *args, timeout=600) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    def python(self, code: str) -> str:
        return self.manage("shell", "-c", code).stdout.strip().splitlines()[-1]


@pytest.fixture
def databases(tmp_path):
    """Three empty databases of the suite's kind: source and two restore targets."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield {name: f"sqlite:///{tmp_path / f'{name}.sqlite3'}" for name in "abc"}
        return
    import psycopg

    config = dj_database_url.parse(url)
    admin = psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    suffix = uuid.uuid4().hex[:8]
    names = {name: f"portal_backup_{name}_{suffix}" for name in "abc"}
    for database in names.values():
        admin.execute(f'CREATE DATABASE "{database}"')
    base = url.rsplit("/", 1)[0]
    yield {name: f"{base}/{database}" for name, database in names.items()}
    for database in names.values():
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin.close()


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_restores_into_a_fresh_database_and_erasures_are_applied_again(
    tmp_path, databases
):
    source = Site(tmp_path, "a", databases["a"])
    source.manage("migrate", "--noinput")
    source.manage("seed_demo")
    key = source.python(ADD_ATTACHMENT)
    rows_at_backup = json.loads(source.python(ROW_COUNTS))
    backup = tmp_path / "backup"

    made = source.manage("backup", "--output", str(backup))

    assert "Backed up" in made.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["rows"] == rows_at_backup
    assert manifest["files"][key] == checksum(source.media / key)

    # A person asks to be erased after the backup was taken.
    person = int(source.python(ACCOUNT_ID))
    source.manage("erase_personal_data", "--user", str(person))

    # Restored with no erasure log: everything comes back exactly.
    plain = Site(tmp_path, "b", databases["b"])
    restored = plain.manage("restore", "--input", str(backup))
    assert "row counts and checksums match" in restored.stdout
    assert json.loads(plain.python(ROW_COUNTS)) == rows_at_backup
    assert checksum(plain.media / key) == checksum(source.media / key)

    # Restored beside the source's erasure log: the person stays erased.
    after = Site(tmp_path, "c", databases["c"])
    after.env["PORTAL_ERASURE_LOG"] = source.env["PORTAL_ERASURE_LOG"]
    restored = after.manage("restore", "--input", str(backup))
    assert "people: 1" in restored.stdout
    account = json.loads(after.python(ACCOUNT.format(pk=person)))
    assert account == {"email": f"erased-{person}@erased.invalid", "active": False}
    assert json.loads(plain.python(ACCOUNT.format(pk=person)))["active"] is True
