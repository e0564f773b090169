"""Import speed: `manage.py import_dataset` of a generated interchange dataset the size of issue 11's shop
(7,500 shoppers, 100,000 products, 200,000 interaction rows, 57,000 follows) into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> flock /tmp/socialshop-bench.lock \
        .venv/bin/python bench/recsys_import_speed.py [--rows 200000] [--runs 1] [--write]

Each run empties the database (`manage.py flush`), then times the import command as a subprocess (wall time,
including Django start-up). Interaction kinds: 70% ratings, 20% views, 10% purchases, timestamps over a year;
a few bad rows (rating 0) are included and imported with `--skip-invalid`, as a shop's export would have them.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _recsys_common import write_section  # noqa: E402

HEADING = "Recommender import speed (issue 11)"
ROOT = Path(__file__).resolve().parent.parent


def write_dataset(
    folder: Path, *, users: int, items: int, rows: int, follows: int, seed: int
) -> int:
    rng = np.random.default_rng(seed)
    with open(folder / "users.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["user_id", "age"])
        out.writerows([f"u{i}", int(rng.integers(18, 70))] for i in range(users))
    with open(folder / "items.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["item_id", "title", "category", "price"])
        out.writerows(
            [f"i{j}", f"Product {j}", f"Dept {j % 12} > Aisle {j % 97}", f"{5 + j % 200}.99"]
            for j in range(items)
        )
    user = rng.zipf(1.3, rows) % users
    item = rng.zipf(1.2, rows) % items
    kind = rng.choice(["rating", "view", "purchase"], rows, p=[0.7, 0.2, 0.1])
    stamp = 1_700_000_000 + rng.integers(0, 365 * 86400, rows)
    bad = set(rng.choice(rows, 23, replace=False).tolist())
    with open(folder / "interactions.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["user_id", "item_id", "kind", "value", "timestamp"])
        for n in range(rows):
            value = "" if kind[n] != "rating" else str(int(rng.integers(1, 6)))
            if n in bad:
                kind_n, value = "rating", "0"
            else:
                kind_n = kind[n]
            out.writerow([f"u{user[n]}", f"i{item[n]}", kind_n, value, int(stamp[n])])
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, users, (follows, 2)) if a != b}
    with open(folder / "follows.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["follower_id", "followee_id"])
        out.writerows([f"u{a}", f"u{b}"] for a, b in sorted(pairs))
    return rows


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=7_500)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--follows", type=int, default=57_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database this bench may empty")
    manage("migrate", "--no-input")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        write_dataset(
            Path(folder),
            users=args.users,
            items=args.items,
            rows=args.rows,
            follows=args.follows,
            seed=0,
        )
        for run in range(args.runs):
            manage("flush", "--no-input")
            load = os.getloadavg()[0]
            started = time.perf_counter()
            done = manage("import_dataset", folder, "--prefix", "bench", "--skip-invalid")
            seconds = time.perf_counter() - started
            summary = done.stdout.strip().splitlines()[-1]
            skipped = sum(1 for line in done.stderr.splitlines() if line.startswith("skipped"))
            results.append({"seconds": round(seconds, 1), "load": round(load, 2)})
            print(f"run {run + 1}: {seconds:.1f}s (load {load:.2f}); {summary}; skipped {skipped}")
    if args.write:
        median = sorted(r["seconds"] for r in results)[len(results) // 2]
        write_section(
            HEADING,
            "\n".join(
                [
                    f"Generated interchange files: {args.users:,} shoppers, {args.items:,} products, "
                    f"{args.rows:,} interaction rows (70% ratings, 20% views, 10% purchases; 23 bad rows "
                    f"with rating 0, skipped), {args.follows:,} follows drawn. Command: `DATABASE_URL=... "
                    "flock /tmp/socialshop-bench.lock .venv/bin/python bench/recsys_import_speed.py "
                    f"--runs {args.runs} --write` (PostgreSQL on the same 2 shared cores; each run on an "
                    "emptied database; wall time of the `import_dataset --skip-invalid` process).",
                    "",
                    "| run | seconds | load average before |",
                    "|---|---|---|",
                    *(f"| {i + 1} | {r['seconds']} | {r['load']} |" for i, r in enumerate(results)),
                    "",
                    f"Median {median} s against the 15 s target of issue 11 (the issue's first import of "
                    "202,000 rows took 73 s).",
                ]
            ),
        )


if __name__ == "__main__":
    main()
