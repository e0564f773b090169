"""Signed-in load benchmark (issue 10): the pages a signed-in shopper uses, against a Django floor app
measured in the same run under the same server.

    flock /tmp/socialshop-bench.lock .venv/bin/python bench/load_signed_in.py            # reuse the data
    flock /tmp/socialshop-bench.lock .venv/bin/python bench/load_signed_in.py --fresh    # reseed first
    .venv/bin/python bench/load_signed_in.py --pages feed,product --seconds 8 --no-report  # a quick look

It (1) creates, migrates and fills a database of its own (`socialshop_signedin`, the `seed_demo` shop),
(2) signs 100 shoppers in through the session engine (the same session rows and cookies the login form
creates; each shopper keeps a CSRF cookie and a cart of three products, as a browser would), (3) starts two
servers under uvicorn[standard], 2 workers each, DJANGO_DEBUG=0: the floor (a minimal Django view, the two
stock middlewares SecurityMiddleware and CommonMiddleware, a few bytes) and the project (PostgreSQL through
the psycopg pool, Redis cache, a Celery worker), (4) for each page measures the floor, then the page, for
`--seconds` each with wrk (C, 20 connections, 2 threads; each request is a random shopper with a random URL of
the page's kind, drawn by this script ahead of time), and (5) writes the table to docs/benchmarks.md under
"## Signed-in load (issue 10)". A non-200 answer (a redirect to the login page included) is an error.

Issue 13 adds two page kinds: `product_10v` (one of five T-shirts with 10 variants, 5 sizes x 2 colours, that
the setup creates through the shop services with a demo product's pictures) and `cart_10` (the cart of one of
30 more signed-in shoppers, each given a 10-line cart through `cart_add_item`: 10 distinct variants, four of
them from those T-shirts). The 100 shoppers above keep their three-line carts, so the `cart` row still means
what it meant. Just those two plus their floors:

    flock /tmp/socialshop-bench.lock .venv/bin/python bench/load_signed_in.py --pages product_10v,cart_10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _load_drivers import database_ensure, wrk_run  # noqa: E402
from _signed_in_fixture import FIXTURE_CODE  # noqa: E402

PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_SIGNED_IN_DB", "socialshop_signedin")
REDIS_URL = os.environ.get("BENCH_SIGNED_IN_REDIS", "redis://127.0.0.1:6379/8")
PORT = int(os.environ.get("BENCH_PORT", "8793"))
FLOOR_PORT = PORT + 1
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONCURRENCY = 20
SHOPPERS = 100
SECTION = "## Signed-in load (issue 10)"
TARGET_RATIO = 0.35
TARGET_P95_MS = 100.0
WORK = Path(tempfile.gettempdir()) / "signedin_bench"

# (name, kind) in the order they run; `make_requests` draws each kind's URLs.
PAGES = (
    ("home", "home"),
    ("category list", "category"),
    ("search", "search"),
    ("product page", "product"),
    ("feed, first page", "feed"),
    ("feed, next page (htmx)", "feed_next"),
    ("post page", "post"),
    ("explore, first page", "explore"),
    ("explore, next page (htmx)", "explore_next"),
    ("profile", "profile"),
    ("for-you widget", "for_you"),
    ("similar widget", "similar"),
    ("cart", "cart"),
    ("product page, 10 variants", "product_10v"),
    ("cart, 10 lines", "cart_10"),
    ("checkout", "checkout"),
    ("order list", "orders"),
    ("order page", "order"),
    ("notifications", "notifications"),
    ("API products", "api_products"),
    ("API feed", "api_feed"),
    ("API recommendations", "api_recs"),
    ("product page, anonymous", "product_anon"),
)
SEARCH_WORDS = (
    "linen",
    "boots",
    "lamp",
    "mug",
    "tent",
    "wool",
    "leather",
    "jacket",
    "candle",
    "gift",
)

BENCH_SETTINGS = """
from config.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {  # noqa: F405
    "min_size": 2, "max_size": 10, "timeout": 10
}
"""

# The floor: what Django itself costs under this server (two stock middlewares, one tiny view).
FLOOR_APP = """
import os
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-only-" + "x" * 60,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    INSTALLED_APPS=[],
    LOGGING_CONFIG=None,
)


