"""Run every benchmark and print one table of figures (``make bench``).

Measurements, each a script of its own that also runs alone:

1. public   ``bench/public_throughput.py``: home, funding index and a funding page,
            cached and uncached, as requests/s and a share of a minimal view;
2. surge    ``bench/deadline_surge.py``: many applicants submit before a deadline;
3. staff    ``bench/staff_lists.py``: application list, panel ranking and finance
            dashboard at 10 and 10,000 rows;
4. exports  ``bench/export_memory.py``: application and ledger exports, rows/s and
            peak memory at two sizes;
5. weight   ``bench/page_weight.py``: bytes and requests of each public page type.

This script migrates one PostgreSQL database and seeds a copy of it with the demo
content, collects the static files once, and hands them to the measurements
(BENCH_TEMPLATE_DB, BENCH_SEEDED_DB, BENCH_STATIC_ROOT), which work on copies of
their own. Every database, server, Redis database and folder it or they make is
removed at the end, also after a failure or Ctrl-C. The figures are figures, not
pass/fail: the exit status is 0 unless a measurement could not run.

    .venv/bin/python bench/run_all.py            # about 10 minutes on 2 idle cores
    .venv/bin/python bench/run_all.py --quick    # shorter runs, smaller sizes
    .venv/bin/python bench/run_all.py --only public,weight
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common

BENCH = Path(__file__).resolve().parent
MEASUREMENTS = {
    "public": ("public_throughput.py", "seeded"),
    "weight": ("page_weight.py", "seeded"),
    "surge": ("deadline_surge.py", "seeded"),
    "staff": ("staff_lists.py", "template"),
    "exports": ("export_memory.py", "template"),
}
# A measurement that has not finished after this long is stopped.
TIMEOUT_SECONDS = 40 * 60


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument(
        "--only",
        default=",".join(MEASUREMENTS),
        help=f"comma-separated, from: {', '.join(MEASUREMENTS)}",
    )
    parser.add_argument("--json", help="also write every row to this file")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(sorted(unknown))}")
    return args


def prepare_shared(selected) -> dict:
    """The migrated and seeded databases and the static files, made once."""
    needs = {MEASUREMENTS[name][1] for name in selected}
    env = {}
    started = time.perf_counter()
    template = common.create_database("template")
    common.manage(common.portal_env(template), "migrate", "--noinput")
    env["BENCH_TEMPLATE_DB"] = template
    common.log(f"migrated {template} in {time.perf_counter() - started:.0f} s")
    if "seeded" in needs:
        started = time.perf_counter()
        seeded = common.create_database("seeded", template=template)
        media = common.temp_folder("seed-media")
        common.manage(
            common.portal_env(seeded, DJANGO_DEBUG="true", PORTAL_MEDIA_ROOT=media),
            "seed_demo",
        )
        env["BENCH_SEEDED_DB"] = seeded
        env["BENCH_STATIC_ROOT"] = common.collected_static()
        common.log(
            f"seeded {seeded} and collected static files in "
            f"{time.perf_counter() - started:.0f} s"
        )
    return env


def run_measurement(name, args, shared_env, folder) -> tuple[list[dict], float]:
    script, _needs = MEASUREMENTS[name]
    out = Path(folder) / f"{name}.json"
    command = [common.PYTHON, str(BENCH / script), "--json", str(out)]
    if args.quick:
        command.append("--quick")
    env = {**os.environ, **shared_env}
    common.log(f"== {name}: {script}{' --quick' if args.quick else ''}")
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=common.ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        output, _ = child.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # SIGTERM lets the measurement stop its servers and drop its databases.
        child.send_signal(signal.SIGTERM)
        try:
            output, _ = child.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            child.kill()
            output, _ = child.communicate()
    except BaseException:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=90)
        raise
    elapsed = time.perf_counter() - started
    if child.returncode == 0 and out.exists():
        common.log(f"== {name} done in {elapsed:.0f} s")
        return json.loads(out.read_text()), elapsed
    tail = [line for line in (output or "").splitlines() if line.strip()][-3:]
    common.log(f"== {name} FAILED (exit {child.returncode}) after {elapsed:.0f} s")
    return [
        common.row(
            f"{name}: could not run",
            f"exit {child.returncode}",
            " | ".join(tail)[:300] or "see the log above",
        )
    ], elapsed


def main(argv=None):
    common.install_cleanup()
    args = parse_args(argv)
    started = time.perf_counter()
    load_before = common.load_average()
    rows, timings, failed = [], {}, False
    folder = tempfile.mkdtemp(prefix="bench-run-all-")
    common._folders.append(folder)
    try:
        shared = prepare_shared(args.only)
        timings["preparing databases"] = time.perf_counter() - started
        for name in args.only:
            found, elapsed = run_measurement(name, args, shared, folder)
            failed = failed or any(
                r["measurement"].endswith("could not run") for r in found
            )
            rows += found
            timings[name] = elapsed
    finally:
        common.cleanup()
    total = time.perf_counter() - started
    print()
    print(
        f"Portal benchmarks{' (--quick)' if args.quick else ''}: "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, {common.workers()} gunicorn workers"
    )
    common.print_table(rows)
    print(
        "\nTook "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
        + f"; {total / 60:.1f} min in all."
    )
    print(f"Load average before: {load_before}; after: {common.load_average()}.")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
