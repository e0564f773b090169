"""The served model (model selection over all families, issue 11) side by side with every single peer, each
tuned on validation data carved from the training split only, on MovieLens 100K, FilmTrust, Last.fm and a
synthetic shop.

    .venv/bin/python bench/convert_datasets.py
    flock /tmp/socialshop-bench.lock .venv/bin/python bench/recsys_families.py \
        [--datasets ml-100k filmtrust lastfm synthetic] [--seeds 0 1 2] [--write]

Protocol (as bench/recsys_quality.py): per user with 2+ interactions a seeded 20% goes to test; every item is
ranked, training items excluded; P@10 and NDCG@10 per test user, overall and for light users (at most 5
training interactions); on the datasets with follows, the cold run (20% of the users who follow someone and
have 5+ interactions removed from training, ranked from their follows only).

- served: `recsys.core.train` on the training split: every family fitted on a fit part and judged on a
  validation part of the training split, a recipe per group, popularity unless beaten beyond noise.
- peers: popularity, item-kNN, ALS, EASE: each family alone (its settings chosen on the same validation part,
  no blend, no popularity guard), refitted on the training split; LightFM: the hybrid of the served model
  (epochs, popularity blend and followee taste chosen on validation), scored alone.
- cold: the non-LightFM peers cannot rank a shopper without history and fall back to popularity; the served
  cold path is the LightFM hybrid from follows when validation says it beats popularity, else popularity.

Noise: for each group the paired per-user difference (served minus the best peer on that metric, same test
users, pooled over seeds) is reported as mean and standard error; "matches" means the mean difference is above
-2 standard errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _recsys_common import CITATIONS, load, write_section  # noqa: E402
from _recsys_synthetic import synthetic_shop  # noqa: E402
from recsys_quality import PARAMS as QUALITY_PARAMS  # noqa: E402

from recsys.core import (  # noqa: E402
    TrainingParams,
    build_dataset,
    holdout_split,
    run_cold_protocol,
    served_scores,
    train,
)
from recsys.core.candidates import refit_served, select_families  # noqa: E402
from recsys.core.evaluation import user_gains  # noqa: E402
from recsys.core.scoring import _lightfm_rows, blend_recipe, chunk_rows  # noqa: E402

HEADING = "Recommender model families side by side (issue 11)"
PEERS = ("popularity", "item_knn", "als", "ease", "lightfm")
K = 10
FAMILY_GRIDS = {
    "als_settings": ((32, 0.05, 10.0), (64, 0.05, 20.0), (128, 0.1, 20.0)),
    "ease_regularisations": (50.0, 200.0, 800.0),
    "knn_neighbours": (20, 50, 200),
}
SYNTHETIC_SIZE = {"users": 3_000, "items": 5_000, "interactions": 60_000}


def params_for(name: str) -> TrainingParams:
    base = QUALITY_PARAMS.get(name, TrainingParams(no_components=32, max_epochs=30))
    return base.replace(**FAMILY_GRIDS)


def dataset_for(name: str, params: TrainingParams):
    if name == "synthetic":
        shop = synthetic_shop(**SYNTHETIC_SIZE, seed=1)
        return build_dataset(shop.log, items=shop.items, follows=shop.follows, params=params)
    return load(name, params)


def per_user(score, train_matrix: sp.csr_matrix, test: sp.csr_matrix, users: np.ndarray):
    """(P@10, NDCG@10) per user of `users`."""
    discounts = np.concatenate([[1.0], np.cumsum(1.0 / np.log2(np.arange(2, K + 2)))])
    precision, ndcg = np.zeros(len(users)), np.zeros(len(users))
    step = chunk_rows(train_matrix.shape[1], 512)
    for start in range(0, len(users), step):
        rows = users[start : start + step]
        hits, dcg = user_gains(
            np.array(score(rows), dtype=np.float32), train_matrix[rows], test[rows], K, copy=False
        )
        ideal = discounts[np.minimum(np.diff(test[rows].indptr), K)]
        precision[start : start + len(rows)] = hits / K
        ndcg[start : start + len(rows)] = dcg / ideal
    return precision, ndcg


def peer_scorer(family: str, split, train_matrix, train_weights, params: TrainingParams):
    """One family alone, its settings chosen on a validation part of the training split, then refitted."""
    fit, fit_weights, validation = holdout_split(
        train_matrix, train_weights, test_fraction=params.validation_fraction, seed=params.seed + 2
    )
    users = np.flatnonzero(np.diff(validation.indptr) > 0)
    alone = params.replace(families=(family,), blend_families=0, popularity_guard=False)
    selection = select_families(
        fit=fit,
        fit_weights=fit_weights,
        validation=validation,
        users=users,
        params=alone,
        lightfm_scores=None,
    )
    served = refit_served(selection, train_matrix, train_weights, alone)
    counts = np.bincount(train_matrix.indices, minlength=train_matrix.shape[1])
    order = np.lexsort((np.arange(len(counts)), -counts))
    rank = np.empty(len(counts), dtype=np.float32)
    rank[order] = (len(counts) - np.arange(len(counts))) / len(counts)
    recipe = ((family, 1.0),)
    settings = {
        f.candidate: dict(f.settings) for f in selection.report.candidates if f.group == "heavy"
    }

    def score(rows: np.ndarray) -> np.ndarray:
        return blend_recipe(
            recipe,
            rows,
            lambda name, chosen: served.families[name].scores(chosen, served.history[chosen]),
            rank,
        )

    return score, settings.get(family, {})


def run(name: str, seeds: list[int]) -> dict:
    params = params_for(name)
    dataset = dataset_for(name, params)
    pooled: dict[str, dict[str, list[np.ndarray]]] = {}
    cold_runs: list[dict[str, float]] = []
    choices, settings_seen = [], []
    for seed in seeds:
        started = time.perf_counter()
        seeded = params.replace(seed=seed)
        train_matrix, train_weights, test = holdout_split(
            dataset.interactions, dataset.weights, seed=seed
        )
        split = dataset.with_interactions(train_matrix, train_weights)
        model = train(split, seeded)
        assert model.selection is not None
        choices.append({c.group: c.candidate for c in model.selection.choices})
        users = np.flatnonzero(np.diff(test.indptr) > 0)
        light = np.diff(train_matrix.indptr)[users] <= 5
        scorers = {
            "served": lambda rows, model=model: served_scores(model, rows),
            "lightfm": lambda rows, model=model: _lightfm_rows(model, rows),
        }
        peer_settings = {}
        for family in PEERS:
            if family != "lightfm":
                scorers[family], peer_settings[family] = peer_scorer(
                    family, split, train_matrix, train_weights, seeded
                )
        settings_seen.append(peer_settings)
        for who, score in scorers.items():
            p, n = per_user(score, train_matrix, test, users)
            for group, mask in (("all", np.ones(len(users), bool)), ("light", light)):
                entry = pooled.setdefault(f"{group}/{who}", {"p": [], "ndcg": []})
                entry["p"].append(p[mask])
                entry["ndcg"].append(n[mask])
        line = {who: round(float(np.mean(pooled[f"all/{who}"]["p"][-1])), 4) for who in scorers}
        if dataset.user_follows.nnz:
            reports, _ = run_cold_protocol(dataset, seeded, seed=seed, identity_only_baseline=False)
            if reports:
                cold_runs.append(
                    {
                        "served_p": reports["model"].overall.precision,
                        "served_ndcg": reports["model"].overall.ndcg,
                        "popularity_p": reports["popularity"].overall.precision,
                        "popularity_ndcg": reports["popularity"].overall.ndcg,
                        "users": reports["model"].overall.n_users,
                    }
                )
        print(
            f"{name} seed {seed}: P@10 {json.dumps(line)} choices {json.dumps(choices[-1])} "
            f"({time.perf_counter() - started:.0f}s)",
            flush=True,
        )
    summary: dict = {
        "seeds": seeds,
        "choices": choices,
        "peer_settings": settings_seen,
        "groups": {},
    }
    for group in ("all", "light"):
        figures = {}
        for who in ("served", *PEERS):
            entry = pooled[f"{group}/{who}"]
            figures[who] = {m: np.concatenate(entry[m]) for m in ("p", "ndcg")}
        n_users = len(figures["served"]["p"])
        if n_users == 0:
            continue
        row: dict = {"users": n_users}
        for metric in ("p", "ndcg"):
            means = {who: float(values[metric].mean()) for who, values in figures.items()}
            best_peer = max(PEERS, key=means.__getitem__)
            diff = figures["served"][metric] - figures[best_peer][metric]
            se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
            row[metric] = {
                "means": means,
                "best_peer": best_peer,
                "diff": float(diff.mean()),
                "se": se,
                "matches": bool(diff.mean() >= -2 * se),
            }
        summary["groups"][group] = row
    if cold_runs:
        summary["cold"] = {key: float(np.mean([c[key] for c in cold_runs])) for key in cold_runs[0]}
    return summary


def _ratio(served: float, peer: float) -> str:
    return f"{served / peer:.3f}" if peer > 0 else "-"


def table(results: dict[str, dict], seeds_by_name: dict[str, list[int]], load: str) -> str:
    lines = [
        "| dataset | group | metric | served | popularity | item-kNN | ALS | EASE | LightFM | "
        "served - best peer (SE) | served / best peer | matches |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, summary in results.items():
        for group, row in summary["groups"].items():
            for metric, label in (("p", "P@10"), ("ndcg", "NDCG@10")):
                fig = row[metric]
                means = fig["means"]
                lines.append(
                    f"| {name} | {group} ({row['users']:,} test users, seeds "
                    f"{','.join(map(str, seeds_by_name[name]))}) | {label} | **{means['served']:.4f}** | "
                    + " | ".join(f"{means[p]:.4f}" for p in PEERS)
                    + f" | {fig['diff']:+.4f} ({fig['se']:.4f}) vs {fig['best_peer']} | "
                    f"{_ratio(means['served'], means[fig['best_peer']])} | "
                    f"{'yes' if fig['matches'] else 'NO'} |"
                )
        if "cold" in summary:
            cold = summary["cold"]
            lines.append(
                f"| {name} | cold ({cold['users']:.0f} users/seed) | P@10 | **{cold['served_p']:.4f}** | "
                f"{cold['popularity_p']:.4f} | = popularity | = popularity | = popularity | "
                f"(served) | {cold['served_p'] - cold['popularity_p']:+.4f} vs popularity | "
                f"{_ratio(cold['served_p'], cold['popularity_p'])} | "
                f"{'yes' if cold['served_p'] >= cold['popularity_p'] - 1e-9 else 'NO'} |"
            )
            lines.append(
                f"| {name} | cold | NDCG@10 | **{cold['served_ndcg']:.4f}** | "
                f"{cold['popularity_ndcg']:.4f} | = popularity | = popularity | = popularity | "
                f"(served) | {cold['served_ndcg'] - cold['popularity_ndcg']:+.4f} vs popularity | "
                f"{_ratio(cold['served_ndcg'], cold['popularity_ndcg'])} | "
                f"{'yes' if cold['served_ndcg'] >= cold['popularity_ndcg'] - 1e-9 else 'NO'} |"
            )
    choices = "; ".join(
        f"{name}: " + ", ".join(json.dumps(c, sort_keys=True) for c in s["choices"])
        for name, s in results.items()
    )
    return "\n".join(
        [
            "Served = `recsys.core.train` with model selection (families, per-group recipe, popularity guard); "
            "each peer alone, tuned on validation carved from the training split (never test). "
            f"Family grids: {json.dumps(FAMILY_GRIDS)}; LightFM settings per dataset as in "
            "`bench/recsys_quality.py`. Synthetic shop: `bench/_recsys_synthetic.py` "
            f"{json.dumps(SYNTHETIC_SIZE)}, seed 1.",
            "",
            "Command: `flock /tmp/socialshop-bench.lock .venv/bin/python bench/recsys_families.py "
            f"--datasets {' '.join(results)} --seeds 0 1 2 --write` (seeds per dataset in the table; "
            f"machine load average at the start: {load}; 2 cores shared with other sessions' tests).",
            "",
            "Noise: paired per-user difference between the served model and the best peer on that "
            "metric and group (same test users, pooled over seeds), mean and standard error; the served "
            "model matches when the mean is above -2 SE. Cold: every non-LightFM peer falls back to "
            "popularity for shoppers without history; the LightFM peer's cold path is the served one.",
            "",
            *lines,
            "",
            f"Chosen recipes per seed: {choices}.",
            "",
            CITATIONS,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--datasets", nargs="+", default=["ml-100k", "filmtrust", "lastfm", "synthetic"]
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--seeds-for", nargs="*", default=[], help="per-dataset seeds, e.g. lastfm=0,1"
    )
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--out", default="/tmp/recsys_families.json")
    parser.add_argument(
        "--from-json",
        help="only render (and with --write, write) the table of a finished run's --out",
    )
    parser.add_argument(
        "--load", help="with --from-json: the load average noted at that run's start"
    )
    args = parser.parse_args()
    if args.from_json:
        results = json.loads(Path(args.from_json).read_text())
        seeds = {name: summary["seeds"] for name, summary in results.items()}
        text = table(results, seeds, args.load or "not recorded")
        print(text)
        if args.write:
            write_section(HEADING, text)
        return
    load = f"{os.getloadavg()[0]:.1f}"
    results = {}
    for name in args.datasets:
        results[name] = run(name, args.seeds)
        Path(args.out).write_text(json.dumps(results, indent=1, default=float))
    seeds_by_name = dict.fromkeys(results, args.seeds)
    text = table(results, seeds_by_name, load)
    print(text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
