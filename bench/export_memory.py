"""Exports of 10,000 and 50,000 rows: rows per second and peak memory, in-process.

A throwaway PostgreSQL database (a migrated copy) gets N submitted applications
(one organization each, one round) and N ledger rows (N/4 awards with four rows
each, through ``bench/finance.py``: ``add_awards``), first N=10,000, then 50,000.
At each size, through Django's test ``Client`` signed in with the second factor,
each export is asked for as staff do, and the worker's job makes it (run at once
here, as the immediate task backend does):

- ``GET /admin/applications/?export=csv`` and ``?export=xlsx`` (program staff);
- ``GET /admin/ledger/?export=csv`` (finance staff), and ``?export=xlsx`` with
  ``--ledger-xlsx``.

``--quick`` uses 3,000 and 15,000 rows (the same five-fold step; both above the
exports' chunk of 2,000 rows, so a flat export shows the same peak at both).

Each export is made twice: once for the time (rows per second), once inside a
``tracemalloc`` window for the peak of memory allocated while it ran. The rows in
each stored file are then counted and checked against the database. Memory that
stays flat as rows grow is the target: the peak at 50,000 over the peak at 10,000
should be close to 1, not close to 5.

    .venv/bin/python bench/export_memory.py [--sizes 10000,50000]
"""

import argparse
import random
import re
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common
from bench.staff_lists import setup_django

EXPORTS = [
    ("applications CSV", "/admin/applications/?export=csv", "staff", "applications"),
    ("applications XLSX", "/admin/applications/?export=xlsx", "staff", "applications"),
    ("ledger CSV", "/admin/ledger/?export=csv", "finance", "ledger"),
]
LEDGER_XLSX = ("ledger XLSX", "/admin/ledger/?export=xlsx", "finance", "ledger")
BATCH = 2000
# A cell starting with "=" must come out neutralised: some titles start with one.
FORMULA_EVERY = 97


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.common_arguments(parser)
    parser.add_argument("--sizes", help="default 10000,50000; quick: 3000,15000")
    parser.add_argument(
        "--ledger-xlsx",
        action="store_true",
        help="also the ledger's XLSX export (adds about a third to the run)",
    )
    parser.add_argument(
        "--no-timing-run",
        action="store_true",
        help="one run per export, inside tracemalloc (rows/s are then slower)",
    )
    args = parser.parse_args(argv)
    sizes = args.sizes or ("3000,15000" if args.quick else "10000,50000")
    args.sizes = sorted(int(part) for part in sizes.split(",") if part.strip())
    args.exports = EXPORTS + ([LEDGER_XLSX] if args.ledger_xlsx else [])
    return args


