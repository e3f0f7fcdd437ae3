"""Backups: the database (pg_dump, or SQLite's own backup) plus every stored file,
with a manifest of row counts and file checksums to check a restore against.

A backup folder holds ``manifest.json``, ``database.dump`` (PostgreSQL) or
``database.sqlite3`` (SQLite), and ``media/`` with the files under their storage keys.
Files are read and written through the default storage, so S3 works as well as disk.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

MANIFEST = "manifest.json"


def row_counts() -> dict[str, int]:
    """Rows in every table the project's models own, by model label."""
    counts = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            counts[meta.label] = model._base_manager.using("default").count()
    return dict(sorted(counts.items()))


def stored_files(storage=default_storage, folder: str = ""):
    """Every stored file's key, walking the storage's folders."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from stored_files(storage, f"{folder}/{name}" if folder else name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _postgres_env(settings_dict) -> tuple[list[str], dict]:
    args = ["-h", settings_dict["HOST"] or "127.0.0.1"]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(program: str, arguments: list[str], env: dict) -> None:
    """Run a PostgreSQL client tool found on PATH, with arguments from settings."""
    executable = shutil.which(program)
    if executable is None:
        raise RuntimeError(f"{program} is not installed (PostgreSQL client tools).")
    subprocess.run([executable, *arguments], env=env, check=True)  # noqa: S603  # nosec B603


def back_up(folder: Path) -> dict:
    """Write a backup into ``folder`` (created) and return its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _postgres_env(settings_dict)
        _run(
            "pg_dump",
            [
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(folder / "database.dump"),
                settings_dict["NAME"],
            ],
            env,
        )
        database = "database.dump"
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / "database.sqlite3")
        with target:
            connection.connection.backup(target)
        target.close()
        database = "database.sqlite3"
    else:
        raise RuntimeError(f"No backup method for {connection.vendor}.")
    files = {}
    for key in stored_files():
        path = folder / "media" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(key, "rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target)
        files[key] = sha256_of(path)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": database,
        "vendor": connection.vendor,
        "rows": row_counts(),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def restore(folder: Path) -> dict:
    """Load a backup into the configured database and storage; return the manifest
    and what differs from it (nothing, when the restore is whole)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest["vendor"] != connection.vendor:
        raise RuntimeError(
            f"This backup is of {manifest['vendor']}; the portal uses "
            f"{connection.vendor}."
        )
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        connections.close_all()
        args, env = _postgres_env(settings_dict)
        _run(
            "pg_restore",
            [
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                settings_dict["NAME"],
                str(folder / manifest["database"]),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(folder / manifest["database"])
        with source:
            source.backup(connection.connection)
        source.close()
    for key, checksum in manifest["files"].items():
        path = folder / "media" / key
        if sha256_of(path) != checksum:
            raise RuntimeError(f"The backup's copy of {key} is damaged.")
        if default_storage.exists(key):
            default_storage.delete(key)
        with path.open("rb") as handle:
            saved = default_storage.save(key, File(handle))
        if saved != key:
            raise RuntimeError(f"Storage kept {key} as {saved}.")
    rows = row_counts()
    differences = {
        label: (count, rows.get(label))
        for label, count in manifest["rows"].items()
        if rows.get(label) != count
    }
    return {"manifest": manifest, "differences": differences}
