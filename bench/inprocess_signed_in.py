"""Server CPU per request of the signed-in pages (issue 10), measured in-process so that other load on the
machine does not blur it: `time.process_time` counts only this process's CPU.

    flock /tmp/socialshop-bench.lock .venv/bin/python bench/inprocess_signed_in.py --db speed_demo
    .venv/bin/python bench/inprocess_signed_in.py --db speed_demo --pages product,feed --no-report
    .venv/bin/python bench/inprocess_signed_in.py --db speed_demo --profile product     # cProfile top list
    .venv/bin/python bench/inprocess_signed_in.py --db speed_demo --compare 3fdcd9f     # before/after

It uses an existing seeded database (`seed_demo`; never the shared demo database itself: make a copy with
`createdb -T demo_full speed_demo`, as the data step writes sessions, carts and five 10-variant products),
runs the data step of `bench/load_signed_in.py` (signs N shoppers in through the session engine, fills their
carts, lists the URLs of each page kind), then in a child process with `DJANGO_DEBUG=0`, PostgreSQL (psycopg
pool) and Redis drives Django's test Client over each page kind with the same URL draws as the load bench:
two passes over the drawn requests to warm the caches, then `--passes` measured passes. It reports, per page,
the median over passes of the process CPU per request (ms), the queries per request, and the same for a floor
(a minimal Django view with SecurityMiddleware and CommonMiddleware, in its own child process, same run).

`--compare REV` also runs the tree of git revision REV (exported to a temporary folder), alternating with this
tree page by page within the run, each with its own Redis key prefix, and reports before/after columns.
Without `--pages`/`--profile`/`--no-report` it writes its table to docs/benchmarks.md under its own section.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

SECTION = "## Signed-in CPU per request, in-process (issue 10)"
DEFAULT_PAGES = (
    "home",
    "category",
    "search",
    "product",
    "product_10v",
    "feed",
    "feed_next",
    "post",
    "profile",
    "for_you",
    "similar",
    "cart",
    "cart_10",
    "checkout",
    "orders",
    "order",
    "notifications",
    "api_products",
    "api_feed",
    "api_recs",
    "product_anon",
)

# Runs in a child process with the bench settings: drives the test Client over one page kind's requests and
# prints one JSON line per page: CPU ms per request (median pass), queries per request, statuses.
INNER_CODE = r"""
import cProfile, json, os, pstats, statistics, sys, time
floor = os.environ.get("INPROC_FLOOR") == "1"
if floor:
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import path

    def floor_view(request):
        return HttpResponse(b"floor", content_type="text/plain")

    settings.configure(
        DEBUG=False, SECRET_KEY="floor-only-" + "x" * 60, ALLOWED_HOSTS=["localhost"],
        ROOT_URLCONF=__name__, INSTALLED_APPS=[], LOGGING_CONFIG=None,
        MIDDLEWARE=["django.middleware.security.SecurityMiddleware",
                    "django.middleware.common.CommonMiddleware"],
    )
    urlpatterns = [path("", floor_view)]
import django
django.setup()
from django.db import connections
from django.test import Client

plan = json.loads(open(os.environ["INPROC_PLAN"]).read())
passes = int(os.environ["INPROC_PASSES"])
profile = os.environ.get("INPROC_PROFILE", "")
client = Client(SERVER_NAME="localhost")
queries = [0]


def count(execute, sql, params, many, context):
    queries[0] += 1
    return execute(sql, params, many, context)


