"""Recommendation serving end to end on a synthetic shop in a real database: the Django side of issue 4.

Measures what `recsys_speed.py` (the core's raw top-k) does not: a scoring chunk as the Celery task runs it
(signals read from the database, top-k, reason facts, rows written), with 1 and 2 worker processes; a new
shopper's first page (scored on request from follows) and the cached repeat; and the `for you` widget fragment.

    .venv/bin/python bench/recommendation_serving.py [--users 5000 --products 2000]

Uses PostgreSQL when DATABASE_URL points at it (database `socialshop_bench_recsys`, rebuilt each run), else a
temporary SQLite file. Writes `## Recommendation serving (issue 4)` in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
BENCH_DB = "socialshop_bench_recsys"


def _prepare_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{BENCH_DB}"')
        os.environ["DATABASE_URL"] = url.rpartition("/")[0] + "/" + BENCH_DB
        return "PostgreSQL"
    os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    return "SQLite"


def _build_shop(users: int, products: int, seed: int = 1) -> None:
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from shop.models import Category, Order, OrderLine, Product, ProductEvent
    from social.models import Follow

    rng = random.Random(seed)
    now = datetime.now(UTC)
    categories = Category.objects.bulk_create(
        Category(name=f"Category {i}", slug=f"category-{i}") for i in range(20)
    )
    Product.objects.bulk_create(
        Product(
            category=categories[i % 20],
            name=f"Product {i}",
            slug=f"product-{i}",
            description=f"thing {i % 20} style {i % 7}",
            price=Decimal(10 + i % 50),
            stock=100,
        )
        for i in range(products)
    )
    product_ids = list(Product.objects.values_list("pk", flat=True))
    by_category = {c: product_ids[c::20] for c in range(20)}
    User = get_user_model()
    User.objects.bulk_create(User(username=f"bench{i}", password="!") for i in range(users))
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    taste = {uid: rng.sample(range(20), 2) for uid in user_ids}
    events, follows, orders = [], [], []
    for uid in user_ids:
        pool = by_category[taste[uid][0]] + by_category[taste[uid][1]]
        for product in rng.sample(pool, min(10, len(pool))):
            events.append(
                ProductEvent(
                    user_id=uid,
                    product_id=product,
                    kind="view",
                    created_at=now - timedelta(days=rng.randint(0, 60)),
                )
            )
        same = [v for v in rng.sample(user_ids, 40) if v != uid and taste[v][0] == taste[uid][0]]
        follows += [Follow(follower_id=uid, followee_id=v) for v in same[:8]]
    ProductEvent.objects.bulk_create(events, batch_size=5000)
    Follow.objects.bulk_create(follows, batch_size=5000, ignore_conflicts=True)
    for i, uid in enumerate(user_ids[: users // 2]):
        orders.append(
            Order(
                user_id=uid,
                number=f"B{i:08d}",
                idempotency_key=f"bench-{i}",
                ship_name="B",
                ship_line1="S",
                ship_city="C",
                ship_postal_code="1",
                ship_country="DE",
                shipping_method="standard",
                shipping_cost=Decimal(0),
                subtotal=Decimal(10),
                total=Decimal(10),
                payment_provider="cod",
                status="paid",
            )
        )
    Order.objects.bulk_create(orders, batch_size=5000)
    lines = []
    for order in Order.objects.values_list("pk", "user_id"):
        pool = by_category[taste[order[1]][0]]
        for product in rng.sample(pool, 2):
            lines.append(
                OrderLine(
                    order_id=order[0],
                    product_id=product,
                    product_name="p",
                    unit_price=Decimal(10),
                    quantity=1,
                    line_total=Decimal(10),
                )
            )
    OrderLine.objects.bulk_create(lines, batch_size=5000)


def _score_chunks(args: tuple[int, list[list[int]]]) -> float:
    import django
    from django.db import connections

    django.setup()
    from recsys.services import scoring

    run_id, chunks = args
    started = time.perf_counter()
    for chunk in chunks:
        scoring.score_users_chunk(run_id=run_id, user_ids=chunk)
    connections.close_all()
    return time.perf_counter() - started


def _scoring_seconds(version_id: int, workers: int) -> float:
    from django.db import connections

    from recsys.models import ScoringRun
    from recsys.services import scoring

    run, chunks = scoring.scoring_run_start(version_id=version_id)
    shares = [chunks[i::workers] for i in range(workers)]
    connections.close_all()
    started = time.perf_counter()
    if workers == 1:
        _score_chunks((run.pk, shares[0]))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_score_chunks, [(run.pk, share) for share in shares]))
    elapsed = time.perf_counter() - started
    ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.SUPERSEDED)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    database = _prepare_database()
    os.environ["RECSYS_ARTIFACT_DIR"] = tempfile.mkdtemp()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from recsys import services
    from recsys.models import Widget
    from recsys.services import scoring, training

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    _build_shop(options.users, options.products)
    print(
        f"built {options.users} shoppers x {options.products} products in {time.perf_counter() - started:.1f}s"
    )
    started = time.perf_counter()
    outcome = training.retrain(
        params=training.training_params(no_components=32, max_epochs=15, num_threads=2)
    )
    train_seconds = time.perf_counter() - started
    print(
        f"retrain (data, holdout model, evaluation, final model): {train_seconds:.1f}s -> {outcome.status}"
    )
    version_id = outcome.serving_version_id
    if version_id is None:
        raise SystemExit(f"retrain produced no serving version ({outcome.status})")
    chunk = max(1, options.users // 8)
    from django.conf import settings

    settings.RECSYS_SCORING_CHUNK_USERS = chunk
    timings: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(options.repeats):
        for workers in (1, 2):
            timings[workers].append(_scoring_seconds(version_id, workers))
            print(
                f"scoring {options.users} shoppers with {workers} worker(s): {timings[workers][-1]:.1f}s"
            )
    median = {w: statistics.median(v) for w, v in timings.items()}
    scoring.score_all_now(version_id=version_id)

    from django.contrib.auth import get_user_model

    from social.models import Follow

    User = get_user_model()
    followees = list(User.objects.order_by("pk").values_list("pk", flat=True)[:200])
    cold_first, cold_again = [], []
    for i in range(30):
        newcomer = User.objects.create(username=f"newcomer{i}", password="!")
        Follow.objects.bulk_create(
            Follow(follower=newcomer, followee_id=f) for f in followees[i * 5 : i * 5 + 5]
        )
        services.user_signals_changed(newcomer.pk)
        t0 = time.perf_counter()
        services.recommendations_for_user(user=newcomer, k=10)
        cold_first.append((time.perf_counter() - t0) * 1000)
        newcomer = User.objects.get(pk=newcomer.pk)
        t0 = time.perf_counter()
        services.recommendations_for_user(user=newcomer, k=10)
        cold_again.append((time.perf_counter() - t0) * 1000)
    client = Client()
    client.force_login(User.objects.get(username="bench1"))
    widget = []
    for _ in range(60):
        t0 = time.perf_counter()
        response = client.get(f"/recs/widgets/{Widget.FOR_YOU}/")
        widget.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200

    def p95(values: list[float]) -> float:
        return sorted(values)[int(0.95 * (len(values) - 1))]

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    body = f"""
Measured {stamp} by `bench/recommendation_serving.py`: {options.users:,} synthetic shoppers (10 views each, half
with an order of 2 products, up to 8 follows within their taste group) x {options.products:,} products in 20
categories, {database}, Python {platform.python_version()}, 2 CPU cores shared by everything (1-minute load
average {load:.1f} at the end: other work was running, so absolute times are inflated; compare the rows). Model: 32
components, WARP, early stopping (at most 15 epochs). Scoring = the `score_users_chunk` task body (signals
read from the database, top-{settings.RECSYS_LIST_LENGTH} with bought and sold-out items excluded, reason facts,
rows written) over chunks of {chunk:,} shoppers, run by 1 or 2 worker processes; medians of {options.repeats}
runs. On-request = a new shopper with 5 follows, scored from the serving model without retraining (first
page), then the cached repeat. Widget = `GET /recs/widgets/for_you/` through Django's test client (reads the
stored list, renders 8 cards with reasons, logs impressions).

| step | figure |
|---|---|
| retrain (read data, holdout model, evaluation vs popularity, final model, artefact) | {train_seconds:.1f} s |
| scoring all shoppers, 1 worker | {median[1]:.1f} s ({options.users / median[1]:,.0f} shoppers/s) |
| scoring all shoppers, 2 workers | {median[2]:.1f} s ({options.users / median[2]:,.0f} shoppers/s, x{median[1] / median[2]:.2f}) |
| new shopper, first page (scored on request) | p50 {statistics.median(cold_first):.0f} ms, p95 {p95(cold_first):.0f} ms |
| new shopper, repeat (cached) | p50 {statistics.median(cold_again):.1f} ms, p95 {p95(cold_again):.1f} ms |
| `for you` widget fragment | p50 {statistics.median(widget):.1f} ms, p95 {p95(widget):.1f} ms |

Rerun: `.venv/bin/python bench/recommendation_serving.py` (PostgreSQL: prefix `DATABASE_URL=postgres://...`).
"""
    print(body)
    from _recsys_common import write_section

    write_section("Recommendation serving (issue 4)", body)
    if database == "PostgreSQL":
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
