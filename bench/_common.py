"""Shared plumbing of the benchmarks run by ``bench/run_all.py``: throwaway
PostgreSQL databases, a gunicorn-served portal with production settings, a private
Redis database, and the JSON each measurement hands back.

Nothing here imports Django: the measurements that talk HTTP never load it, and
those that measure in-process set their database up before ``django.setup()``.

Every database made here is named ``bench_<purpose>_<pid>_<random>`` and dropped
again (``DROP DATABASE ... WITH (FORCE)``) when the measurement ends, also on
failure or Ctrl-C. Databases named otherwise are never dropped.
"""

import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
DB_PREFIX = "bench_"
# High enough that no limit is reached by a benchmark (unknown scopes are ignored).
RATE_LIMITS = ",".join(
    f"{scope}=1000000/h"
    for scope in (
        "signup",
        "login",
        "resend_confirmation",
        "password_reset",
        "two_factor",
        "upload",
        "search",
        "export",
    )
)

_databases: list[str] = []
_processes: list[subprocess.Popen] = []
_folders: list[str] = []
_redis_dbs: list[int] = []


# Cleaning up, whatever happens ------------------------------------------------------


def _on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def install_cleanup():
    """Turn SIGTERM into an exception (so finally blocks run) and clean up at exit."""
    signal.signal(signal.SIGTERM, _on_signal)
    atexit.register(cleanup)


def cleanup():
    """Stop every server, drop every database and remove every folder made here."""
    while _processes:
        stop_process(_processes.pop())
    while _databases:
        name = _databases.pop()
        try:
            drop_database(name)
        except Exception as error:  # noqa: BLE001 - keep cleaning the rest
            print(f"could not drop database {name}: {error!r}", file=sys.stderr)
    while _redis_dbs:
        number = _redis_dbs.pop()
        try:
            _redis(number).flushdb()
        except Exception as error:  # noqa: BLE001
            print(f"could not empty Redis db {number}: {error!r}", file=sys.stderr)
    while _folders:
        shutil.rmtree(_folders.pop(), ignore_errors=True)


def temp_folder(purpose: str) -> str:
    path = tempfile.mkdtemp(prefix=f"bench-{purpose}-")
    _folders.append(path)
    return path


# PostgreSQL -------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def _admin():
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    )


def _quoted(name: str) -> str:
    if not name.startswith(DB_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"not a benchmark database name: {name!r}")
    return f'"{name}"'


def new_database_name(purpose: str) -> str:
    return f"{DB_PREFIX}{purpose}_{os.getpid()}_{secrets.token_hex(3)}"


def create_database(purpose: str, *, template: str | None = None) -> str:
    """An empty database (or a copy of ``template``), dropped at exit."""
    name = new_database_name(purpose)
    sql = f"CREATE DATABASE {_quoted(name)}"
    if template:
        sql += f" TEMPLATE {_quoted(template)}"
    with _admin() as conn:
        conn.execute(sql)
    _databases.append(name)
    return name


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
    if name in _databases:
        _databases.remove(name)


def keep_database(name: str) -> None:
    """Leave this database to the caller (run_all drops its shared ones itself)."""
    if name in _databases:
        _databases.remove(name)


def portal_env(database: str | None = None, **extra) -> dict:
    """The environment of the portal with production settings (portal.settings.base);
    pass DJANGO_STATIC_ROOT for the collected static files."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "GUNICORN_", "AWS_", "STRIPE_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "WEB_CONCURRENCY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DJANGO_SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        PORTAL_RATE_LIMITS=RATE_LIMITS,
        PORTAL_LOG_LEVEL=os.environ.get("PORTAL_LOG_LEVEL", "WARNING"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    for key in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        if key in os.environ:
            env[key] = os.environ[key]
    if database:
        env["DATABASE_URL"] = database_url(database)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env: dict, *args: str, quiet: bool = True) -> None:
    """Run ``manage.py`` with ``env``; its output only shows when it fails."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not quiet:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode})")


def migrated_database(purpose: str) -> str:
    """A migrated database: a copy of BENCH_TEMPLATE_DB when given, else migrated now."""
    template = os.environ.get("BENCH_TEMPLATE_DB")
    if template:
        return create_database(purpose, template=template)
    name = create_database(purpose)
    started = time.perf_counter()
    manage(portal_env(name), "migrate", "--noinput")
    log(f"migrated {name} in {time.perf_counter() - started:.0f} s")
    return name


def seeded_database(purpose: str) -> str:
    """A database with the demo content: a copy of BENCH_SEEDED_DB, else seeded now."""
    seeded = os.environ.get("BENCH_SEEDED_DB")
    if seeded:
        return create_database(purpose, template=seeded)
    name = migrated_database(purpose)
    started = time.perf_counter()
    media = temp_folder("seed-media")
    # seed_demo refuses to run without DEBUG (it publishes the demo password); only
    # this one command runs with it, the servers never do.
    manage(portal_env(name, DJANGO_DEBUG="true", PORTAL_MEDIA_ROOT=media), "seed_demo")
    log(f"seeded {name} in {time.perf_counter() - started:.0f} s")
    return name


