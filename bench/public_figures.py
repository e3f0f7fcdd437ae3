"""Benchmark the public read side: /funded/ figures, open data and the /funded/ page.

Builds throwaway data in a test database: accepted awards spread over 3 funds (6
rounds) and organizations (two awards each, a third of them with an EIN), each award
with a confirmed hiring commitment, 4 progress reports (3 verified, 1 sent) with
counts, 2 people-served rows per report, and two ledger rows (the commitment and one
payment): first 500 awards, then up to 5,000. At each size it measures, with SQL query
counts and the best wall time of 3 runs:

1. ``grants.public.public_figures()`` cold (cache cleared before each run) and warm;
2. ``grants.open_data.package()`` cold, and the size of the JSON the view serves;
3. ``grants.open_data.grants_csv()`` and ``grants.open_data.candid_csv()`` cold
   (``grants_csv`` builds the package too, as it does in production on a cold cache);
4. ``GET /funded/`` (an ``AwardedGrantsPage`` under the default site's root page)
   through the test client, cold and warm.

The query counts should be the same for both sizes. The figures are checked against
sums worked out in Python, and the open data against the number of awards.

Run from the project root:

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/public_figures.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_public \\
        DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python \\
        bench/public_figures.py

Rows are written with ``bulk_create``, never through the services: this measures
reading. The cache is cleared with ``django.core.cache.cache.clear()``.
"""

import argparse
import csv
import io
import json
import logging
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.serializers.json import DjangoJSONEncoder  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402
from wagtail.models import Site  # noqa: E402

from cms.models import AwardedGrantsPage  # noqa: E402
from grants import open_data  # noqa: E402
from grants.models import (  # noqa: E402
    Award,
    Fund,
    FundingRound,
    HiringCommitment,
    HiringReport,
    LedgerEntry,
    Organization,
    ServiceCount,
    ServiceType,
)
from grants.public import public_figures  # noqa: E402
from portal.models import User  # noqa: E402

SEED = 20270715
FUNDS = [
    ("Survivor services", Fund.FrameworkGoal.SURVIVOR_SERVICES),
    ("Healing and prevention", Fund.FrameworkGoal.VIOLENCE_PREVENTION),
    ("Hiring survivors", Fund.FrameworkGoal.SURVIVOR_HIRING),
]
ROUNDS_PER_FUND = 2
AWARDS_PER_ORG = 2
REPORTS = 4  # the first three verified, the last sent and waiting
SERVED_PER_REPORT = 2
RUNS = 3
BATCH = 2000
CITIES = [
    ("Minneapolis", "55411"),
    ("Minneapolis", "55404"),
    ("Saint Paul", "55104"),
    ("Bloomington", "55420"),
]
ITEMS = [
    "public_figures() cold",
    "public_figures() warm",
    "open_data.package() cold",
    "open_data.grants_csv() cold",
    "open_data.candid_csv() cold",
    "GET /funded/ cold",
    "GET /funded/ warm",
]
# The counts that must not grow with the number of awards.
CONSTANT = ITEMS


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
    parser.add_argument(
        "--show-sql",
        action="store_true",
        help="for the largest size, print every query of each item (best run), "
        "slowest first",
    )
    args = parser.parse_args()
    args.sizes = sorted(int(part) for part in args.sizes.split(",") if part.strip())
    return args


# Data -------------------------------------------------------------------------------


def make_rounds():
    now = timezone.now()
    rounds = []
    for f, (name, goal) in enumerate(FUNDS):
        fund = Fund.objects.create(
            name=name, slug=f"bench-fund-{f + 1}", framework_goal=goal
        )
        for r in range(ROUNDS_PER_FUND):
            n = f * ROUNDS_PER_FUND + r + 1
            rounds.append(
                FundingRound.objects.create(
                    fund=fund,
                    title=f"{name} round {r + 1}",
                    reference_prefix=f"P{n}",
                    budget=Decimal("500000000.00"),
                    min_award=Decimal("1000.00"),
                    max_award=Decimal("60000.00"),
                    opens_at=now - timedelta(days=1200 - 300 * r),
                    closes_at=now - timedelta(days=1100 - 300 * r),
                    status=FundingRound.Status.PUBLISHED,
                )
            )
    return rounds


