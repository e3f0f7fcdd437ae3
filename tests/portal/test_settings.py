"""The embedded default boots with no environment; variables switch backends."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "storage": settings.STORAGES["default"]["BACKEND"],
    "storage_options": {
        key: value
        for key, value in settings.STORAGES["default"].get("OPTIONS", {}).items()
        if key != "client_config"
    },
    "s3_timeouts": [
        getattr(settings.STORAGES["default"].get("OPTIONS", {}).get("client_config"), name, None)
        for name in ("connect_timeout", "read_timeout")
    ],
    "cache": settings.CACHES["default"]["BACKEND"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "stripe": bool(settings.STRIPE_SECRET_KEY),
}))
"""


def clean_env(**extra):
    """The process environment without any of our configuration variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "AWS_", "STRIPE_", "EMAIL_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(extra)
    return env


def run_python(code, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def settings_with(module="portal.settings.dev", **extra):
    result = run_python(
        PRINT_SETTINGS, clean_env(DJANGO_SETTINGS_MODULE=module, **extra)
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_uses_sqlite_local_files_console_email_and_immediate_tasks():
    config = settings_with()
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["db_name"].endswith("db.sqlite3")
    assert config["storage"] == "django.core.files.storage.FileSystemStorage"
    assert config["cache"].endswith("LocMemCache")
    assert config["tasks"].endswith("ImmediateBackend")
    assert config["email"].endswith("console.EmailBackend")
    assert config["debug"] is True
    assert config["stripe"] is False


def test_embedded_default_passes_system_checks_with_no_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_database_url_switches_to_postgresql():
    config = settings_with(
        DATABASE_URL="postgres://grants:secret@db.internal:5432/grants"
    )
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["db_name"] == "grants"


def test_redis_url_switches_the_cache_to_redis():
    config = settings_with(REDIS_URL="redis://127.0.0.1:6379/1")
    assert config["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_bucket_name_switches_media_to_private_s3_with_signed_urls():
    config = settings_with(
        AWS_STORAGE_BUCKET_NAME="grants-media", AWS_S3_REGION_NAME="us-east-2"
    )
    assert config["storage"] == "storages.backends.s3.S3Storage"
    options = config["storage_options"]
    assert options["bucket_name"] == "grants-media"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    # A slow S3 fails within a web request's time instead of hanging it.
    assert config["s3_timeouts"] == [5, 15]


def test_database_tasks_backend_is_opt_in():
    config = settings_with(PORTAL_TASKS_BACKEND="database")
    assert config["tasks"] == "django_tasks_db.DatabaseBackend"


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_python(
        "import django; django.setup()",
        clean_env(DJANGO_SETTINGS_MODULE="portal.settings.base"),
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_deploy_check_is_clean_with_production_like_settings():
    env = clean_env(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DJANGO_SECRET_KEY="x" * 30 + "-production-like-secret-key-0123456789",
        DJANGO_ALLOWED_HOSTS="grants.example.org",
        DATABASE_URL="sqlite:////tmp/deploy-check.sqlite3",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


S3_ROUND_TRIP = """
import json, boto3, django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
options = settings.STORAGES["default"]["OPTIONS"]
boto3.client("s3", endpoint_url=options["endpoint_url"], region_name="us-east-1").create_bucket(
    Bucket=options["bucket_name"]
)
name = default_storage.save("attachments/budget.txt", ContentFile(b"line items: 1200.00"))
with default_storage.open(name) as handle:
    body = handle.read().decode()
second = default_storage.save("attachments/budget.txt", ContentFile(b"other"))
print(json.dumps({"name": name, "second": second, "body": body, "url": default_storage.url(name)}))
"""


def test_s3_storage_saves_reads_back_and_signs_urls(moto_server):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        AWS_STORAGE_BUCKET_NAME="grants-test-media",
        AWS_S3_ENDPOINT_URL=moto_server,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    result = run_python(S3_ROUND_TRIP, env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["body"] == "line items: 1200.00"
    assert out["second"] != out["name"]  # never overwrites an existing file
    assert out["url"].startswith(f"{moto_server}/grants-test-media/attachments/")
    assert "X-Amz-Signature=" in out["url"] or "Signature=" in out["url"]
    assert "Expires=" in out["url"] or "X-Amz-Expires=" in out["url"]
