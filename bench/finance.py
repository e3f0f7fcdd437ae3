"""Benchmark the finance read side: round figures, dashboard, round ledger, export.

Builds throwaway data in a test database: awards spread over a few rounds, each with
four ledger rows (commitment, adjustment, payment, reversal or second payment), first
500 awards (2,000 rows), then up to 5,000 awards (20,000 rows). At each size it
measures, with SQL query counts and the best wall time of 3 runs:

1. ``list(grants.ledger.round_figures())`` - budget, committed and paid per round;
2. ``GET /admin/finance/`` (finance dashboard) and
   ``GET /admin/ledger/?funding_round=<id>`` (one round's ledger) through the test
   client as an OTP-verified finance user, when those pages exist ("not available
   yet" otherwise).

The query counts should be the same for both sizes. Then it streams every ledger row
as CSV (``/admin/ledger/?export=csv`` when it answers with a streaming response, else
``LedgerEntry.objects.iterator(chunk_size=2000)`` through ``csv.writer`` into a null
sink) and prints peak RSS before and after and the tracemalloc peak: memory should
stay flat, whatever the number of rows.

Run from the project root:

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/finance.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/finance.py

Rows are written with ``bulk_create``, never through the services (``bulk_create``
inserts only, so the append-only ledger is respected): this measures reading.
"""

import argparse
import csv
import logging
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from grants.ledger import round_figures  # noqa: E402
from grants.models import (  # noqa: E402
    Award,
    Fund,
    FundingRound,
    LedgerEntry,
    Organization,
)
from portal import roles  # noqa: E402
from portal.models import User  # noqa: E402

SEED = 20270601
ROUNDS = 4
ROWS_PER_AWARD = 4
RUNS = 3
BATCH = 2000
DASHBOARD = "/admin/finance/"
ROUND_LEDGER = "/admin/ledger/?funding_round={pk}"
EXPORT = "/admin/ledger/?export=csv"


class NullSink:
    def write(self, text):
        return len(text)


def quiet_logs():
    for name in ("axes", "django_tasks", "django.request", "wagtail"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="500,5000",
        help="comma-separated cumulative numbers of awards (default: 500,5000)",
    )
    args = parser.parse_args()
    args.sizes = sorted(int(part) for part in args.sizes.split(",") if part.strip())
    return args


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


# Data -------------------------------------------------------------------------------


def make_finance_user():
    user = User.objects.create_user(
        "bench-finance@example.org", password=None, first_name="Bench", is_staff=True
    )
    user.groups.add(Group.objects.get(name=roles.FINANCE_STAFF))
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user, device


def make_rounds():
    fund = Fund.objects.create(
        name="Benchmark fund",
        slug="benchmark-fund",
        framework_goal=Fund.FrameworkGoal.SURVIVOR_SERVICES,
    )
    now = timezone.now()
    return [
        FundingRound.objects.create(
            fund=fund,
            title=f"Benchmark round {n + 1}",
            reference_prefix=f"F{n + 1}",
            budget=Decimal("500000000.00"),
            min_award=Decimal("1000.00"),
            max_award=Decimal("60000.00"),
            opens_at=now - timedelta(days=200),
            closes_at=now - timedelta(days=100),
            status=FundingRound.Status.PUBLISHED,
        )
        for n in range(ROUNDS)
    ]


