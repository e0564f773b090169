"""Full retrain of a synthetic shop (7,500 shoppers, 100,000 products, 200,000 interactions), the way
`recsys.pipeline.retrain` runs it: matrices from the log, a holdout model (all candidate families, model
selection on validation, final fits), its evaluation against popularity, the final model on all data (a warm
start from the holdout model: `recsys.core.refit`), the artefact written; then top-10 for every shopper as served. Reports wall time per step and peak RSS.

    flock /tmp/socialshop-bench.lock .venv/bin/python bench/recsys_retrain_speed.py [--runs 3] [--write]

Each run is a fresh process (so peak RSS is that run's), 2 cores; the machine's load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _recsys_common import write_section  # noqa: E402
from _recsys_synthetic import synthetic_shop  # noqa: E402

from recsys.core import (  # noqa: E402
    TrainingParams,
    build_dataset,
    evaluate,
    evaluate_popularity,
    holdout_split,
    refit,
    top_k,
    train,
)

HEADING = "Recommender retrain speed (issue 11)"


def one_run(users: int, items: int, interactions: int) -> dict:
    shop = synthetic_shop(users=users, items=items, interactions=interactions)
    params = TrainingParams()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    dataset = build_dataset(
        shop.log, items=shop.items, follows=shop.follows, params=params, now=None
    )
    timings["data"] = time.perf_counter() - started
    step = time.perf_counter()
    train_matrix, train_weights, test = holdout_split(
        dataset.interactions, dataset.weights, seed=params.seed
    )
    candidate = train(dataset.with_interactions(train_matrix, train_weights), params)
    timings["holdout_train"] = time.perf_counter() - step
    step = time.perf_counter()
    model_report = evaluate(candidate, train=train_matrix, test=test, k=params.k)
    popularity_report = evaluate_popularity(train=train_matrix, test=test, k=params.k)
    timings["evaluate"] = time.perf_counter() - step
    step = time.perf_counter()
    final = refit(candidate, dataset, params)
    with tempfile.TemporaryDirectory() as folder:
        final.save(Path(folder) / "model.pkl")
        artefact_mb = (Path(folder) / "model.pkl").stat().st_size / 2**20
    timings["final_train_and_save"] = time.perf_counter() - step
    timings["retrain_total"] = time.perf_counter() - started
    step = time.perf_counter()
    rows = list(range(dataset.n_users))
    top_k(final, rows, k=10, exclude=dataset.interactions)
    timings["score_all"] = time.perf_counter() - step
    assert final.selection is not None
    return {
        "timings": {name: round(value, 2) for name, value in timings.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "artefact_mb": round(artefact_mb, 1),
        "counts": {
            "users": dataset.n_users,
            "items": dataset.n_items,
            "interactions": int(dataset.interactions.nnz),
        },
        "holdout": {
            "model_p10": round(model_report.overall.precision, 4),
            "popularity_p10": round(popularity_report.overall.precision, 4),
            "model_ndcg10": round(model_report.overall.ndcg, 4),
            "popularity_ndcg10": round(popularity_report.overall.ndcg, 4),
        },
        "choices": {c.group: c.candidate for c in final.selection.choices},
        "selection_seconds": dict(final.selection.seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=7_500)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sizes = (args.users, args.items, args.interactions)
    if args.child:
        print(json.dumps(one_run(*sizes)))
        return
    results = []
    for run in range(args.runs):
        load = os.getloadavg()[0]
        output = subprocess.run(
            [sys.executable, __file__, "--child", *_size_args(args)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        result["load_before"] = round(load, 2)
        results.append(result)
        print(f"run {run + 1}: {json.dumps(result)}", flush=True)
    if args.write:
        write_section(HEADING, _table(results, args))


def _size_args(args: argparse.Namespace) -> list[str]:
    return [
        "--users",
        str(args.users),
        "--items",
        str(args.items),
        "--interactions",
        str(args.interactions),
    ]


def _table(results: list[dict], args: argparse.Namespace) -> str:
    steps = list(results[0]["timings"])
    lines = [
        f"Synthetic shop (`bench/_recsys_synthetic.py`, seed 0): {results[0]['counts']['users']:,} shoppers, "
        f"{results[0]['counts']['items']:,} products, {results[0]['counts']['interactions']:,} distinct "
        f"interactions, follows and categories. Command: `flock /tmp/socialshop-bench.lock "
        f".venv/bin/python bench/recsys_retrain_speed.py --runs {args.runs} --write` (each run a fresh "
        f"process; 2 cores shared with other work: load average before each run "
        f"{', '.join(str(r['load_before']) for r in results)}).",
        "",
        "| step | " + " | ".join(f"run {i + 1}" for i in range(len(results))) + " | median |",
        "|---|" + "---|" * (len(results) + 1),
    ]
    for step in steps:
        values = [r["timings"][step] for r in results]
        lines.append(
            f"| {step} (s) | "
            + " | ".join(f"{v:.1f}" for v in values)
            + f" | {statistics.median(values):.1f} |"
        )
    rss = [r["peak_rss_mb"] for r in results]
    lines.append(
        "| peak RSS (MB) | "
        + " | ".join(str(v) for v in rss)
        + f" | {statistics.median(rss):.0f} |"
    )
    last = results[-1]
    lines += [
        "",
        f"Steps: `data` = `build_dataset` from the log; `holdout_train` = `train` on the 80% split (LightFM "
        f"hybrid with early stopping, ALS, EASE, item-kNN, popularity, blends, selection, refits); "
        f"`evaluate` = the holdout evaluation of the served model and of popularity; "
        f"`final_train_and_save` = `refit` of the holdout model on everything (warm start: LightFM "
        f"continued, the chosen families refitted, no second selection) plus the artefact "
        f"({last['artefact_mb']} MB); "
        f"`score_all` = top-10 for every shopper as served (training items excluded). Chosen: "
        f"{json.dumps(last['choices'])}; selection step times (s): "
        f"{json.dumps(last['selection_seconds'])}. Holdout figures: {json.dumps(last['holdout'])}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
