"""Shop load benchmark: the real ASGI server on PostgreSQL with 10,000 generated products, driven from another
process on loopback by 20 concurrent clients.

    .venv/bin/python bench/load_shop.py                  # reuse the bench database if it is already filled
    .venv/bin/python bench/load_shop.py --fresh          # drop and rebuild it first

It (1) creates and migrates a separate database (`socialshop_bench`), (2) generates 10,000 products with tags,
attributes, ratings and shared pictures, (3) starts uvicorn[standard] with 2 workers in production settings
(DJANGO_DEBUG=0, collected static files, Redis cache, the anonymous edge cache on), (4) drives it from a
separate client process and (5) prints p50/p95 and writes them into docs/benchmarks.md under
"## Shop load (issue 2)".

Two client modes per endpoint:
- saturated: wrk (Debian package `wrk`, C, so the client takes almost no CPU from the server's two cores) keeps
  20 connections busy, each sending its next request as soon as the last one is answered; a Lua script walks a
  list of URLs and counts the edge cache's HIT/MISS answers.
- paced: an httpx async client offers a fixed rate shared by 20 clients (open loop; latency counted from the
  scheduled send time).

Endpoints: "product list" is a browsing mix (skewed the way shoppers browse: page 1 far more than page 20,
the default sort more than others, big categories more than small ones); "product list, uniform" picks page,
sort and category uniformly over about 7,200 URLs (the widest spread, so the most cache misses); "product page" records a
view event per request; "search" draws from 25 queries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from _docs import write_section  # noqa: E402
from _load_drivers import (  # noqa: E402
    database_ensure,
    drive_closed_raw,
    drive_paced,
    drive_wrk,
)

PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "socialshop_bench")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7")
PORT = int(os.environ.get("BENCH_PORT", "8791"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONCURRENCY = 20
PRODUCTS = 10_000
SECTION = "## Shop load (issue 2): anonymous visitors, mostly edge-cache hits"
TARGETS_MS = {"product list": 50.0, "product list, uniform": 50.0, "search": 100.0}
KINDS = ("product list", "product list, uniform", "product page", "search")
SEARCH_WORDS = (
    "linen",
    "boots",
    "lamp",
    "mug",
    "tent",
    "wool",
    "leather",
    "headphones",
    "notebook",
    "serum",
    "jacket",
    "yoga",
    "helmet",
    "cookbook",
    "candle",
    "oak",
    "waterproof",
    "gift",
    "organic",
    "speaker",
    "nordic mug",
    "rain jacket",
    "smart plug",
    "running shoes",
    "vintage lamp",
)
SORTS = ("", "price_asc", "price_desc", "newest", "rating", "popular")


# Under ASGI each request runs its sync code in a fresh thread, so CONN_MAX_AGE > 0 (config/settings.py uses 60)
# leaves one idle PostgreSQL connection per finished request until the server hits "too many clients". Django's
# docs say to disable persistent connections under ASGI and use the backend's pool instead; the benchmark does
# that in a settings overlay (psycopg's pool, Django >= 5.1), so requests do not pay a connection start-up each.
BENCH_SETTINGS = """
from config.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
if os.environ.get("BENCH_DB_POOL", "1") == "1":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {  # noqa: F405
        "min_size": 2, "max_size": 10, "timeout": 10
    }
"""


def bench_env(media_root: str, static_root: str) -> dict[str, str]:
    settings_dir = Path(media_root).parent
    (settings_dir / "shop_bench_settings.py").write_text(BENCH_SETTINGS)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": "shopbench",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "MEDIA_ROOT": media_root,
            "STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{settings_dir}",
            "DJANGO_SETTINGS_MODULE": "shop_bench_settings",
        }
    )
    env.pop("SOCIALSHOP_TESTING", None)
    return env


# --- database -------------------------------------------------------------------------------------------


def ensure_database(*, fresh: bool) -> None:
    database_ensure(server=PG_SERVER, name=DB_NAME, fresh=fresh)


GENERATE_CODE = r"""
import random, time
from decimal import Decimal
import django
django.setup()
from django.db import transaction
from shop import demo
from shop.models import Category, Product
from shop.services import product_refresh_search_vector

count = int(__import__("os").environ["BENCH_PRODUCTS"])
existing = Product.objects.count()
if existing >= count:
    print(f"reusing {existing} products")