def add_awards(start, stop, rounds, user, rng):
    """Awards start..stop-1 with four ledger rows each, spread over the rounds."""
    organizations = Organization.objects.bulk_create(
        (
            Organization(
                legal_name=f"Bench Collective {i} Inc.",
                public_name=f"Bench Collective {i}",
                address_line1="2100 Plymouth Ave N",
                postal_code="55411",
                mission="Peer support led by survivors.",
                contact_name="Bench Contact",
                contact_email=f"office{i}@example.org",
            )
            for i in range(start, stop)
        ),
        batch_size=BATCH,
    )
    amounts = [Decimal(rng.randrange(10, 600) * 100) for _ in organizations]
    awards = Award.objects.bulk_create(
        (
            Award(
                organization=org,
                funding_round=rounds[i % len(rounds)],
                amount=amount,
                public_title=f"Healing circles {start + i}",
                public_summary="Weekly peer support circles led by survivors.",
                starts_on=date(2027, 1, 1),
                ends_on=date(2027, 12, 31),
                status=Award.Status.ACTIVE,
                created_by=user,
            )
            for i, (org, amount) in enumerate(zip(organizations, amounts, strict=True))
        ),
        batch_size=BATCH,
    )
    rows = []
    for award, amount in zip(awards, amounts, strict=True):
        base = {
            "funding_round_id": award.funding_round_id,
            "award": award,
            "created_by": user,
        }
        first = (amount / 2).quantize(Decimal("0.01"))
        rows += [
            LedgerEntry(account="committed", kind="commitment", amount=amount, **base),
            LedgerEntry(
                account="committed",
                kind="adjustment",
                amount=Decimal("-100.00"),
                **base,
            ),
            LedgerEntry(account="paid", kind="disbursement", amount=first, **base),
            (
                LedgerEntry(account="paid", kind="reversal", amount=-first, **base)
                if rng.random() < 0.05
                else LedgerEntry(
                    account="paid",
                    kind="disbursement",
                    amount=amount - first - Decimal("100.00"),
                    **base,
                )
            ),
        ]
    LedgerEntry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# Measuring --------------------------------------------------------------------------


def measure(func, runs=RUNS):
    best, counts, result, best_db = None, [], None, 0.0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = func()
            elapsed = (time.perf_counter() - start) * 1000
        counts.append(len(ctx.captured_queries))
        db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        if best is None or elapsed < best:
            best, best_db = elapsed, db_ms
    return {
        "queries": counts[-1],
        "all": counts,
        "ms": best,
        "db_ms": best_db,
        "result": result,
    }


def finance_client(user, device):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure_page(client, url):
    """None when the page does not exist yet (404 or no route)."""
    try:
        first = client.get(url)
    except Exception as exc:  # noqa: BLE001 - NoReverseMatch and friends
        return {"error": repr(exc)}
    if first.status_code == 404:
        return None
    outcome = measure(lambda: client.get(url))
    response = outcome.pop("result")
    outcome["status"] = response.status_code
    outcome["bytes"] = len(response.content) if not response.streaming else 0
    return outcome


def check_figures(rounds):
    """round_figures() against sums worked out row by row in Python."""
    want = {r.pk: [Decimal("0"), Decimal("0")] for r in rounds}
    for round_pk, account, amount in LedgerEntry.objects.values_list(
        "funding_round_id", "account", "amount"
    ).iterator(chunk_size=BATCH):
        want[round_pk][0 if account == "committed" else 1] += amount
    problems = []
    for row in round_figures():
        committed, paid = want[row.pk]
        if row.committed != committed or row.paid != paid:
            problems.append(
                f"round {row.pk}: committed {row.committed} != {committed} "
                f"or paid {row.paid} != {paid}"
            )
    return problems


def export_through_view(client):
    """GET the CSV export and read its streamed body; (how, size, ms) or None."""
    start = time.perf_counter()
    response = client.get(EXPORT)
    if response.status_code != 200:
        return f"GET {EXPORT} answered {response.status_code}: not available yet", None
    if not response.streaming:
        size = len(response.content)
        how = f"GET {EXPORT} (answered 200 but NOT streamed)"
    else:
        size = sum(len(chunk) for chunk in response.streaming_content)
        how = f"GET {EXPORT} (streamed)"
    return how, (f"{size:,} bytes", (time.perf_counter() - start) * 1000)


