"""Benchmark the read side of panel deliberation: ranking, reviewer stats, meeting view.

Builds throwaway rounds of N eligible applications (5 submitted reviews each, 8
panelists, a 4-criterion rubric) in a test database, then measures, per size:

1. ``list(applications.ranking.panel_ranking(panel))`` - SQL queries and best time;
2. ``applications.ranking.reviewer_stats(panel)`` - SQL queries and best time;
3. the ranked panel view ``applications:panel_meeting``, if that URL exists,
   rendered through the test client for an OTP-verified program-staff user.

The query counts should be the same for every size.

Run from the project root:

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/panel_ranking.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        DJANGO_SETTINGS_MODULE=portal.settings.test \\
        .venv/bin/python bench/panel_ranking.py --sizes 20,2000 --reviews 5

Bulk data is written with ``bulk_create``, never through the services: this measures
reading, not writing. The test database is created and destroyed by Django's test
database machinery, so the development database is never touched.
"""

import argparse
import logging
import math
import os
import random
import sys
import time
import traceback
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from applications.models import (  # noqa: E402
    Application,
    ApplicationForm,
    Assignment,
    Criterion,
    Panel,
    PanelMembership,
    Review,
    Rubric,
    Score,
)
from applications.ranking import ranked_rows, reviewer_stats  # noqa: E402
from grants.models import Fund, FundingRound, Organization  # noqa: E402
from portal import roles  # noqa: E402
from portal.models import User  # noqa: E402

SEED = 20270501
PANELISTS = 8
SCALE_MAX = 5
WEIGHTS = [Decimal("3"), Decimal("2"), Decimal("2"), Decimal("1")]
RUNS = 3
BATCH = 2000
# Review number k (counted over the whole round) abstains when k % ABSTAIN_EVERY == 7.
ABSTAIN_EVERY = 37


def quiet_logs():
    """Axes logins, immediate tasks and 500s would drown the figures."""
    for name in ("axes", "django_tasks", "django.request", "wagtail"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="20,2000",
        help="comma-separated numbers of applications (default: 20,2000)",
    )
    parser.add_argument(
        "--reviews",
        type=int,
        default=5,
        help=f"submitted reviews per application, at most {PANELISTS} (default: 5)",
    )
    parser.add_argument(
        "--show-sql",
        action="store_true",
        help="print the start of every query panel_ranking runs for the largest size",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip ANALYZE after loading: the planner then works without statistics, "
        "as just after a bulk load before autovacuum has run",
    )
    args = parser.parse_args()
    args.sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    if not 1 <= args.reviews <= PANELISTS:
        parser.error(f"--reviews must be between 1 and {PANELISTS}")
    return args


# Data -------------------------------------------------------------------------------


def make_staff_user():
    user = User.objects.create_user(
        "bench-staff@example.org", password=None, first_name="Bench", is_staff=True
    )
    user.groups.add(Group.objects.get(name=roles.PROGRAM_STAFF))
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user, device


def form_blocks():
    return [
        ("section", {"title": "Your work", "intro": ""}),
        (
            "long_text",
            {
                "label": "What will you do with the grant?",
                "help_text": "",
                "required": True,
                "identifying": False,
                "word_limit": 300,
            },
        ),
    ]


