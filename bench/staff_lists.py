"""Staff pages at 10 and 10,000 rows: SQL query counts and server time, in-process.

A throwaway PostgreSQL database (a migrated copy) gets, at each size N, through the
builders of the existing benchmarks:

- a round of N eligible applications with a panel, rubric and 5 submitted reviews
  each (``bench/panel_ranking.py``: ``build_round``), so the staff application list
  holds about N rows (10, then 10 + 10,000);
- N awards with four ledger rows each (``bench/finance.py``: ``add_awards``).

Then, through Django's test ``Client`` with ``CaptureQueriesContext`` (best wall time
of 3 runs, after one warm-up request), signed in with the second factor as the role
each page is for:

- ``GET /admin/applications/`` (program staff);
- ``applications.ranking.ranked_rows(panel)`` and the chair's meeting view
  ``applications:panel_meeting`` (program staff), for the round of N;
- ``GET /admin/finance/`` (finance staff).

Query counts must be the same at both sizes. Settings: ``portal.settings.test``
(as the other benchmarks) with ``DATABASE_URL`` pointing at the copy.

    .venv/bin/python bench/staff_lists.py [--sizes 10,10000]
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common

APPLICATION_LIST = "/admin/applications/"
FINANCE_DASHBOARD = "/admin/finance/"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.common_arguments(parser)
    parser.add_argument("--sizes", default="10,10000")
    args = parser.parse_args(argv)
    args.sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    return args


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = common.database_url(database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["PORTAL_RATE_LIMITS"] = common.RATE_LIMITS
    import django

    django.setup()


def measure_sizes(sizes) -> dict:
    from django.db import connection

    from applications.models import Application, Rubric
    from applications.ranking import ranked_rows
    from bench import finance, panel_ranking
    from grants.models import Fund

    panel_ranking.quiet_logs()
    fund = Fund.objects.create(
        name="Benchmark panels",
        slug="benchmark-panels",
        framework_goal=Fund.FrameworkGoal.SURVIVOR_SERVICES,
    )
    staff, staff_device = panel_ranking.make_staff_user()
    finance_user, finance_device = finance.make_finance_user()
    staff_client = finance.finance_client(staff, staff_device)
    finance_client = finance.finance_client(finance_user, finance_device)
    rounds = finance.make_rounds()
    rng = random.Random(finance.SEED)
    results, awards = {}, 0
    for size in sizes:
        started = time.perf_counter()
        panel, _written = panel_ranking.build_round(size, 5, fund, staff)
        finance.add_awards(awards, awards + size, rounds, finance_user, rng)
        awards += size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        common.log(
            f"staff lists: built N={size} in {time.perf_counter() - started:.0f} s"
        )
        rubric = Rubric.objects.get(funding_round_id=panel.funding_round_id)
        listed = Application.objects.submitted().count()
        ranking = panel_ranking.measure(
            lambda p=panel, r=rubric: ranked_rows(p, rubric=r)
        )
        ranking["rows"] = len(ranking.pop("result"))
        ranking.pop("sql", None)
        meeting = panel_ranking.measure_view(panel, staff, staff_device)
        if meeting is not None:
            meeting["rows"] = size
        results[size] = {
            "application list": page(staff_client, APPLICATION_LIST, listed),
            "panel ranking (ranked_rows)": ranking,
            "panel meeting view": meeting,
            "finance dashboard": page(finance_client, FINANCE_DASHBOARD, awards),
        }
        results[size]["panel ranking (ranked_rows)"]["status"] = 200
    return results


def page(client, url, rows):
    from bench import finance

    outcome = finance.measure_page(client, url)
    if outcome is None:
        return {"status": 404, "queries": None, "ms": None, "rows": rows}
    outcome.pop("result", None)
    outcome["rows"] = rows
    return outcome


def run(args) -> list[dict]:
    database = common.migrated_database("staff")
    setup_django(database)
    try:
        results = measure_sizes(args.sizes)
    finally:
        from django.db import connections

        connections.close_all()
    rows = []
    small, large = args.sizes[0], args.sizes[-1]
    for label in results[small]:
        items = [results[size][label] for size in args.sizes]
        if any(item is None or item.get("queries") is None for item in items):
            rows.append(common.row(f"staff: {label}", "n/a", "page not available"))
            continue
        counts = [item["queries"] for item in items]
        same = len(set(counts)) == 1
        statuses = {item.get("status") for item in items}
        rows.append(
            common.row(
                f"staff: {label} queries N={small:,}/{large:,}",
                " / ".join(str(c) for c in counts),
                "equal at both sizes: "
                + ("met" if same else "NOT met")
                + ("" if statuses == {200} else f"; status {sorted(statuses)}"),
                queries=counts,
            )
        )
        rows.append(
            common.row(
                f"staff: {label} time N={small:,}/{large:,}",
                " / ".join(f"{item['ms']:,.0f}" for item in items) + " ms",
                "best of 3; SQL "
                + " / ".join(f"{item['db_ms']:,.0f}" for item in items)
                + " ms; rows "
                + " / ".join(f"{item.get('rows', 0):,}" for item in items),
                ms=[item["ms"] for item in items],
            )
        )
    return rows


def main(argv=None):
    common.main_for(run, parse_args, argv)


if __name__ == "__main__":
    main()