def add_applications(start, stop, funding_round, rng):
    """Submitted applications start..stop-1, one organization each."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from applications.models import Application
    from grants.models import Organization

    now = timezone.now()
    organizations = Organization.objects.bulk_create(
        (
            Organization(
                legal_name=f"Export Collective {i} Inc.",
                public_name=(
                    f"=HYPERLINK(Export {i})"
                    if i % FORMULA_EVERY == 0
                    else f"Export {i}"
                ),
                address_line1="2100 Plymouth Ave N",
                postal_code="55411",
                mission="Peer support led by survivors.",
                contact_name="Bench Contact",
                contact_email=f"export{i}@example.org",
                survivor_led=i % 2 == 0,
            )
            for i in range(start, stop)
        ),
        batch_size=BATCH,
    )
    Application.objects.bulk_create(
        (
            Application(
                funding_round=funding_round,
                organization=organization,
                status=Application.Status.SUBMITTED,
                title=f"Healing circles {i}",
                amount_requested=Decimal(rng.randrange(5, 51) * 1000),
                reference=f"EX-{i:06d}",
                submitted_at=now - timedelta(days=3, minutes=i),
                answers={},
            )
            for i, organization in zip(range(start, stop), organizations, strict=True)
        ),
        batch_size=BATCH,
    )


def make_export(client, url):
    """Ask for one export as staff do; the task worker's job (run at once here, as
    with the immediate backend) writes it to storage. Returns the export row."""
    from portal.models import SpreadsheetExport

    response = client.get(url)
    if response.status_code != 302:
        return None
    return SpreadsheetExport.objects.latest("pk")


def count_rows(export) -> tuple[int, int]:
    """(bytes, data rows) of a made export, read from storage a chunk at a time."""
    with export.file.open("rb") as stored:
        if export.export_format == "csv":
            lines = sum(
                chunk.count(b"\n") for chunk in iter(lambda: stored.read(2**16), b"")
            )
            return export.size, lines - 1
        with zipfile.ZipFile(stored) as archive:
            sheet = next(
                n for n in archive.namelist() if n.startswith("xl/worksheets/")
            )
            rows, tail = 0, b""
            with archive.open(sheet) as xml:
                for chunk in iter(lambda: xml.read(2**16), b""):
                    text = tail + chunk
                    rows += len(re.findall(rb"<row[ >]", text))
                    tail = text[-5:]
                    rows -= len(re.findall(rb"<row[ >]", tail))
            return export.size, rows - 1


def measure_export(client, url, *, timing_run=True):
    """Seconds and tracemalloc peak of making the export (queue and worker job);
    the rows are counted afterwards, outside the measured window."""
    from portal.models import SpreadsheetExport

    outcome = {}
    if timing_run:
        started = time.perf_counter()
        make_export(client, url)
        outcome["seconds"] = time.perf_counter() - started
    tracemalloc.start()
    started = time.perf_counter()
    export = make_export(client, url)
    traced_seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    outcome.setdefault("seconds", traced_seconds)
    if export is None or export.status != SpreadsheetExport.Status.READY:
        outcome.update(status=500, bytes=0, rows=0, peak=peak)
        return outcome
    size, rows = count_rows(export)
    outcome.update(status=200, bytes=size, rows=rows, peak=peak)
    return outcome


def measure_sizes(args) -> dict:
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from applications.models import Application
    from bench import finance, panel_ranking
    from grants.models import Fund, FundingRound, LedgerEntry

    panel_ranking.quiet_logs()
    staff, staff_device = panel_ranking.make_staff_user()
    finance_user, finance_device = finance.make_finance_user()
    clients = {
        "staff": finance.finance_client(staff, staff_device),
        "finance": finance.finance_client(finance_user, finance_device),
    }
    fund = Fund.objects.create(
        name="Benchmark exports",
        slug="benchmark-exports",
        framework_goal=Fund.FrameworkGoal.SURVIVOR_SERVICES,
    )
    now = timezone.now()
    funding_round = FundingRound.objects.create(
        fund=fund,
        title="=Export round",
        reference_prefix="EX",
        budget=Decimal("900000000.00"),
        min_award=Decimal("1000.00"),
        max_award=Decimal("60000.00"),
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=30),
        status=FundingRound.Status.PUBLISHED,
    )
    rounds = finance.make_rounds()
    rng = random.Random(finance.SEED)
    results, built = {}, 0
    for size in args.sizes:
        started = time.perf_counter()
        add_applications(built, size, funding_round, rng)
        finance.add_awards(built // 4, size // 4, rounds, finance_user, rng)
        built = size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = {
            "applications": Application.objects.submitted().count(),
            "ledger": LedgerEntry.objects.count(),
        }
        common.log(
            f"exports: built N={size} in {time.perf_counter() - started:.0f} s "
            f"({counts['applications']:,} applications, {counts['ledger']:,} ledger rows)"
        )
        results[size] = {}
        for label, url, who, table in args.exports:
            outcome = measure_export(
                clients[who], url, timing_run=not args.no_timing_run
            )
            outcome["expected"] = counts[table]
            results[size][label] = outcome
            common.log(
                f"  {label} N={size}: {outcome['rows']:,} rows in "
                f"{outcome['seconds']:.1f} s, peak {outcome['peak'] / 2**20:.1f} MB"
            )
    return results


def run(args) -> list[dict]:
    database = common.migrated_database("exports")
    setup_django(database)
    try:
        results = measure_sizes(args)
    finally:
        from django.db import connections

        connections.close_all()
    small, large = args.sizes[0], args.sizes[-1]
    rows = []
    for label, _url, _who, _table in args.exports:
        items = [results[size][label] for size in args.sizes]
        problems = [
            f"N={size}: status {item['status']}, {item['rows']:,} rows of "
            f"{item['expected']:,}"
            for size, item in zip(args.sizes, items, strict=True)
            if item["status"] != 200 or item["rows"] != item["expected"]
        ]
        peaks = [item["peak"] / 2**20 for item in items]
        growth = peaks[-1] / peaks[0] if peaks[0] else float("inf")
        rows.append(
            common.row(
                f"export: {label} rows/s N={small:,}/{large:,}",
                " / ".join(f"{item['rows'] / item['seconds']:,.0f}" for item in items),
                " / ".join(f"{item['seconds']:.1f}" for item in items)
                + " s; "
                + " / ".join(f"{item['bytes'] / 2**20:.1f}" for item in items)
                + " MB file"
                + (f"; {'; '.join(problems)}" if problems else ""),
                rows_per_second=[item["rows"] / item["seconds"] for item in items],
            )
        )
        rows.append(
            common.row(
                f"export: {label} peak memory N={small:,}/{large:,}",
                " / ".join(f"{peak:.1f}" for peak in peaks) + " MB",
                f"x{growth:.1f} for x{large / small:g} rows; flat: "
                + ("met" if growth <= 1.5 else "NOT met")
                + " (tracemalloc peak)",
                peaks_mb=peaks,
            )
        )
    return rows


def main(argv=None):
    common.main_for(run, parse_args, argv)


if __name__ == "__main__":
    main()