def build_round(size: int, reviews: int, fund: Fund, staff: User):
    """One round with a panel, rubric, form, ``size`` applications and their reviews.

    Returns the panel and what was written, for checking the ranking in Python.
    """
    rng = random.Random(SEED + size)
    now = timezone.now()
    prefix = f"B{size}"[:8]
    funding_round = FundingRound.objects.create(
        fund=fund,
        title=f"Benchmark round of {size}",
        reference_prefix=prefix,
        budget=Decimal("5000000.00"),
        min_award=Decimal("5000.00"),
        max_award=Decimal("50000.00"),
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=30),
        status=FundingRound.Status.PUBLISHED,
    )
    form = ApplicationForm.objects.create(
        funding_round=funding_round, fields=form_blocks()
    )
    panel = Panel.objects.create(
        funding_round=funding_round,
        name=f"Benchmark panel {size}",
        reviewers_per_application=reviews,
    )
    rubric = Rubric.objects.create(
        funding_round=funding_round,
        scale_max=SCALE_MAX,
        instructions="Score what the application says.",
    )
    levels = "\n".join(f"Level {n}: description" for n in range(1, SCALE_MAX + 1))
    criteria = Criterion.objects.bulk_create(
        Criterion(
            rubric=rubric,
            sort_order=order,
            title=f"Criterion {order + 1}",
            guidance="Look for a clear plan led by survivors.",
            weight=weight,
            level_descriptions=levels,
        )
        for order, weight in enumerate(WEIGHTS)
    )
    total_weight = sum(WEIGHTS)

    unusable = make_password(None)
    panelists = User.objects.bulk_create(
        User(email=f"panelist{n}-{prefix.lower()}@example.org", password=unusable)
        for n in range(PANELISTS)
    )
    panelist_group = Group.objects.get(name=roles.PANELISTS)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=p.pk, group_id=panelist_group.pk) for p in panelists
    )
    PanelMembership.objects.bulk_create(
        PanelMembership(
            panel=panel,
            user=p,
            role=PanelMembership.Role.CHAIR
            if n == 0
            else PanelMembership.Role.PANELIST,
            stipend_rate=Decimal("40.00"),
        )
        for n, p in enumerate(panelists)
    )
    # Some reviewers score everything high, others low: normalization has work to do.
    bias = {p.pk: rng.uniform(-1.0, 1.0) for p in panelists}

    organizations = Organization.objects.bulk_create(
        (
            Organization(
                legal_name=f"Bench Collective {prefix}-{i} Inc.",
                public_name=f"Bench Collective {prefix}-{i}",
                address_line1="2100 Plymouth Ave N",
                postal_code="55411",
                mission="Peer support led by survivors.",
                contact_name="Bench Contact",
                contact_email=f"office{i}-{prefix.lower()}@example.org",
            )
            for i in range(size)
        ),
        batch_size=BATCH,
    )
    snapshot = list(form.fields.raw_data)
    applications = Application.objects.bulk_create(
        (
            Application(
                funding_round=funding_round,
                organization=org,
                status=Application.Status.ELIGIBLE,
                title=f"Healing circles {i}",
                amount_requested=Decimal(rng.randrange(5, 51) * 1000),
                reference=f"{prefix}-{i:05d}",
                submitted_at=now - timedelta(days=40, minutes=i),
                form_version=form.version,
                form_snapshot=snapshot,
                answers={},
            )
            for i, org in enumerate(organizations)
        ),
        batch_size=BATCH,
    )

    plan = []  # (application, panelist) per assignment
    for application in applications:
        for panelist in rng.sample(panelists, reviews):
            plan.append((application, panelist))
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(panel=panel, panelist=p, application=a, assigned_by=staff)
            for a, p in plan
        ),
        batch_size=BATCH,
    )

    quality = {a.pk: rng.uniform(1.5, 4.5) for a in applications}
    review_rows, score_values = [], []
    for k, assignment in enumerate(assignments):
        abstained = k % ABSTAIN_EVERY == 7
        if abstained:
            values = None
            weighted = None
        else:
            centre = quality[assignment.application_id] + bias[assignment.panelist_id]
            values = [
                min(SCALE_MAX, max(1, round(centre + rng.gauss(0, 0.8))))
                for _ in criteria
            ]
            weighted = (
                sum(w * v for w, v in zip(WEIGHTS, values, strict=True)) / total_weight
            ).quantize(Decimal("0.0001"))
        score_values.append(values)
        review_rows.append(
            Review(
                assignment=assignment,
                recommendation="" if abstained else "fund",
                abstained=abstained,
                abstain_reason="I know people there." if abstained else "",
                weighted_score=weighted,
                submitted_at=now - timedelta(days=10),
            )
        )
    saved_reviews = Review.objects.bulk_create(review_rows, batch_size=BATCH)
    Score.objects.bulk_create(
        (
            Score(review=review, criterion=criterion, value=value)
            for review, values in zip(saved_reviews, score_values, strict=True)
            if values is not None
            for criterion, value in zip(criteria, values, strict=True)
        ),
        batch_size=BATCH * 2,
    )
    written = {
        "criteria": [c.pk for c in criteria],
        "applications": {a.pk: (a.reference, a.amount_requested) for a in applications},
        "reviews": [
            (a.application_id, a.panelist_id, r.weighted_score, v)
            for a, r, v in zip(assignments, saved_reviews, score_values, strict=True)
        ],
    }
    return panel, written