else:
    started = time.perf_counter()
    rng = random.Random("bench:shop")
    with transaction.atomic():
        if not Category.objects.exists():
            demo._categories()
        leaves = {c.name: c for c in Category.objects.filter(parent__isnull=False)}
        pool = []
        from pathlib import Path
        from django.conf import settings
        folder = Path(settings.MEDIA_ROOT) / "products" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(24):
            name = f"products/bench/pool-{index}.jpg"
            (Path(settings.MEDIA_ROOT) / name).write_bytes(
                demo.draw_picture(rng=rng, colour=(40 + 8 * index, 90, 160 - 4 * index), initials="B", shape=index % 4)
            )
            pool.append(name)
        specs = demo.generate_products(rng=rng, count=count - existing, leaves=leaves, draw_images=False)
        for spec in specs:
            spec.product.slug = f"{spec.product.slug}-b{rng.randrange(10**9)}"
            spec.product.rating_count = rng.randint(0, 60)
            spec.product.rating_avg = (
                Decimal(str(round(1 + 4 * spec.quality, 2))) if spec.product.rating_count else Decimal("0")
            )
            spec.product.sold_count = rng.randint(0, 500)
        demo.save_products(specs, image_pool=pool)
        product_refresh_search_vector()
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE shop_product")
    print(f"generated {len(specs)} products in {time.perf_counter() - started:.1f}s")