def make_organizations(start, stop, rng):
    """One organization per AWARDS_PER_ORG awards; every third has an EIN."""
    first, last = start // AWARDS_PER_ORG, -(-stop // AWARDS_PER_ORG)
    rows = []
    for i in range(first, last):
        city, postal_code = CITIES[i % len(CITIES)]
        ein = ""
        if i % 3 == 0:
            digits = f"{41 + i % 50:02d}{1000000 + i:07d}"[:9]
            ein = f"{digits[:2]}-{digits[2:]}" if i % 2 else digits
        rows.append(
            Organization(
                legal_name=f"Public Bench Collective {i} Inc.",
                public_name=f"Public Bench Collective {i}",
                ein=ein,
                address_line1="2100 Plymouth Ave N",
                city=city,
                postal_code=postal_code,
                mission="Peer support led by survivors.",
                survivor_led=rng.random() < 0.7,
                contact_name="Bench Contact",
                contact_email=f"office{i}@example.org",
            )
        )
    return {
        first + n: org
        for n, org in enumerate(
            Organization.objects.bulk_create(rows, batch_size=BATCH)
        )
    }


def add_awards(start, stop, rounds, user, rng):
    """Awards start..stop-1, accepted, with commitment, reports and ledger rows."""
    organizations = make_organizations(start, stop, rng)
    now = timezone.now()
    awards = []
    for i in range(start, stop):
        awarded_at = now - timedelta(days=rng.randrange(30, 1000), hours=i % 24)
        starts_on = timezone.localtime(awarded_at).date() + timedelta(days=14)
        awards.append(
            Award(
                organization=organizations[i // AWARDS_PER_ORG],
                funding_round=rounds[i % len(rounds)],
                amount=Decimal(rng.randrange(10, 600) * 100),
                public_title=f"Healing circles {i}",
                public_summary="Weekly peer support circles led by survivors.",
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=364),
                status=Award.Status.ACCEPTED,
                signer_name="Bench Signer",
                accepted_at=awarded_at + timedelta(days=5),
                created_by=user,
                awarded_at=awarded_at,
            )
        )
    awards = Award.objects.bulk_create(awards, batch_size=BATCH)

    commitments, reports, ledger = [], [], []
    for award in awards:
        positions = {
            "entry_positions": rng.randrange(1, 4),
            "professional_positions": rng.randrange(0, 3),
            "leadership_positions": rng.randrange(0, 2),
            "board_positions": rng.randrange(0, 2),
        }
        commitments.append(
            HiringCommitment(
                award=award,
                status=HiringCommitment.Status.CONFIRMED,
                wage_floor=Decimal("18.50"),
                target_date=award.ends_on,
                supports=["peer_support", "training"],
                proposed_at=award.awarded_at,
                confirmed_by=user,
                confirmed_at=award.awarded_at + timedelta(days=7),
                **positions,
            )
        )
        for number in range(1, REPORTS + 1):
            period_start = award.starts_on + timedelta(days=91 * (number - 1))
            period_end = period_start + timedelta(days=90)
            verified = number < REPORTS
            sent_at = award.awarded_at + timedelta(days=91 * number + 20)
            reports.append(
                HiringReport(
                    award=award,
                    number=number,
                    period_start=period_start,
                    period_end=period_end,
                    due_on=period_end + timedelta(days=30),
                    status=(
                        HiringReport.Status.VERIFIED
                        if verified
                        else HiringReport.Status.SUBMITTED
                    ),
                    entry_filled=rng.randrange(0, 2),
                    professional_filled=rng.randrange(0, 2),
                    leadership_filled=rng.randrange(0, 2),
                    board_filled=rng.randrange(0, 2),
                    retained_6_months=rng.randrange(0, 3) if number > 2 else 0,
                    retained_12_months=rng.randrange(0, 2) if number > 3 else 0,
                    at_or_above_wage_floor=rng.randrange(0, 3),
                    submitted_by=user,
                    submitted_at=sent_at,
                    verified_by=user if verified else None,
                    verified_at=sent_at + timedelta(days=3) if verified else None,
                )
            )
        base = {
            "funding_round_id": award.funding_round_id,
            "award": award,
            "created_by": user,
        }
        paid = (award.amount * Decimal(rng.randrange(25, 101)) / 100).quantize(
            Decimal("0.01")
        )
        ledger += [
            LedgerEntry(
                account=LedgerEntry.Account.COMMITTED,
                kind=LedgerEntry.Kind.COMMITMENT,
                amount=award.amount,
                created_at=award.awarded_at,
                **base,
            ),
            LedgerEntry(
                account=LedgerEntry.Account.PAID,
                kind=LedgerEntry.Kind.DISBURSEMENT,
                amount=paid,
                created_at=award.awarded_at + timedelta(days=rng.randrange(20, 200)),
                **base,
            ),
        ]
    HiringCommitment.objects.bulk_create(commitments, batch_size=BATCH)
    reports = HiringReport.objects.bulk_create(reports, batch_size=BATCH)
    services = ServiceType.values
    served = [
        ServiceCount(
            report=report,
            service_type=service_type,
            people_served=rng.randrange(0, 40),
        )
        for report in reports
        for service_type in rng.sample(services, SERVED_PER_REPORT)
    ]
    ServiceCount.objects.bulk_create(served, batch_size=BATCH)
    LedgerEntry.objects.bulk_create(ledger, batch_size=BATCH)
    return {
        "reports": len(reports),
        "service counts": len(served),
        "ledger rows": len(ledger),
    }


