"""Public page throughput under gunicorn, as a share of what the stack itself can serve.

Three gunicorn servers run side by side, each with the project's
``gunicorn.conf.py`` and the portal's production settings (``portal.settings.base``)
on a seeded PostgreSQL database and a private Redis database:

1. ``bench.minimal_settings``: the same settings and middleware, one view answering
   three bytes. Its requests per second are the limit of this stack on this machine.
2. The portal with ``PORTAL_PUBLIC_PAGE_CACHE_SECONDS=300`` (anonymous pages cached).
3. The portal with ``PORTAL_PUBLIC_PAGE_CACHE_SECONDS=0`` (every page rendered).

For the home page, the funding index and one funding opportunity page in turn, N
clients (``bench/loadgen.py``) ask for the minimal view, then the cached page, then
the uncached page, each for a fixed time after a warm-up (one server under load at a
time). The figure is requests per second and its ratio to the minimal view measured
just before it; the limit row shows the median and each of the three. Targets:
cached >= 0.7, uncached >= 0.25.

Worker recycling (``max_requests`` in gunicorn.conf.py) is switched off with
``GUNICORN_MAX_REQUESTS=0`` for all three servers alike: with it on, every worker
restarts after about 2,000 requests, and a fast page would hit that, all workers at
about the same moment, inside a ten-second window. ``--recycle`` keeps it on.

    .venv/bin/python bench/public_throughput.py [--quick] [--clients 16]
"""

import argparse
import statistics
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common
from bench import loadgen

PAGES = [
    ("home", "/"),
    ("funding index", "/funding/"),
    ("funding page", None),  # the open round's page, found at run time
]
CACHED_TARGET, UNCACHED_TARGET = 0.7, 0.25


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.common_arguments(parser)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, help="seconds measured per page")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per page")
    parser.add_argument(
        "--recycle",
        action="store_true",
        help="keep gunicorn's worker recycling (max_requests) on",
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (5.0 if args.quick else 10.0)
    args.warmup = args.warmup or (2.0 if args.quick else 3.0)
    return args


def funding_page_path(base: str) -> str:
    """The first funding opportunity linked from the funding index."""
    import re

    with urllib.request.urlopen(base + "/funding/", timeout=60) as response:
        html = response.read().decode()
    for path in re.findall(r'href="(/funding/[a-z0-9-]+/)"', html):
        return path
    raise RuntimeError("no funding opportunity page linked from /funding/")


def cache_header(base: str, path: str) -> str:
    """The X-Page-Cache header of one more request ('-' when absent)."""
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return response.headers.get("X-Page-Cache", "-")


def measure(server, path, args):
    """One window of load on ``path``."""
    result = loadgen.run(
        server.base + path,
        clients=args.clients,
        duration=args.duration,
        warmup=args.warmup,
    )
    common.log(
        f"  {server.label} {path}: {result['rps']:.1f} req/s, "
        f"{result['errors']} errors, p50 {result['p50_ms'] or 0:.0f} ms"
    )
    return result


def run(args) -> list[dict]:
    folder, base_env, redis_db = common.portal_env_for("throughput")
    if not args.recycle:
        base_env["GUNICORN_MAX_REQUESTS"] = "0"
    common.log(
        f"throughput: {args.clients} clients, {args.warmup:g} s warm-up + "
        f"{args.duration:g} s per window, {common.workers()} gunicorn workers"
    )
    common.flush_redis(redis_db)
    servers = {
        "minimal": common.Server(
            dict(base_env, DJANGO_SETTINGS_MODULE="bench.minimal_settings"),
            label="minimal",
            log_folder=folder,
        ),
        "cached": common.Server(
            dict(base_env, PORTAL_PUBLIC_PAGE_CACHE_SECONDS="300"),
            label="cached",
            log_folder=folder,
        ),
        "uncached": common.Server(
            dict(base_env, PORTAL_PUBLIC_PAGE_CACHE_SECONDS="0"),
            label="uncached",
            log_folder=folder,
        ),
    }
    results, checks, paths = {}, {}, {}
    try:
        # All three boot together; an idle sync worker costs no CPU. The windows
        # then take turns (minimal view, cached page, uncached page, for each page),
        # so each page is compared with the limit measured just before it, and
        # other work on the machine weighs on both alike.
        for server in servers.values():
            server.launch()
        for name, server in servers.items():
            seconds = server.wait_ready("/" if name == "minimal" else "/healthz/")
            common.log(f"  {name} server ready after {seconds:.0f} s")
        for label, path in PAGES:
            if path is None:
                path = funding_page_path(servers["cached"].base)
            paths[label] = path
            results[("minimal", label)] = measure(servers["minimal"], "/", args)
            for mode in ("cached", "uncached"):
                results[(mode, label)] = measure(servers[mode], path, args)
                checks[(mode, label)] = cache_header(servers[mode].base, path)
    finally:
        for server in servers.values():
            server.stop()
        common.flush_redis(redis_db)

    limits = [results[("minimal", label)]["rps"] for label, _path in PAGES]
    rows = [
        common.row(
            "public: minimal view (stack limit)",
            f"{statistics.median(limits):,.0f} req/s",
            "median of "
            + " / ".join(f"{value:,.0f}" for value in limits)
            + f"; {args.clients} clients, {common.workers()} sync workers"
            + "".join(
                errors_note(results[("minimal", label)]) for label, _path in PAGES
            ),
            rps=limits,
        )
    ]
    for mode, target in (("cached", CACHED_TARGET), ("uncached", UNCACHED_TARGET)):
        for label, _path in PAGES:
            item = results[(mode, label)]
            limit = results[("minimal", label)]["rps"]
            ratio = item["rps"] / limit if limit else 0.0
            header = checks[(mode, label)]
            rows.append(
                common.row(
                    f"public: {label} {mode} ({paths[label]})",
                    f"{item['rps']:,.0f} req/s = {ratio:.2f}",
                    f"target >= {target}: "
                    + ("met" if ratio >= target else "NOT met")
                    + f"; limit {limit:,.0f}; p50 {item['p50_ms'] or 0:.0f} ms; "
                    f"X-Page-Cache {header}" + errors_note(item),
                    rps=item["rps"],
                    ratio=ratio,
                    errors=item["errors"],
                )
            )
    return rows


def errors_note(item) -> str:
    if not item["errors"]:
        return ""
    return f"; {item['errors']} errors {item['statuses']}"


def main(argv=None):
    common.main_for(run, parse_args, argv)


if __name__ == "__main__":
    main()