def floor(request):
    return HttpResponse(b"floor", content_type="text/plain")


urlpatterns = [path("", floor), path("<path:rest>", floor)]

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
"""


def bench_env() -> dict[str, str]:
    WORK.mkdir(exist_ok=True)
    (WORK / "signedin_bench_settings.py").write_text(BENCH_SETTINGS)
    (WORK / "signedin_floor.py").write_text(FLOOR_APP)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": "signedin",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "MEDIA_ROOT": str(WORK / "media"),
            "STATIC_ROOT": str(WORK / "static"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{WORK}",
            "DJANGO_SETTINGS_MODULE": "signedin_bench_settings",
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
    )
    env.pop("SOCIALSHOP_TESTING", None)
    return env


# --- data -----------------------------------------------------------------------------------------------


def ensure_database(*, fresh: bool) -> None:
    database_ensure(server=PG_SERVER, name=DB_NAME, fresh=fresh)


def prepare(env: dict[str, str], fixture: Path, *, fresh: bool) -> None:
    ensure_database(fresh=fresh)
    env = {**env, "CELERY_TASK_ALWAYS_EAGER": "1"}  # seeding runs its tasks in-process
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["seed_demo", "--if-empty"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=False, capture_output=True)
    subprocess.run(
        [PYTHON, "-c", FIXTURE_CODE],
        cwd=ROOT,
        check=True,
        env={**env, "BENCH_FIXTURE": str(fixture), "BENCH_SHOPPERS": str(SHOPPERS)},
    )


# --- servers --------------------------------------------------------------------------------------------


def start(command: list[str], env: dict[str, str], probe: str | None) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    if probe is None:
        return process
    import httpx

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(probe, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{command[2]} exited during start-up")
        time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"{probe} did not answer within 90 s")


def uvicorn_command(app: str, port: int) -> list[str]:
    return [
        PYTHON,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- load -----------------------------------------------------------------------------------------------


def make_requests(
    kind: str, data: dict, rng: random.Random, count: int
) -> list[tuple[str, str, str]]:
    """(path, cookie, htmx flag) triples: each a random shopper and a random URL of this kind."""
    out = []
    shoppers = data["shoppers"]
    for _ in range(count):
        shopper = rng.choice(shoppers)
        cookie, htmx = shopper["cookie"], ""
        if kind == "home":
            url = "/"
        elif kind == "category":
            url = f"/category/{rng.choice(data['categories'])}/"
        elif kind == "search":
            url = f"/products/?q={rng.choice(SEARCH_WORDS)}"
        elif kind in ("product", "product_anon"):
            url = f"/product/{rng.choice(data['slugs'])}/"
            if kind == "product_anon":
                cookie = ""
        elif kind == "feed":
            url = "/social/"
        elif kind == "feed_next":
            with_cursor = [s for s in shoppers if s["feed_cursor"]]
            shopper = rng.choice(with_cursor)
            cookie, htmx = shopper["cookie"], "true"
            url = f"/social/?cursor={shopper['feed_cursor']}"
        elif kind == "post":
            url = f"/social/posts/{rng.choice(data['posts'])}/"
        elif kind == "explore":
            url = "/social/explore/"
        elif kind == "explore_next":
            # The tiles' own "Show more" link: page 2 of the shopper's ranking, as an htmx fragment.
            url, htmx = "/social/explore/?page=2", "true"
        elif kind == "profile":
            url = f"/social/people/{rng.choice(data['people'])}/"
        elif kind == "for_you":
            url, htmx = "/recs/widgets/for_you/", "true"
        elif kind == "similar":
            url, htmx = f"/recs/widgets/similar/?product={rng.choice(data['product_ids'])}", "true"
        elif kind == "cart":
            url = "/cart/"
        elif kind == "product_10v":
            url = f"/product/{rng.choice(data['ten_variant_slugs'])}/"
        elif kind == "cart_10":
            cookie = rng.choice(data["ten_line_shoppers"])["cookie"]
            url = "/cart/"
        elif kind == "checkout":
            url = "/checkout/"
        elif kind == "orders":
            url = "/orders/"
        elif kind == "order":
            shopper = rng.choice([s for s in shoppers if s["orders"]])
            cookie = shopper["cookie"]
            url = f"/orders/{rng.choice(shopper['orders'])}/"
        elif kind == "notifications":
            url = "/social/notifications/"
        elif kind == "api_products":
            url = f"/api/v1/products/?page={rng.randint(1, 5)}"
        elif kind == "api_feed":
            url = "/api/v1/social/feed/"
        elif kind == "api_recs":
            url = "/api/v1/recs/for_you/"
        elif kind == "floor":
            url = "/"
        else:
            raise ValueError(kind)
        out.append((url, cookie, htmx))
    return out


WRK_SCRIPT = r"""
local lines = {}
local position = 0
bad = 0
local next_id = 0
local threads = {}
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do
    local url, cookie, htmx = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if htmx ~= "" then headers["HX-Request"] = htmx end
    lines[#lines + 1] = wrk.format("GET", url, headers)
  end
  position = math.floor(#lines * id / (next_id > 0 and next_id or 2))
end
function request()
  position = position + 1
  return lines[(position % #lines) + 1]
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local all_bad = 0
  for _, thread in ipairs(threads) do all_bad = all_bad + thread:get("bad") end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '{"p50": %.3f, "p95": %.3f, "p99": %.3f, "requests": %d, "errors": %d, "non200": %d, ' ..
    '"seconds": %.3f}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors, all_bad, summary.duration / 1e6))
end
"""


def drive_wrk(
    port: int,
    requests: list[tuple[str, str, str]],
    *,
    seconds: float,
    connections: int = CONCURRENCY,
) -> dict:
    """wrk over (url, cookie, htmx) triples, one per line; a non-200 answer counts as an error."""
    measured = wrk_run(
        connections=connections,
        script=WRK_SCRIPT,
        lines=[f"{u}\t{c}\t{h}" for u, c, h in requests],
        base=f"http://127.0.0.1:{port}",
        seconds=seconds,
        workdir=WORK,
        timeout="10s",
    )
    measured["errors"] += measured.pop("non200")
    return measured


def check_signed_in(data: dict) -> None:
    """Fail early if the sessions do not sign in (a redirect would otherwise count as a fast page)."""
    import httpx

    shopper = data["shoppers"][0]
    response = httpx.get(
        f"http://127.0.0.1:{PORT}/orders/", headers={"Cookie": shopper["cookie"]}, timeout=30
    )
    if response.status_code != 200:
        raise RuntimeError(f"signed-in probe answered {response.status_code}")


# --- report ---------------------------------------------------------------------------------------------


def write_report(
    rows: list[dict], *, server_desc: str, load: str, seconds: float, warmup: float, rounds: int
) -> str:
    lines = [
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bench/load_signed_in.py`: "
        f"`seed_demo` data in database `{DB_NAME}`; {server_desc}. {SHOPPERS} shoppers signed in through the "
        "session engine (each with a CSRF cookie and three products in the cart); wrk drives "
        f"{CONCURRENCY} connections, each request a random shopper and a random URL of the page's kind "
        "(htmx fragments with `HX-Request`). The floor is a minimal Django view with SecurityMiddleware and "
        "CommonMiddleware under the same uvicorn, 2 workers, measured right before each page for the same "
        f"time ({seconds:.0f} s each, after a {warmup:.0f} s warm-up of that page, so shared caches are in the steady state of a running shop; the Celery beat computes 'people you may know' ahead for shoppers who signed in recently); ratio = page req/s / floor req/s. "
        f"Target: ratio >= {TARGET_RATIO} and p95 <= {TARGET_P95_MS:.0f} ms with no errors. Machine load "
        f"average when the run started: {load}. {rounds} round(s); figures are medians over rounds.",
        "",
        "| page | req/s | p50 ms | p95 ms | errors | floor req/s | ratio | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = row["ratio"] >= TARGET_RATIO and row["p95"] <= TARGET_P95_MS and row["errors"] == 0
        lines.append(
            f"| {row['page']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['errors']} "
            f"| {row['floor_rps']:.0f} | {row['ratio']:.2f} | {'met' if met else 'NOT met'} |"
        )
    lines += [
        "",
        "Rerun: `flock /tmp/socialshop-bench.lock .venv/bin/python bench/load_signed_in.py` (needs `wrk`; "
        "`--fresh` reseeds the database, `--rounds N`, `--seconds S`, `--pages kind,kind` for a subset "
        "without writing this section).",
        "",
    ]
    text = "\n".join(lines)
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _m: text + "\n", current)
    else:
        current = current.rstrip() + "\n\n" + text
    path.write_text(current.rstrip() + "\n")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fresh", action="store_true", help="drop and reseed the bench database")
    parser.add_argument("--seconds", type=float, default=6.0, help="measured seconds per page")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of the same page before measuring it"
    )
    parser.add_argument("--pages", default="", help="comma-separated kinds (no report is written)")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument(
        "--connections",
        type=int,
        default=CONCURRENCY,
        help="wrk connections (1: each page's own server time, beside the floor's; no report is written)",
    )
    args = parser.parse_args()

    env = bench_env()
    fixture = WORK / "fixture.json"
    prepare(env, fixture, fresh=args.fresh)
    data = json.loads(fixture.read_text())
    wanted = set(filter(None, args.pages.split(",")))
    pages = [(name, kind) for name, kind in PAGES if not wanted or kind in wanted]
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg()) + " (1/5/15 min)"

    floor_env = {**env, "DJANGO_SETTINGS_MODULE": ""}
    floor = start(
        uvicorn_command("signedin_floor:application", FLOOR_PORT),
        floor_env,
        f"http://127.0.0.1:{FLOOR_PORT}/",
    )
    worker = start(
        [PYTHON, "-m", "celery", "-A", "config.celery", "worker", "-B", "-c", "1", "-l", "WARNING"],
        env,
        None,
    )
    server = start(
        uvicorn_command("config.asgi:application", PORT), env, f"http://127.0.0.1:{PORT}/"
    )
    results: dict[str, list[dict]] = {name: [] for name, _kind in pages}
    try:
        check_signed_in(data)
        for number in range(args.rounds):
            for name, kind in pages:
                rng = random.Random(f"bench:{number}:{kind}")
                drive_wrk(PORT, make_requests(kind, data, rng, 2000), seconds=args.warmup)
                floor_result = drive_wrk(
                    FLOOR_PORT,
                    make_requests("floor", data, rng, 100),
                    seconds=args.seconds,
                    connections=args.connections,
                )
                page = drive_wrk(
                    PORT,
                    make_requests(kind, data, rng, 5000),
                    seconds=args.seconds,
                    connections=args.connections,
                )
                page["floor_rps"] = floor_result["rps"]
                page["ratio"] = page["rps"] / floor_result["rps"] if floor_result["rps"] else 0
                results[name].append(page)
                print(
                    f"{name}: {page['rps']:.0f} req/s, p50 {page['p50']:.1f} ms, p95 {page['p95']:.1f} ms, "
                    f"errors {page['errors']}, floor {floor_result['rps']:.0f} req/s "
                    f"(p50 {floor_result['p50']:.1f} ms), ratio {page['ratio']:.2f}",
                    flush=True,
                )
    finally:
        stop(server)
        stop(worker)
        stop(floor)
    rows = [
        {
            "page": name,
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p95": statistics.median(r["p95"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "floor_rps": statistics.median(r["floor_rps"] for r in runs),
            "ratio": statistics.median(r["ratio"] for r in runs),
        }
        for name, runs in results.items()
        if runs
    ]
    if wanted or args.no_report or args.connections != CONCURRENCY:
        return
    import uvicorn

    server_desc = (
        f"uvicorn {uvicorn.__version__} [standard] (uvloop, httptools), {WORKERS} workers, DJANGO_DEBUG=0, "
        f"PostgreSQL (psycopg pool, CONN_MAX_AGE=0), Redis cache and broker, one Celery worker, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPU cores shared by servers, database and wrk"
    )
    write_report(
        rows,
        server_desc=server_desc,
        load=load,
        seconds=args.seconds,
        warmup=args.warmup,
        rounds=args.rounds,
    )


if __name__ == "__main__":
    main()