def export_through_iterator(client):
    """Every ledger row through .iterator() and csv.writer into a null sink."""
    start = time.perf_counter()
    writer = csv.writer(NullSink())
    writer.writerow(["id", "created_at", "round", "award", "account", "kind", "amount"])
    count = 0
    for row in LedgerEntry.objects.values_list(
        "pk", "created_at", "funding_round_id", "award_id", "account", "kind", "amount"
    ).iterator(chunk_size=BATCH):
        writer.writerow(row)
        count += 1
    how = f"LedgerEntry.objects.iterator(chunk_size={BATCH}) -> csv.writer(null sink)"
    return how, (f"{count:,} rows", (time.perf_counter() - start) * 1000)


def show(label, item):
    if item is None:
        print(f"  {label}: not available yet")
    elif "error" in item:
        print(f"  {label}: not available yet ({item['error']})")
    else:
        print(
            f"  {label}: {item['queries']} queries {item['all']}, best {item['ms']:.1f} ms "
            f"({item['db_ms']:.1f} ms in SQL)"
            + (f", status {item['status']}" if "status" in item else "")
        )


def main():
    args = parse_args()
    quiet_logs()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    print(f"Creating a throwaway test database on {connection.vendor}...", flush=True)
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    errors, results = [], {}
    try:
        print(f"Migrated in {time.perf_counter() - started:.1f}s")
        rng = random.Random(SEED)
        rounds = make_rounds()
        user, device = make_finance_user()
        client = finance_client(user, device)
        built = 0
        for size in args.sizes:
            t0 = time.perf_counter()
            rows = add_awards(built, size, rounds, user, rng)
            built = size
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(
                f"N={size} awards: added {rows:,} ledger rows in "
                f"{time.perf_counter() - t0:.1f}s "
                f"({LedgerEntry.objects.count():,} rows in all)",
                flush=True,
            )
            figures = measure(lambda: list(round_figures()))
            figures.pop("result")
            problems = check_figures(rounds)
            errors += [f"N={size} {p}" for p in problems]
            dashboard = measure_page(client, DASHBOARD)
            round_ledger = measure_page(client, ROUND_LEDGER.format(pk=rounds[0].pk))
            show("round_figures()", figures)
            print(
                "  round_figures() against Python sums: "
                + ("all agree" if not problems else f"{len(problems)} problem(s)")
            )
            show(f"GET {DASHBOARD}", dashboard)
            show(f"GET {ROUND_LEDGER.format(pk=rounds[0].pk)}", round_ledger)
            results[size] = {
                "round_figures()": figures,
                "finance dashboard": dashboard,
                "round ledger view": round_ledger,
            }

        print("\nQuery counts by size:")
        for label in ("round_figures()", "finance dashboard", "round ledger view"):
            items = {size: r[label] for size, r in results.items()}
            if any(not item or "error" in item for item in items.values()):
                print(f"  {label}: not available yet")
                continue
            counts = {size: item["queries"] for size, item in items.items()}
            verdict = "constant" if len(set(counts.values())) == 1 else "DIFFERS"
            print(
                f"  {label}: "
                + ", ".join(f"N={s}: {c}" for s, c in counts.items())
                + f" - {verdict}"
            )
            if verdict != "constant":
                errors.append(f"{label} query count grows with the data: {counts}")

        print(f"\nStreamed export of all {LedgerEntry.objects.count():,} ledger rows:")
        # The iterator first: ru_maxrss is a peak, so a later, bigger export would
        # hide a smaller one's growth. tracemalloc peaks are per export.
        for export in (export_through_iterator, export_through_view):
            before = rss_mb()
            tracemalloc.start()
            how, figures = export(client)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            after = rss_mb()
            print(f"  via {how}")
            if figures is None:
                continue
            amount, ms = figures
            print(f"    wrote {amount} in {ms:.0f} ms (tracemalloc on, so slower)")
            print(
                f"    peak RSS before {before:.1f} MB, after {after:.1f} MB "
                f"(+{after - before:.1f} MB); tracemalloc peak "
                f"{peak / 1024 / 1024:.1f} MB"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(f"Total {time.perf_counter() - started:.1f}s")
    if errors:
        print("\nPROBLEMS:")
        for error in errors:
            print(f"  {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
