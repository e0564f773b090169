"""Feed benchmark (issue 3): the first feed page and the next page through `social.selectors.feed_for_user`.

On PostgreSQL, in a separate database (`socialshop_feedbench` by default): 100,000 users, 1,000,000 posts
spread over a year, 10 % of them tagging a product, and one reader following 1,000 accounts (plus background
follows between other users). Data is generated inside PostgreSQL with generate_series (about a minute), kept
between runs, and rebuilt with `--fresh`. Each timed call is the whole selector: the main query and its
prefetches (pictures, tagged products, product pictures), i.e. everything a page of post cards needs.

Prints the figures and writes them into docs/benchmarks.md under "## Feed (issue 3)".

    .venv/bin/python bench/feed.py [--fresh] [--runs 200] [--database socialshop_feedbench]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "## Feed (issue 3)"
USERS = 100_000
POSTS = 1_000_000
FOLLOWING = 1_000
READER = "feedreader"
PAGE_SIZE = 20
TARGET_MS = 50.0


def _setup_django(database: str, server: str) -> None:
    os.environ["DATABASE_URL"] = f"{server.rstrip('/')}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production settings: no debug query log slowing down (and growing during) the timed calls.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "feed-bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    import django

    django.setup()


def _ensure_database(server: str, database: str, fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def _generate(log) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        started = time.perf_counter()

        def count(sql: str, params=None) -> int:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

        # Each stage runs only when its data is missing, so an interrupted build resumes.
        if count("SELECT count(*) FROM shop_user WHERE username = %s", [READER]) == 0:
            cursor.execute(
                "TRUNCATE shop_user, shop_category, shop_product, social_post, social_follow, "
                "social_postproduct, social_profile RESTART IDENTITY CASCADE"
            )
            cursor.execute(
                """
                INSERT INTO shop_user (password, is_superuser, username, first_name, last_name,
                                       email, is_staff, is_active, date_joined)
                SELECT '!', false, 'user' || g, '', '', 'user' || g || '@example.com', false, true,
                       now() - interval '400 days'
                FROM generate_series(1, %s) AS g
                """,
                [USERS - 1],
            )
            cursor.execute(
                """
                INSERT INTO shop_user (password, is_superuser, username, first_name, last_name,
                                       email, is_staff, is_active, date_joined)
                VALUES ('!', false, %s, '', '', 'reader@example.com', false, true, now())
                """,
                [READER],
            )
            cursor.execute(
                """
                INSERT INTO social_profile (user_id, display_name, bio, avatar, is_private,
                    share_purchases_default, personalise_recommendations, show_in_suggestions,
                    show_wishlist, created_at)
                SELECT id, username, '', '', (id % 20 = 0), false, true, true, false, now()
                FROM shop_user
                """
            )
            cursor.execute(
                "INSERT INTO shop_category (name, slug, description, position) "
                "VALUES ('Bench', 'bench', '', 0)"
            )
            cursor.execute(
                """
                INSERT INTO shop_product (category_id, name, slug, description, price, stock,
                    attributes, is_active, rating_avg, rating_count, sold_count, created_at,
                    updated_at)
                SELECT (SELECT min(id) FROM shop_category), 'Product ' || g, 'product-' || g, '',
                       19.90, 10, '{}', true, 0, 0, 0, now(), now()
                FROM generate_series(1, 1000) AS g
                """
            )
            log(f"users, profiles, products: {time.perf_counter() - started:.1f}s")
        reader_id = count("SELECT id FROM shop_user WHERE username = %s", [READER])
        if count("SELECT count(*) FROM social_post") < POSTS:
            cursor.execute("TRUNCATE social_post RESTART IDENTITY CASCADE")
            cursor.execute(
                """
                INSERT INTO social_post (author_id, kind, body, like_count, comment_count,
                                         is_hidden, created_at, updated_at)
                SELECT u.min_id + (random() * (%s - 2))::int, 'post',
                       'Post ' || g || ' about things I bought #haul', (random() * 20)::int,
                       (random() * 5)::int, false, ts, ts
                FROM (SELECT g, now() - random() * interval '365 days' AS ts
                      FROM generate_series(1, %s) AS g) AS s,
                     (SELECT min(id) AS min_id FROM shop_user) AS u
                """,
                [USERS, POSTS],
            )
            log(f"posts: {time.perf_counter() - started:.1f}s")
        if count("SELECT count(*) FROM social_postproduct") == 0:
            cursor.execute(
                """
                INSERT INTO social_postproduct (post_id, product_id, position, verified_purchase)
                SELECT p.id, (SELECT min(id) FROM shop_product) + (p.id % 1000), 0, (p.id % 3 = 0)
                FROM social_post p WHERE p.id % 10 = 0
                """
            )
        if count("SELECT count(*) FROM social_follow") < FOLLOWING + USERS:
            cursor.execute("TRUNCATE social_follow")
            cursor.execute(
                """
                INSERT INTO social_follow (follower_id, followee_id, status, created_at)
                SELECT %s, id, 'active', now()
                FROM (SELECT id FROM shop_user WHERE id <> %s ORDER BY random() LIMIT %s) AS picked
                """,
                [reader_id, reader_id, FOLLOWING],
            )
            # Background graph: every other user follows about 10 accounts (~1M edges).
            cursor.execute(
                """
                INSERT INTO social_follow (follower_id, followee_id, status, created_at)
                SELECT DISTINCT u.id, f.id, 'active', now()
                FROM shop_user u
                CROSS JOIN generate_series(1, 10) AS k
                JOIN shop_user f
                  ON f.id = (SELECT min(id) FROM shop_user)
                          + ((u.id * 7919 + k * 104729) %% (%s - 1))
                WHERE u.id <> %s AND f.id <> u.id AND f.id <> %s
                ON CONFLICT DO NOTHING
                """,
                [USERS, reader_id, reader_id],
            )
            log(f"follows and tags: {time.perf_counter() - started:.1f}s")
    # VACUUM sets the visibility map, so the feed's id query is a true index-only scan (as on a live server
    # where autovacuum has run); it cannot run inside a transaction block.
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE social_post")
        cursor.execute("VACUUM ANALYZE social_follow")
        cursor.execute("ANALYZE")
        log(f"data ready ({time.perf_counter() - started:.1f}s)")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _measure(runs: int) -> dict:
    from django.db import connection, reset_queries

    from shop.models import User
    from social.selectors import feed_for_user

    reader = User.objects.get(username=READER)
    followees = reader.following_set.count()
    # Warm-up: plans and caches, as on a running server.
    for _ in range(5):
        page = feed_for_user(user=reader, page_size=PAGE_SIZE)
        feed_for_user(user=reader, cursor=page.next_cursor, page_size=PAGE_SIZE)
    first_times, next_times, cpu_times = [], [], []
    cursor = page.next_cursor
    queries = 0
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        first = feed_for_user(user=reader, page_size=PAGE_SIZE)
        first_times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        started = time.perf_counter()
        feed_for_user(user=reader, cursor=cursor, page_size=PAGE_SIZE)
        next_times.append((time.perf_counter() - started) * 1000)
    assert len(first.items) == PAGE_SIZE
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the debug log is a bounded deque; a full one would capture nothing
    with CaptureQueriesContext(connection) as captured:
        feed_for_user(user=reader, page_size=PAGE_SIZE)
    queries = len(captured.captured_queries)
    main_sql = captured.captured_queries[0]["sql"]
    reset_queries()
    with connection.cursor() as db:
        db.execute("EXPLAIN (ANALYZE, BUFFERS) " + main_sql)
        plan = "\n".join(row[0] for row in db.fetchall())
        db.execute("SELECT count(*) FROM social_post")
        post_count = db.fetchone()[0]
        db.execute("SELECT count(*) FROM shop_user")
        user_count = db.fetchone()[0]
        db.execute("SHOW server_version")
        version = db.fetchone()[0]
    return {
        "first": first_times,
        "cpu": cpu_times,
        "next": next_times,
        "queries": queries,
        "plan": plan,
        "posts": post_count,
        "users": user_count,
        "followees": followees,
        "pg": version,
        "load": ", ".join(f"{value:.1f}" for value in os.getloadavg()),
    }


def _write(result: dict, runs: int, database: str) -> str:
    rows = []
    for label, key in (("first page", "first"), ("next page (cursor)", "next")):
        values = result[key]
        p95 = _percentile(values, 0.95)
        rows.append(
            f"| {label} | {runs} | {statistics.median(values):.1f} | {p95:.1f} | "
            f"{max(values):.1f} | {'met' if p95 < TARGET_MS else 'NOT met'} |"
        )
    plan_lines = [line for line in result["plan"].splitlines() if line.strip()][:24]
    stamp = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            SECTION,
            "",
            f"Measured {stamp} by `bench/feed.py` on PostgreSQL {result['pg']} (database `{database}`), "
            f"Python {platform.python_version()}, in-process (no HTTP), 2 shared CPU cores: "
            f"{result['users']:,} users, {result['posts']:,} posts over a year (10 % tag a product), "
            f"the reader follows {result['followees']:,} accounts; ~1M background follows. Each timing is "
            f"one `feed_for_user(page_size={PAGE_SIZE})` call including its prefetches "
            f"({result['queries']} queries per page whatever the page size), after a warm-up. "
            f"Target: p95 < {TARGET_MS:.0f} ms.",
            "",
            "| page | runs | median ms | p95 ms | max ms | p95 < 50 ms |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Python CPU time of the first-page call (the rest of the wall time is PostgreSQL and "
            f"waiting for a core): median {statistics.median(result['cpu']):.1f} ms, p95 "
            f"{_percentile(result['cpu'], 0.95):.1f} ms.",
            "",
            "The card query selects the page's posts through an id subquery (LIMIT page size + 1) "
            "that is an index-only scan of `post_recent_idx` (created_at DESC, id DESC) INCLUDE "
            "(author_id, is_hidden) (migration social 0006), filtering authors against the reader's "
            "followees (hashed subplan on the follow index); one prefetch adds the tagged products with "
            "their first picture, another the post pictures (only when a post on the page has some). "
            f"Load average during the run: {result['load']}. Plan of the card query (EXPLAIN ANALYZE, first lines):",
            "",
            "```",
            *plan_lines,
            "```",
            "",
            "Rerun: `.venv/bin/python bench/feed.py` (`--fresh` rebuilds the data, `--runs N`).",
            "",
        ]
    )
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="socialshop_feedbench")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()

    def log(message: str) -> None:
        print(f"[feed bench] {message}", flush=True)

    _ensure_database(args.server, args.database, args.fresh)
    _setup_django(args.database, args.server)
    _generate(log)
    result = _measure(args.runs)
    section = _write(result, args.runs, args.database)
    print(section)


if __name__ == "__main__":
    main()
