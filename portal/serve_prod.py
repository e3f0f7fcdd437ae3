"""A production-like stack on this machine: `make serve-prod`.

Two gunicorn web processes on two ports, one task worker, PostgreSQL, Redis and S3
through a local moto server, with DEBUG off and production settings. It is what the
statelessness test starts, and a way to try the portal as it runs for real.

    python -m portal.serve_prod            # ports 8001 and 8002, Ctrl-C stops all

Environment: SERVE_PROD_DATABASE (default portal_prod), SERVE_PROD_PORTS (8001,8002),
PGHOST/PGPORT/PGUSER for PostgreSQL (127.0.0.1, 5432, postgres), REDIS_URL
(redis://127.0.0.1:6379/3). The database is created, migrated and seeded with the demo
the first time; the moto bucket lives only as long as the stack.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUCKET = "portal-media"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Nothing answered on port {port}.")


def wait_for_health(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(  # nosec B310
                f"http://127.0.0.1:{port}/healthz/", timeout=5
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"The web process on port {port} did not become healthy.")


class Stack:
    """The processes of one production-like portal; ``stop()`` ends them all."""

    def __init__(self, *, database: str, web_ports=(8001, 8002), seed=True):
        self.database = database
        self.web_ports = list(web_ports)
        self.seed = seed
        self.processes: dict[str, subprocess.Popen] = {}
        self.folder = Path(tempfile.mkdtemp(prefix="portal-prod-"))
        self.moto_port = free_port()
        pg = {
            "host": os.environ.get("PGHOST", "127.0.0.1"),
            "port": os.environ.get("PGPORT", "5432"),
            "user": os.environ.get("PGUSER", "postgres"),
        }
        self.database_url = (
            f"postgres://{pg['user']}@{pg['host']}:{pg['port']}/{database}"
        )
        self.env = {
            **{
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("DJANGO_", "PORTAL_", "AWS_", "STRIPE_"))
                and key not in {"DATABASE_URL", "REDIS_URL"}
            },
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on this machine: a real host terminates TLS in front.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SESSION_COOKIE_SECURE": "false",
            "DJANGO_CSRF_COOKIE_SECURE": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
            "PORTAL_TASKS_BACKEND": "database",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.moto_port}",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "PORTAL_ERASURE_LOG": str(self.folder / "erasure-log.jsonl"),
            "DJANGO_STATIC_ROOT": str(self.folder / "static"),
            "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{self.web_ports[0]}",
            "PORTAL_LOG_LEVEL": os.environ.get("PORTAL_LOG_LEVEL", "WARNING"),
        }

    # -- set-up -------------------------------------------------------------------

    def manage(self, *arguments: str, **extra_env) -> None:
        subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env={**self.env, **extra_env},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def create_database(self) -> bool:
        """Create the database if missing; True when it was created."""
        import psycopg

        with psycopg.connect(
            self.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.database]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{self.database}"')
            return not exists

    def drop_database(self) -> None:
        import psycopg

        with psycopg.connect(
            self.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True
        ) as connection:
            connection.execute(
                f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'
            )

    def spawn(self, name: str, command: list[str], **extra_env) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603  # nosec B603
            command,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: workers stop with it
        )
        self.processes[name] = process
        return process

    def start(self) -> "Stack":
        self.spawn(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.moto_port)],
        )
        wait_for_port(self.moto_port)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=self.env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=BUCKET)
        created = self.create_database()
        self.manage("migrate", "--noinput")
        if created and self.seed:
            # The demo's accounts have a published password: seed_demo insists on
            # DEBUG for itself. The web processes still run with DEBUG off, so the
            # demo's staff accounts need their second factor here.
            self.manage("seed_demo", DJANGO_DEBUG="true")
        self.manage("collectstatic", "--noinput")
        for index, port in enumerate(self.web_ports, 1):
            self.start_web(index, port)
        self.spawn("worker", [sys.executable, "manage.py", "db_worker"])
        for port in self.web_ports:
            wait_for_health(port)
        return self

    def start_web(self, index: int, port: int) -> subprocess.Popen:
        return self.spawn(
            f"web{index}",
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "portal.wsgi"],
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        )

    # -- tear-down ----------------------------------------------------------------

    def kill(self, name: str) -> None:
        """End a process and its children at once, as a crash would."""
        process = self.processes[name]
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


def _signal_group(process: subprocess.Popen, signal_number: int) -> None:
    try:
        os.killpg(process.pid, signal_number)
    except ProcessLookupError:
        pass  # already gone


def main() -> None:
    ports = [
        int(port) for port in os.environ.get("SERVE_PROD_PORTS", "8001,8002").split(",")
    ]
    stack = Stack(
        database=os.environ.get("SERVE_PROD_DATABASE", "portal_prod"), web_ports=ports
    )
    try:
        stack.start()
        sys.stdout.write(
            "Production-like portal (DEBUG off): "
            + ", ".join(f"http://127.0.0.1:{port}/" for port in ports)
            + f"\nWorker, PostgreSQL database {stack.database}, Redis "
            + f"{stack.env['REDIS_URL']}, S3 on moto port {stack.moto_port}."
            + f"\nLogs in {stack.folder}. Ctrl-C stops everything.\n"
        )
        sys.stdout.flush()
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(1)
        sys.stderr.write("A process stopped; stopping the rest.\n")
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