# Checking ---------------------------------------------------------------------------


def _pstdev(values):
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def expected_ranking(written, scale_max=SCALE_MAX):
    """The ranking worked out in Python from the rows written, as ranking.py documents."""
    by_app = {pk: [] for pk in written["applications"]}
    abstentions = dict.fromkeys(written["applications"], 0)
    by_reviewer = {}
    crit = {pk: {c: [] for c in written["criteria"]} for pk in written["applications"]}
    for app_id, panelist_id, weighted, values in written["reviews"]:
        if weighted is None:
            abstentions[app_id] += 1
            continue
        by_app[app_id].append((panelist_id, float(weighted)))
        by_reviewer.setdefault(panelist_id, []).append(float(weighted))
        for criterion, value in zip(written["criteria"], values, strict=True):
            crit[app_id][criterion].append(value)
    everything = [s for scores in by_reviewer.values() for s in scores]
    p_mean, p_spread = sum(everything) / len(everything), _pstdev(everything)
    reviewer = {
        pk: (sum(s) / len(s), _pstdev(s))
        for pk, s in by_reviewer.items()
        if len(s) >= 2 and _pstdev(s) != 0
    }
    rows = {}
    for app_id, scored in by_app.items():
        reference, amount = written["applications"][app_id]
        values = [s for _, s in scored]
        rescaled = [
            min(
                max(p_mean + (s - reviewer[p][0]) / reviewer[p][1] * p_spread, 1.0),
                scale_max,
            )
            for p, s in scored
            if p in reviewer
        ]
        rows[reference] = {
            "reviews_done": len(values),
            "abstentions": abstentions[app_id],
            "mean_score": sum(values) / len(values) if values else None,
            "spread": _pstdev(values) if values else None,
            "normalized_score": sum(rescaled) / len(rescaled) if rescaled else None,
            "crit": {
                c: (sum(v) / len(v) if v else None) for c, v in crit[app_id].items()
            },
            "amount": amount,
        }
    order = sorted(
        rows,
        key=lambda ref: (
            rows[ref]["mean_score"] is None,
            -(rows[ref]["mean_score"] or 0),
            ref,
        ),
    )
    running = Decimal(0)
    scored_refs = [ref for ref in order if rows[ref]["mean_score"] is not None]
    for position, ref in enumerate(order, start=1):
        running += rows[ref]["amount"] or 0
        rows[ref]["position"] = position
        rows[ref]["running_total"] = running
    # NTILE(3) over the scored rows: the first (n % 3) bands get one extra row.
    n = len(scored_refs)
    sizes = [n // 3 + (1 if band < n % 3 else 0) for band in range(3)]
    band_of, index = {}, 0
    for band, count in enumerate(sizes, start=1):
        for ref in scored_refs[index : index + count]:
            band_of[ref] = band
        index += count
    for ref in scored_refs:
        rows[ref]["band_number"] = band_of[ref]
    return order, rows


def check_ranking(rows, written, size):
    """Differences between panel_ranking and the Python figures (empty when all agree)."""
    order, expected = expected_ranking(written)
    problems = []

    def close(a, b):
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)

    got_order = [r.reference for r in rows]
    if got_order != order:
        first = next(
            (
                i
                for i, (a, b) in enumerate(zip(got_order, order, strict=False))
                if a != b
            ),
            min(len(got_order), len(order)),
        )
        problems.append(f"order differs from position {first + 1}")
    for row in rows:
        want = expected.get(row.reference)
        if want is None:
            problems.append(f"{row.reference}: unexpected row")
            continue
        for name in ("mean_score", "spread", "normalized_score"):
            if not close(getattr(row, name), want[name]):
                problems.append(
                    f"{row.reference}.{name}: {getattr(row, name)} != {want[name]}"
                )
        for name in ("reviews_done", "abstentions", "position", "running_total"):
            if getattr(row, name) != want[name]:
                problems.append(
                    f"{row.reference}.{name}: {getattr(row, name)} != {want[name]}"
                )
        if row.mean_score is not None and row.band_number != want["band_number"]:
            problems.append(
                f"{row.reference}.band_number: {row.band_number} != {want['band_number']}"
            )
        for criterion, mean in zip(
            sorted(want["crit"]), row.criterion_means, strict=False
        ):
            if not close(mean, want["crit"][criterion]):
                problems.append(f"{row.reference}.criterion {criterion}: mismatch")
    if problems:
        return [f"N={size}: {p}" for p in problems[:10]] + (
            [f"N={size}: ... {len(problems) - 10} more"] if len(problems) > 10 else []
        )
    return []