def run(requests):
    statuses = {}
    for url, cookie, htmx in requests:
        headers = {}
        if cookie:
            headers["Cookie"] = cookie
        if htmx:
            headers["HX-Request"] = htmx
        client.cookies.clear()
        response = client.get(url, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return statuses


for kind, requests in plan.items():
    hooks = [] if floor else [connections["default"].execute_wrapper(count)]
    for hook in hooks:
        hook.__enter__()
    # Warm twice: caches that fill per shopper on a first view (widget lists, badges) reach their steady state.
    run(requests)
    run(requests)
    cpu, qs, statuses = [], [], {}
    profiler = cProfile.Profile() if profile == kind else None
    for _ in range(passes):
        queries[0] = 0
        if profiler:
            profiler.enable()
        start = time.process_time()
        got = run(requests)
        cpu.append((time.process_time() - start) * 1000 / len(requests))
        if profiler:
            profiler.disable()
        qs.append(queries[0] / len(requests))
        for status, n in got.items():
            statuses[status] = statuses.get(status, 0) + n
    for hook in hooks:
        hook.__exit__(None, None, None)
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    print(json.dumps({"kind": kind, "cpu_ms": statistics.median(cpu), "cpu_all": cpu,
                      "queries": statistics.median(qs), "statuses": statuses}), flush=True)
"""


def configure_env(db: str, redis: str) -> None:
    """The load bench reads its database and Redis from the environment at import."""
    os.environ["BENCH_SIGNED_IN_DB"] = db
    os.environ["BENCH_SIGNED_IN_REDIS"] = redis


def export_tree(rev: str) -> Path:
    target = Path(tempfile.gettempdir()) / f"inproc_tree_{rev}"
    if not target.exists():
        target.mkdir()
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def inner(
    tree: Path,
    env: dict[str, str],
    plan: dict[str, list],
    *,
    passes: int,
    prefix: str,
    floor: bool = False,
    profile: str = "",
) -> list[dict]:
    import load_signed_in

    WORK = load_signed_in.WORK
    plan_path = WORK / f"inproc_plan_{prefix}.json"
    plan_path.write_text(json.dumps(plan))
    child_env = {
        **env,
        "PYTHONPATH": f"{tree}{os.pathsep}{WORK}",
        "REDIS_PREFIX": prefix,
        "INPROC_PLAN": str(plan_path),
        "INPROC_PASSES": str(passes),
        "INPROC_PROFILE": profile,
    }
    if not floor:
        child_env["STATIC_ROOT"] = str(WORK / f"static_{prefix}")
        if not (WORK / f"static_{prefix}").exists():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=tree,
                env=child_env,
                check=True,
            )
    if floor:
        child_env["INPROC_FLOOR"] = "1"
        child_env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", INNER_CODE],
        cwd=tree,
        env=child_env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def write_report(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text()
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _m: text + "\n", current)
    else:
        current = current.rstrip() + "\n\n" + text
    path.write_text(current.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=os.environ.get("BENCH_SIGNED_IN_DB", "speed_demo"))
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_SIGNED_IN_REDIS", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument("--shoppers", type=int, default=20, help="distinct signed-in shoppers")
    parser.add_argument("--requests", type=int, default=40, help="requests per page per pass")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument(
        "--pages", default="", help="comma-separated page kinds (no report is written)"
    )
    parser.add_argument("--profile", default="", help="print a cProfile top list of this page kind")
    parser.add_argument(
        "--compare", default="", help="git revision measured as 'before' in the same run"
    )
    parser.add_argument(
        "--skip-fixture", action="store_true", help="reuse the last data step's URLs"
    )
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument(
        "--report", action="store_true", help="write docs/benchmarks.md even for a --pages subset"
    )
    args = parser.parse_args()

    configure_env(args.db, args.redis)
    import random

    import load_signed_in as load
    from _signed_in_fixture import FIXTURE_CODE

    load.WORK = (
        Path(tempfile.gettempdir()) / f"inproc_bench_{ROOT.name}"
    )  # not the load bench's folder
    env = load.bench_env()
    fixture = load.WORK / f"inproc_fixture_{args.db}.json"
    if not (args.skip_fixture and fixture.exists()):
        subprocess.run(
            [sys.executable, "-c", FIXTURE_CODE],
            cwd=ROOT,
            check=True,
            env={
                **env,
                "CELERY_TASK_ALWAYS_EAGER": "1",
                "BENCH_FIXTURE": str(fixture),
                "BENCH_SHOPPERS": str(args.shoppers),
            },
        )
    data = json.loads(fixture.read_text())
    kinds = list(filter(None, args.pages.split(","))) or list(DEFAULT_PAGES)
    if args.profile:
        kinds = [args.profile]
    plans = {
        kind: load.make_requests(kind, data, random.Random(f"inproc:{kind}"), args.requests)
        for kind in kinds
    }
    load_avg = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    floor_plan = {"floor": [("/", "", "")] * args.requests}
    floor = inner(ROOT, env, floor_plan, passes=args.passes, prefix="inproc-floor", floor=True)[0]
    before_tree = export_tree(args.compare) if args.compare else None
    rows = []
    for kind in kinds:
        row = {"kind": kind}
        if before_tree:
            row["before"] = inner(
                before_tree,
                env,
                {kind: plans[kind]},
                passes=args.passes,
                prefix=f"inproc-{args.compare}",
            )[0]
        row["after"] = inner(
            ROOT,
            env,
            {kind: plans[kind]},
            passes=args.passes,
            prefix="inproc-head",
            profile=args.profile,
        )[0]
        rows.append(row)
        after = row["after"]
        line = (
            f"{kind}: {after['cpu_ms']:.2f} ms CPU/request, {after['queries']:.1f} queries, "
            f"statuses {after['statuses']}"
        )
        if before_tree:
            line += (
                f"; before {row['before']['cpu_ms']:.2f} ms, {row['before']['queries']:.1f} queries"
            )
        print(line, flush=True)
    load_end = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"floor: {floor['cpu_ms']:.3f} ms CPU/request; load average {load_avg} -> {load_end}")
    if args.profile or args.no_report or (args.pages and not args.report):
        return
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        SECTION,
        "",
        f"Measured {started} by `bench/inprocess_signed_in.py --db {args.db}"
        + (f" --compare {args.compare}" if args.compare else "")
        + f"` on tree {head}: `seed_demo` data (database `{args.db}`), DJANGO_DEBUG=0, PostgreSQL "
        f"(psycopg pool), Redis; {args.shoppers} shoppers signed in through the session engine; per page "
        f"{args.requests} requests drawn as in `bench/load_signed_in.py` (random shopper, random URL of the "
        f"kind), two warm passes, then {args.passes} measured passes with Django's test Client; CPU = "
        "`time.process_time` of the serving process per request, median pass (and the fastest pass, which other load on the machine inflates least). The floor is a minimal "
        "Django view with SecurityMiddleware and CommonMiddleware, same client, same run: "
        f"{floor['cpu_ms']:.3f} ms. Load average (1/5/15 min) {load_avg} at the start, {load_end} at the "
        "end (process CPU time is not inflated by other processes, only by cache effects).",
        "",
    ]
    if before_tree:
        lines += [
            f"| page | before ({args.compare}) CPU ms, median (min) | after CPU ms, median (min) "
            "| after / before, medians (mins) | before queries "
            "| after queries | floor / after |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in rows:
            b, a = row["before"], row["after"]
            lines.append(
                f"| {row['kind']} | {b['cpu_ms']:.2f} ({min(b['cpu_all']):.2f}) "
                f"| {a['cpu_ms']:.2f} ({min(a['cpu_all']):.2f}) | {a['cpu_ms'] / b['cpu_ms']:.2f} "
                f"({min(a['cpu_all']) / min(b['cpu_all']):.2f}) "
                f"| {b['queries']:.1f} | {a['queries']:.1f} | {floor['cpu_ms'] / a['cpu_ms']:.3f} |"
            )
    else:
        lines += ["| page | CPU ms | queries | floor / page |", "|---|---|---|---|"]
        for row in rows:
            a = row["after"]
            lines.append(
                f"| {row['kind']} | {a['cpu_ms']:.2f} | {a['queries']:.1f} | {floor['cpu_ms'] / a['cpu_ms']:.3f} |"
            )
    text = "\n".join(lines) + "\n"
    print(text)
    write_report(text)


if __name__ == "__main__":
    main()