slugs = list(Product.objects.filter(is_active=True).values_list("slug", flat=True).order_by("?")[:2000])
cats = list(Category.objects.values_list("slug", flat=True))
import json, os
Path = __import__("pathlib").Path
Path(os.environ["BENCH_FIXTURE"]).write_text(json.dumps({"slugs": slugs, "categories": cats}))
"""


def prepare(env: dict[str, str], fixture: Path) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [PYTHON, "-c", GENERATE_CODE],
        cwd=ROOT,
        env={**env, "BENCH_PRODUCTS": str(PRODUCTS), "BENCH_FIXTURE": str(fixture)},
        check=True,
    )


# --- server ---------------------------------------------------------------------------------------------


def start_server(env: dict[str, str]) -> subprocess.Popen:
    import socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is already in use; set BENCH_PORT to a free port")
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(PORT),
        "--workers",
        str(WORKERS),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/products/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise RuntimeError("uvicorn exited during start-up")
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("uvicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- client (runs in its own process) -------------------------------------------------------------------


def _zipf_weights(count: int, exponent: float) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def make_urls(kind: str, fixture: dict, rng: random.Random, count: int) -> list[str]:
    urls = []
    categories = list(fixture["categories"])
    # A fixed, seeded popularity order of the categories for the browsing mix.
    random.Random("bench:category-popularity").shuffle(categories)
    page_weights = _zipf_weights(20, 1.5)
    category_weights = _zipf_weights(len(categories), 1.0)
    sort_weights = [55] + [9] * (len(SORTS) - 1)
    for _ in range(count):
        if kind == "product list":
            params = [f"page={rng.choices(range(1, 21), page_weights)[0]}"]
            if sort := rng.choices(SORTS, sort_weights)[0]:
                params.append(f"sort={sort}")
            if rng.random() < 0.6:
                params.append(f"category={rng.choices(categories, category_weights)[0]}")
            if rng.random() < 0.15:
                params.append("in_stock=1")
            urls.append("/products/?" + "&".join(params))
        elif kind == "product list, uniform":
            params = [f"page={rng.randint(1, 20)}"]
            if sort := rng.choice(SORTS):
                params.append(f"sort={sort}")
            if rng.random() < 0.4:
                params.append(f"category={rng.choice(fixture['categories'])}")
            if rng.random() < 0.2:
                params.append("in_stock=1")
            urls.append("/products/?" + "&".join(params))
        elif kind == "product page":
            urls.append(f"/product/{rng.choice(fixture['slugs'])}/")
        else:
            word = rng.choice(SEARCH_WORDS).replace(" ", "+")
            urls.append(f"/products/?q={word}")
    return urls


def _run_fast(coroutine):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def client_main(args: argparse.Namespace) -> None:
    fixture = json.loads(Path(args.fixture).read_text())
    rng = random.Random(f"bench-client:{args.round}:{args.kind}:{args.mode}")
    with tempfile.TemporaryDirectory(prefix="shopbench-wrk-") as folder:
        # Steady state, as a running shop is: the same mix for a while first (its own sample of URLs), so the
        # caches hold what this traffic keeps asking for; the measured run then draws a fresh sample.
        warm_up = drive_wrk(
            args.url,
            make_urls(
                args.kind, fixture, random.Random(f"warm-up:{args.round}:{args.kind}"), 100_000
            ),
            seconds=args.warmup,
            workdir=Path(folder),
        )
        if args.mode == "paced":
            count = int(args.rate * args.paced_seconds)
            result = asyncio.run(
                drive_paced(args.url, make_urls(args.kind, fixture, rng, count), rate=args.rate)
            )
        elif args.mode == "closed":
            result = _run_fast(
                drive_closed_raw(
                    args.url,
                    make_urls(args.kind, fixture, rng, args.requests),
                    seconds=args.time_limit,
                )
            )
        else:
            result = drive_wrk(
                args.url,
                make_urls(args.kind, fixture, rng, args.requests),
                seconds=args.time_limit,
                workdir=Path(folder),
            )
    result["warm_up_requests"] = warm_up["requests"] + warm_up["errors"]
    print(json.dumps(result))


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU of the uvicorn supervisor and its workers (from /proc; Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[2] = pgrp, [11] = utime, [12] = stime (after the command name)
        if int(fields[2]) == server.pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- report ---------------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def write_report(
    rounds: list[dict], *, server_desc: str, data_desc: str, rate: float, load: str
) -> str:
    lines = [
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bench/load_shop.py`: {data_desc}; "
        f"{server_desc}. Clients run in a separate process on loopback, {CONCURRENCY} at a time. Each run starts "
        "with a warm-up of the same mix (its own URL sample, not measured, so caches are in the steady state a "
        "running shop is in), then measures a fresh sample that never replays a URL list, in two ways: **saturated** = closed loop driven by wrk (C; each connection sends its next "
        "request as soon as the last one answers; req/s is the throughput, and wrk corrects its percentiles for "
        "coordinated omission, i.e. models an open-loop client at that full rate, so one slow answer adds many "
        "synthetic slow samples); **closed loop (raw)** = the same 20 clients from a minimal asyncio HTTP "
        "client that records each request's own latency, uncorrected (the latencies the 20 clients saw; this "
        "client takes a core, so its req/s is lower); "
        f"**paced** = an httpx async client offers {rate:.0f} req/s shared by the {CONCURRENCY} clients (open "
        "loop; latency counted from the scheduled send time, so queueing still shows). Product list = "
        "`/products/` HTML in a browsing mix: page k of 1-20 with weight 1/k^1.5, default sort 55 % (the five "
        "others 9 % each), a category in 60 % of requests (Zipf over a fixed popularity order), in-stock 15 %; "
        "product list, uniform = page, sort and category drawn uniformly (40 % with a category, 20 % in-stock), "
        "spreading requests over about 7,200 distinct URLs (more cache misses); product page = "
        "`/product/<slug>/` HTML over 2,000 "
        "products (records a view event per request); search = `/products/?q=` HTML over 25 queries (PostgreSQL "
        "full-text search, GIN index, SearchRank). Anonymous catalogue pages are served by the edge cache "
        "(`common/edge_cache.py`, 60 s, per server process; hit % = share of saturated requests it answered); "
        "misses render with cached result fragments and product cards (Redis). "
        f"Machine load average when the run started: {load}. {len(rounds)} round(s); figures are the median over "
        "rounds of each round's p50/p95.",
        "",
        "| endpoint | mode | requests/round | p50 ms | p95 ms | req/s | server CPU ms/req | edge hit % "
        "| target | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    summary = []
    for kind in KINDS:
        for mode, key in (
            ("saturated (wrk)", kind),
            ("closed loop (raw)", f"{kind} @closed"),
            (f"paced {rate:.0f}/s", f"{kind} @paced"),
        ):
            usable = [r[key] for r in rounds if r[key]["p95"] is not None]
            if not usable:
                lines.append(f"| {kind} | {mode} | 0 | - | - | - | - | - | - | all failed |")
                continue
            p50 = statistics.median(r["p50"] for r in usable)
            p95 = statistics.median(r["p95"] for r in usable)
            rps = statistics.median(r["rps"] for r in usable)
            count = statistics.median(r["requests"] for r in usable)
            cpu = statistics.median(r["server_cpu_ms"] for r in usable)
            errors = sum(r[key]["errors"] for r in rounds)
            answered = [r for r in usable if r.get("hits", 0) + r.get("misses", 0)]
            hit_rate = (
                f"{100 * statistics.median(r['hits'] / (r['hits'] + r['misses']) for r in answered):.0f}"
                if answered
                else "-"
            )
            target = TARGETS_MS.get(kind)
            verdict = (
                f"p95 < {target:.0f} ms: {'met' if p95 < target else 'NOT met'}" if target else "-"
            )
            lines.append(
                f"| {kind} | {mode} | {count:.0f} | {p50:.1f} | {p95:.1f} | {rps:.0f} | {cpu:.1f} "
                f"| {hit_rate} | {verdict} | {errors} |"
            )
            summary.append(f"{kind} ({mode}): p50 {p50:.1f} ms, p95 {p95:.1f} ms, {rps:.0f} req/s")
    per_round = "; ".join(
        f"round {i + 1}: " + ", ".join(f"{k} p95 {_fmt(v['p95'])}" for k, v in r.items())
        for i, r in enumerate(rounds)
    )
    lines += [
        "",
        f"Per round: {per_round}.",
        "",
        "Rerun: `.venv/bin/python bench/load_shop.py` (needs `wrk`: `apt-get install wrk`; add `--fresh` to "
        "rebuild the 10,000-product database "
        f"`{DB_NAME}`; `--rate N` for the paced rate; `BENCH_WORKERS=4` to try more workers).",
        "",
    ]
    text = "\n".join(lines)
    write_section(SECTION.removeprefix("## "), text.removeprefix(SECTION))
    print("\n".join(summary))
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--requests",
        type=int,
        default=5000,
        help="URLs in the list wrk walks per endpoint and round",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=20.0,
        help="seconds of saturated load per endpoint and round",
    )
    parser.add_argument(
        "--rate", type=float, default=10.0, help="offered rate (req/s) of the paced, open-loop run"
    )
    parser.add_argument("--paced-seconds", type=float, default=20.0)
    parser.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds of the same mix before each measured run",
    )
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--fixture", help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return

    if shutil.which("wrk") is None:
        sys.exit("bench/load_shop.py drives the saturated load with wrk: apt-get install wrk")
    work = Path(tempfile.gettempdir()) / "socialshop_bench"
    work.mkdir(exist_ok=True)
    env = bench_env(str(work / "media"), str(work / "static"))
    fixture = work / "fixture.json"
    ensure_database(fresh=args.fresh)
    prepare(env, fixture)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=False, capture_output=True)
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg()) + " (1/5/15 min)"
    server = start_server(env)
    import uvicorn

    server_desc = (
        f"uvicorn {uvicorn.__version__} [standard] (uvloop, httptools), {WORKERS} workers, DJANGO_DEBUG=0, "
        f"PostgreSQL ({'psycopg pool' if os.environ.get('BENCH_DB_POOL', '1') == '1' else 'no pool'}, "
        f"CONN_MAX_AGE=0), Redis cache, Python {platform.python_version()}, {os.cpu_count()} CPU cores shared by "
        "server, database and client"
    )
    rounds = []
    try:
        for number in range(args.rounds):
            result = {}
            for kind in KINDS:
                for mode in ("saturated", "closed", "paced"):
                    cpu_before = server_cpu_seconds(server)
                    output = subprocess.run(
                        [
                            PYTHON,
                            __file__,
                            "--client",
                            "--url",
                            f"http://127.0.0.1:{PORT}",
                            "--fixture",
                            str(fixture),
                            "--round",
                            str(number),
                            "--kind",
                            kind,
                            "--mode",
                            mode,
                            "--requests",
                            str(args.requests),
                            "--time-limit",
                            str(args.time_limit),
                            "--rate",
                            str(args.rate),
                            "--paced-seconds",
                            str(args.paced_seconds),
                            "--warmup",
                            str(args.warmup),
                        ],
                        cwd=ROOT,
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                    measured = json.loads(output.strip().splitlines()[-1])
                    served = (
                        measured["requests"] + measured["errors"] + measured["warm_up_requests"]
                    )
                    measured["server_cpu_ms"] = (
                        1000 * (server_cpu_seconds(server) - cpu_before) / served
                    )
                    result[
                        {"saturated": kind, "closed": f"{kind} @closed"}.get(mode, f"{kind} @paced")
                    ] = measured
            rounds.append(result)
            print(f"round {number + 1}: " + json.dumps(result))
    finally:
        stop_server(server)
    write_report(
        rounds,
        server_desc=server_desc,
        data_desc=f"{PRODUCTS:,} products in database `{DB_NAME}`",
        rate=args.rate,
        load=load,
    )


if __name__ == "__main__":
    main()