def funded_page():
    """The AwardedGrantsPage, added under the default site's root page if missing."""
    page = AwardedGrantsPage.objects.live().first()
    if page is None:
        root = Site.objects.get(is_default_site=True).root_page
        page = AwardedGrantsPage(
            title="What we funded", slug="funded", intro="Grants we awarded."
        )
        root.add_child(instance=page)
        page.save_revision().publish()
    return page


# Measuring --------------------------------------------------------------------------


def measure(func, prepare=None, runs=RUNS):
    """Best wall time of ``runs`` calls; ``prepare`` runs before each, untimed."""
    best, counts, result, best_db, sql = None, [], None, 0.0, []
    for _ in range(runs):
        if prepare is not None:
            prepare()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = func()
            elapsed = (time.perf_counter() - start) * 1000
        counts.append(len(ctx.captured_queries))
        db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        if best is None or elapsed < best:
            best, best_db, sql = elapsed, db_ms, list(ctx.captured_queries)
    return {
        "queries": counts[-1],
        "all": counts,
        "ms": best,
        "db_ms": best_db,
        "sql": sql,
        "result": result,
    }


def json_bytes(package) -> int:
    """Size of the JSON the /open-data/360giving.json view serves."""
    text = json.dumps(package, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return len(text.encode())


def csv_rows(text) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def shown(item):
    """The value of a suppressed Figure, or None when it is hidden."""
    return item.value if item.shown else None


def check(size):
    """Problems in what the public sees, against sums worked out in Python."""
    problems = []
    awards = list(Award.objects.values_list("pk", "amount"))
    paid = sum(
        LedgerEntry.objects.filter(account=LedgerEntry.Account.PAID).values_list(
            "amount", flat=True
        ),
        Decimal(0),
    )
    cache.clear()
    figures = public_figures()
    money, people = figures["money"], figures["people"]
    want = {
        "grants": len(awards),
        "awarded": sum((amount for _pk, amount in awards), Decimal(0)),
        "disbursed": paid,
    }
    for key, value in want.items():
        if money[key] != value:
            problems.append(f"money {key}: {money[key]} != {value}")
    if sum(row["grants"] for row in money["by_fund"]) != len(awards):
        problems.append("by_fund grants do not add up to the number of awards")
    committed = sum(sum(c.positions().values()) for c in HiringCommitment.objects.all())
    filled = sum(
        r.total_filled
        for r in HiringReport.objects.filter(status=HiringReport.Status.VERIFIED)
    )
    served = sum(
        ServiceCount.objects.filter(
            report__status=HiringReport.Status.VERIFIED
        ).values_list("people_served", flat=True)
    )
    for label, got, value in (
        ("committed_total", people["committed_total"], committed),
        ("filled_total", people["filled_total"], filled),
        ("served_total", people["served_total"], served),
    ):
        if shown(got) is not None and shown(got) != value:
            problems.append(f"people {label}: {shown(got)} != {value}")
    grants = open_data.package()["grants"]
    if len(grants) != size:
        problems.append(f"package has {len(grants)} grants, not {size}")
    if len(csv_rows(open_data.grants_csv())) != size:
        problems.append("grants_csv does not have one row per award")
    candid = csv_rows(open_data.candid_csv())
    # One "Authorized" row per award and one "Paid" row (a single payment each).
    if len(candid) != 2 * size:
        problems.append(f"candid_csv has {len(candid)} rows, not {2 * size}")
    return problems


def measure_page(client, url, *, cold):
    client.get(url)  # settings rows, site root paths: first-request work
    outcome = measure(lambda: client.get(url), prepare=cache.clear if cold else None)
    response = outcome.pop("result")
    outcome["status"] = response.status_code
    outcome["bytes"] = len(response.content)
    return outcome


def measure_size(client, url):
    results = {}
    results["public_figures() cold"] = measure(public_figures, prepare=cache.clear)
    public_figures()
    results["public_figures() warm"] = measure(public_figures)
    package = measure(open_data.package, prepare=cache.clear)
    package["bytes"] = json_bytes(package["result"])
    results["open_data.package() cold"] = package
    for name, func in (
        ("open_data.grants_csv() cold", open_data.grants_csv),
        ("open_data.candid_csv() cold", open_data.candid_csv),
    ):
        outcome = measure(func, prepare=cache.clear)
        outcome["bytes"] = len(outcome["result"].encode())
        results[name] = outcome
    results["GET /funded/ cold"] = measure_page(client, url, cold=True)
    results["GET /funded/ warm"] = measure_page(client, url, cold=False)
    for item in results.values():
        item.pop("result", None)
    return results


def show(label, item):
    extra = ""
    if "bytes" in item:
        extra += f", {item['bytes']:,} bytes"
    if "status" in item:
        extra += f", status {item['status']}"
    print(
        f"  {label}: {item['queries']} queries {item['all']}, best {item['ms']:.1f} ms "
        f"({item['db_ms']:.1f} ms in SQL){extra}"
    )


def show_sql(results):
    print("\n  Queries of each item (best run), slowest first:")
    for label, item in results.items():
        print(f"    {label}:")
        for query in sorted(item["sql"], key=lambda q: -float(q["time"])):
            sql = " ".join(query["sql"].split())
            print(f"      {float(query['time']) * 1000:7.1f} ms  {sql[:300]}")


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
        print(
            f"Migrated {connection.settings_dict['NAME']} in "
            f"{time.perf_counter() - started:.1f}s"
        )
        rng = random.Random(SEED)
        rounds = make_rounds()
        user = User.objects.create_user(
            "bench-public@example.org", password=None, first_name="Bench"
        )
        page = funded_page()
        url = page.url
        if url != "/funded/":
            print(f"The awarded grants page is at {url}, not /funded/")
        client = Client(raise_request_exception=False)
        built = 0
        for size in args.sizes:
            t0 = time.perf_counter()
            added = add_awards(built, size, rounds, user, rng)
            built = size
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(
                f"\nN={size} accepted awards: added "
                + ", ".join(f"{n:,} {what}" for what, n in added.items())
                + f" in {time.perf_counter() - t0:.1f}s "
                f"({Organization.objects.count():,} organizations, "
                f"{HiringReport.objects.count():,} reports, "
                f"{LedgerEntry.objects.count():,} ledger rows in all)",
                flush=True,
            )
            problems = check(size)
            errors += [f"N={size} {p}" for p in problems]
            results[size] = measure_size(client, url)
            for label, item in results[size].items():
                show(label, item)
                if "status" in item and item["status"] != 200:
                    errors.append(f"N={size} {label} answered {item['status']}")
            print(
                "  figures and open data against Python sums: "
                + ("all agree" if not problems else f"{len(problems)} problem(s)")
            )
            if args.show_sql and size == args.sizes[-1]:
                show_sql(results[size])

        sizes = list(results)
        print("\nQuery counts by size:")
        width = max(len(label) for label in ITEMS)
        print(f"  {'':{width}}  " + "  ".join(f"N={s:>6}" for s in sizes))
        for label in ITEMS:
            counts = [results[s][label]["queries"] for s in sizes]
            verdict = "constant" if len(set(counts)) == 1 else "DIFFERS"
            print(
                f"  {label:{width}}  "
                + "  ".join(f"{c:>8}" for c in counts)
                + f"  {verdict}"
            )
            if label in CONSTANT and verdict != "constant":
                errors.append(
                    f"{label} query count grows with the data: "
                    + dict(zip(sizes, counts, strict=True)).__repr__()
                )
        print("\nBest wall time (ms) by size:")
        print(f"  {'':{width}}  " + "  ".join(f"N={s:>6}" for s in sizes))
        for label in ITEMS:
            print(
                f"  {label:{width}}  "
                + "  ".join(f"{results[s][label]['ms']:>8.1f}" for s in sizes)
            )
    finally:
        cache.clear()
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