# Measuring --------------------------------------------------------------------------


def measure(func, runs=RUNS):
    """Best wall time in ms over ``runs`` runs, the query counts and the last result."""
    best, counts, result = None, [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = func()
            elapsed = (time.perf_counter() - start) * 1000
        counts.append(len(ctx.captured_queries))
        db_ms = sum(float(query["time"]) for query in ctx.captured_queries) * 1000
        if best is None or elapsed < best:
            best, best_db = elapsed, db_ms
    return {
        "queries": counts[-1],
        "all_queries": counts,
        "ms": best,
        "db_ms": best_db,
        "result": result,
        "sql": [query["sql"] for query in ctx.captured_queries],
    }


def measure_view(panel, staff, device):
    try:
        url = reverse("applications:panel_meeting", kwargs={"panel_id": panel.pk})
    except NoReverseMatch:
        return None
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.get(url)  # warm-up: template loading, first-request caches
    outcome = measure(lambda: client.get(url))
    response = outcome.pop("result")
    outcome["status"] = response.status_code
    outcome["bytes"] = len(response.content)
    outcome["url"] = url
    exc_info = getattr(response, "exc_info", None)
    outcome["exception"] = repr(exc_info[1]) if exc_info else None
    return outcome


def fmt(value):
    return "-" if value is None else f"{value:.3f}"


def bench_size(size, args, fund, staff, device, errors):
    start = time.perf_counter()
    panel, written = build_round(size, args.reviews, fund, staff)
    built_in = time.perf_counter() - start
    if not args.no_analyze:
        # Fresh bulk-loaded tables have no planner statistics; autovacuum would
        # gather them in a live database. Without them PostgreSQL picks sequential
        # scans inside the per-criterion subqueries (see --no-analyze).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    reviews = Review.objects.filter(assignment__panel=panel)
    print(
        f"  N={size}: built {len(written['applications'])} applications, "
        f"{reviews.count()} submitted reviews "
        f"({reviews.filter(abstained=True).count()} abstentions), "
        f"{Score.objects.filter(review__assignment__panel=panel).count()} scores "
        f"in {built_in:.1f}s" + ("" if args.no_analyze else ", then ANALYZE"),
        flush=True,
    )
    row = {"size": size, "build_s": built_in}

    try:
        rubric = Rubric.objects.get(funding_round_id=panel.funding_round_id)
        ranking = measure(lambda: ranked_rows(panel, rubric=rubric))
        rows = ranking.pop("result")
        ranking["rows"] = len(rows)
        row["ranking"] = ranking
        print(
            "  top 3: "
            + "; ".join(
                f"#{r.rank} {r.reference} mean={fmt(r.mean_score)} "
                f"spread={fmt(r.spread)} norm={fmt(r.normalized_score)} "
                f"done={r.reviews_done}/{r.reviews_assigned} band={r.band_number}"
                for r in rows[:3]
            ),
            flush=True,
        )
        problems = check_ranking(rows, written, size)
        print(
            "  check against Python: "
            + ("all figures agree" if not problems else f"{len(problems)} problem(s)"),
            flush=True,
        )
        errors.extend(f"panel_ranking {p}" for p in problems)
        if args.show_sql and size == max(args.sizes):
            for n, query in enumerate(ranking["sql"], start=1):
                print(f"    [{n}] {len(query)} chars: {query[:160]}...")
    except Exception as exc:  # noqa: BLE001 - report it and carry on with the rest
        errors.append(f"panel_ranking failed for N={size}: {exc!r}")
        traceback.print_exc()
        row["ranking"] = None

    try:
        stats = measure(lambda: reviewer_stats(panel))
        stats["reviewers"] = len(stats.pop("result"))
        row["stats"] = stats
    except Exception as exc:  # noqa: BLE001
        errors.append(f"reviewer_stats failed for N={size}: {exc!r}")
        traceback.print_exc()
        row["stats"] = None

    try:
        view = measure_view(panel, staff, device)
        if view is not None and view["status"] != 200:
            errors.append(
                f"panel meeting view answered {view['status']} for N={size}"
                + (f": {view['exception']}" if view["exception"] else "")
            )
        row["view"] = view
    except Exception as exc:  # noqa: BLE001
        errors.append(f"panel meeting view failed for N={size}: {exc!r}")
        traceback.print_exc()
        row["view"] = "error"
    return row


# Report -----------------------------------------------------------------------------


def cell(item):
    if not isinstance(item, dict):
        text = "n/a" if item is None else "error"
        return f"{text:>9} {text:>10}"
    return f"{item['queries']:>9} {item['ms']:>10.1f}"


def print_report(results, vendor):
    print()
    header = (
        f"{'N':>6} | {'ranking q':>9} {'ranking ms':>10} | "
        f"{'stats q':>9} {'stats ms':>10} | {'view q':>9} {'view ms':>10} {'status':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        view = row["view"]
        status = str(view["status"]) if isinstance(view, dict) else "-"
        print(
            f"{row['size']:>6} | {cell(row['ranking'])} | {cell(row['stats'])} | "
            f"{cell(view)} {status:>6}"
        )
    print(
        f"(q = SQL queries; ms = best of {RUNS} runs, wall time; ranking = "
        "ranked_rows(panel) for the whole round; stats = reviewer_stats(panel); view = GET "
        "applications:panel_meeting through the test client, warm)"
    )

    if all(row["view"] is None for row in results):
        print("panel meeting view: view not available yet")
    for row in results:
        view = row["view"]
        if isinstance(view, dict):
            print(
                f"panel meeting view N={row['size']}: GET {view['url']} -> "
                f"{view['status']}, {view['bytes']:,} bytes, {view['db_ms']:.1f} ms of "
                f"{view['ms']:.1f} ms in cursor.execute"
                + (f", {view['exception']}" if view["exception"] else "")
            )

    for key, label in (
        ("ranking", "panel_ranking"),
        ("stats", "reviewer_stats"),
        ("view", "panel meeting view"),
    ):
        items = [(row["size"], row[key]) for row in results]
        if len(items) < 2 or any(not isinstance(item, dict) for _, item in items):
            continue
        if key == "view" and any(item["status"] != 200 for _, item in items):
            print(f"{label}: query counts not compared (not every response was 200)")
            continue
        for size, item in items:
            if len(set(item["all_queries"])) > 1:
                print(
                    f"note: {label} N={size} query counts varied between runs: "
                    f"{item['all_queries']}"
                )
        counts = {size: item["queries"] for size, item in items}
        sizes = " and ".join(str(size) for size in counts)
        if len(set(counts.values())) == 1:
            print(
                f"{label}: query count is the same for N={sizes} "
                f"({next(iter(counts.values()))} queries) - constant"
            )
        else:
            detail = ", ".join(f"N={s}: {c}" for s, c in counts.items())
            print(f"{label}: query count DIFFERS between sizes ({detail})")
    print(f"Database vendor: {vendor}")


def database_version():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        if connection.vendor == "postgresql":
            cursor.execute("show server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return connection.vendor


def main():
    args = parse_args()
    quiet_logs()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    vendor = connection.vendor
    print(f"Creating a throwaway test database on {vendor}...", flush=True)
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    errors, results = [], []
    try:
        print(
            f"Database vendor: {vendor} ({database_version()}), test database "
            f"{connection.settings_dict['NAME']}, migrated in "
            f"{time.perf_counter() - started:.1f}s"
        )
        print(
            f"Sizes {args.sizes}; {args.reviews} reviews per application, "
            f"{PANELISTS} panelists, {len(WEIGHTS)} criteria, seed {SEED}"
        )
        fund = Fund.objects.create(
            name="Benchmark fund",
            slug="benchmark-fund",
            framework_goal=Fund.FrameworkGoal.SURVIVOR_SERVICES,
        )
        staff, device = make_staff_user()
        for size in args.sizes:
            results.append(bench_size(size, args, fund, staff, device, errors))
        print_report(results, vendor)
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