def collected_static() -> str:
    """A folder of collected static files (BENCH_STATIC_ROOT when already given)."""
    given = os.environ.get("BENCH_STATIC_ROOT")
    if given and Path(given, "staticfiles.json").exists():
        return given
    folder = temp_folder("static")
    manage(portal_env(DJANGO_STATIC_ROOT=folder), "collectstatic", "--noinput", "-v0")
    return folder


# Redis ------------------------------------------------------------------------------


def _redis(number: int):
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)


def private_redis_db() -> int:
    """An empty Redis database number (BENCH_REDIS_DB when given); emptied at exit."""
    given = os.environ.get("BENCH_REDIS_DB")
    if given:
        return int(given)
    for number in range(14, 0, -1):
        if _redis(number).dbsize() == 0:
            _redis_dbs.append(number)
            return number
    raise RuntimeError("no empty Redis database between 1 and 14")


def flush_redis(number: int) -> None:
    _redis(number).flushdb()


# gunicorn ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM to the process, then SIGKILL to its own process group if it lingers."""
    if process in _processes:
        _processes.remove(process)
    if process.poll() is not None:
        return
    try:
        process.terminate()
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        # The process leads its own session: its group holds only its workers.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class Server:
    """gunicorn with the project's gunicorn.conf.py on a free port."""

    def __init__(self, env: dict, *, label: str, log_folder: str):
        self.env = dict(env)
        self.label = label
        self.port = free_port()
        self.env["GUNICORN_BIND"] = f"127.0.0.1:{self.port}"
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_folder) / f"gunicorn-{label}.log"
        self.process = None

    def start(self, ready_path: str = "/", timeout: float = 180.0) -> float:
        """Start and wait until ``ready_path`` answers 200; seconds it took."""
        self.launch()
        return self.wait_ready(ready_path, timeout)

    def launch(self) -> None:
        self.started = time.perf_counter()
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                [
                    GUNICORN,
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                    "portal.wsgi:application",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _processes.append(self.process)

    def wait_ready(self, ready_path: str = "/", timeout: float = 180.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn ({self.label}) exited: see {self.log_path}\n"
                    + self.log_tail()
                )
            try:
                with urllib.request.urlopen(self.base + ready_path, timeout=30) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.started
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn ({self.label}) not ready after {timeout:.0f} s")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def workers() -> int:
    """The number of gunicorn workers gunicorn.conf.py starts on this machine."""
    import multiprocessing

    return int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))


# Results ----------------------------------------------------------------------------


def log(message: str) -> None:
    print(
        f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}",
        file=sys.stderr,
        flush=True,
    )


def row(measurement: str, figure: str, note: str = "", **data) -> dict:
    """One line of the table: what, the figure, and the target or a note."""
    return {"measurement": measurement, "figure": figure, "note": note, **data}


def write_rows(rows: list[dict], path: str | None) -> None:
    if path:
        Path(path).write_text(json.dumps(rows, indent=1, default=str))


def print_table(rows: list[dict], file=None) -> None:
    file = file or sys.stdout
    headings = ("measurement", "figure", "target / note")
    cells = [(r["measurement"], r["figure"], r.get("note", "")) for r in rows]
    widths = [
        max(len(headings[i]), *(len(c[i]) for c in cells))
        if cells
        else len(headings[i])
        for i in range(2)
    ]
    line = f"{headings[0]:<{widths[0]}}  {headings[1]:>{widths[1]}}  {headings[2]}"
    print(line, file=file)
    print("-" * max(len(line), widths[0] + widths[1] + 20), file=file)
    for measurement, figure, note in cells:
        print(f"{measurement:<{widths[0]}}  {figure:>{widths[1]}}  {note}", file=file)


def common_arguments(parser) -> None:
    parser.add_argument("--quick", action="store_true", help="a shorter run")
    parser.add_argument("--json", help="also write the table rows to this file")


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min) {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def portal_env_for(name: str, **extra) -> tuple[str, dict, int]:
    """A log folder, the environment of a gunicorn-served portal on its own seeded
    database, collected static files and media folder, and its Redis database."""
    folder = temp_folder(name)
    database = seeded_database(name)
    redis_db = private_redis_db()
    env = portal_env(
        database,
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        DJANGO_STATIC_ROOT=collected_static(),
        PORTAL_MEDIA_ROOT=temp_folder(f"{name}-media"),
        **extra,
    )
    return folder, env, redis_db


def main_for(run, parse_args, argv=None) -> None:
    """Run one measurement on its own: clean up whatever happens, print its rows."""
    install_cleanup()
    args = parse_args(argv)
    try:
        rows = run(args)
    finally:
        cleanup()
    print_table(rows)
    write_rows(rows, args.json)
