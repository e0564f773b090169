"""Recommender quality on public datasets: the evaluation protocol of issue 4, mean of 3 seeds.

    .venv/bin/python bench/convert_datasets.py
    .venv/bin/python bench/recsys_quality.py [--seeds 0 1 2] [--datasets ml-100k filmtrust lastfm]

Per dataset: warm holdout (per user with 2+ interactions a seeded 20% to test; full ranking, training items
excluded) for the model, identity-only LightFM and popularity, overall and for users with at most 5 training
interactions; on Last.fm and FilmTrust also the cold-user run (20% of users who follow someone and have 5+
interactions removed from training, ranked from their follows only). Hyper-parameters per dataset are fixed
below; epochs, the popularity blend and the followee-taste weight are chosen on validation splits inside
`recsys.core.train`, never on test data. Writes `## Recommender quality (issue 4)` in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _recsys_common import CITATIONS, ROOT, load, write_section

from recsys.core import TrainingParams, run_protocol

PARAMS = {
    "ml-100k": TrainingParams(learning_rate=0.1, no_components=32, max_epochs=40),
    # One OpenMP thread: FilmTrust trains in seconds, and lock-free parallel training made the model (and so
    # the validation blend choice) differ from run to run; with one thread a seed gives the same model.
    "filmtrust": TrainingParams(learning_rate=0.05, no_components=16, max_epochs=30, num_threads=1),
    # Chosen by the validation searches in TUNING (training data only; see bench/recsys_tune.py).
    "lastfm": TrainingParams(
        learning_rate=0.1,
        no_components=64,
        max_sampled=50,
        tag_weight=4.0,
        max_epochs=50,
        refit="full",
    ),
}
# How per-dataset choices were made: validation P@10 of bench/recsys_tune.py (seed 0 training split, a further
# 20% per user held out of it; the test split is never looked at). Printed under "Parameters" below.
TUNING = {
    "lastfm": (
        "listen counts as weights (`bench/convert_datasets.py`, default `--lastfm-weighting plays`) and the "
        "parameters above chosen with `bench/recsys_tune.py lastfm --folder <lastfm-like|lastfm-plays> --base "
        "'{...}' --grid '{...}'`, validation P@10: previous settings 0.112; 64 components 0.121 (listen counts); "
        "max_sampled 30/50: 0.123/0.128 with equal weights, 0.128/0.130 with listen counts; full refit "
        "against one continued epoch 0.120 vs 0.117 (64 components, equal weights); tag weight "
        "0.25/0.5/1/2/4/8/16: 0.128/0.130/0.134/0.135/0.141/0.138/0.137 (at most 50 epochs for 4-16). "
        "Cold search (`--cold`: validation cold users drawn from the non-cold users): previous settings "
        "0.419, chosen settings 0.432; followee weight 1/2 at tag weight 0.5: 0.426/0.413, 0.5/1 at "
        "tag weight 4: 0.423/0.432"
    ),
}
REFERENCE = {
    ("ml-100k", "warm"): "LightFM alone 0.328, popularity 0.193; target >= 0.34",
    ("filmtrust", "warm"): "LightFM alone 0.339, popularity 0.339",
    ("lastfm", "warm"): "LightFM alone 0.171, popularity 0.067; target >= 0.18",
    ("lastfm", "cold"): "LightFM alone 0.42, identity-only 0.19, popularity 0.246; target >= 0.43",
}


def run(name: str, seeds: list[int], num_threads: int | None = None) -> dict:
    params = PARAMS[name]
    if num_threads is not None:
        params = params.replace(num_threads=num_threads)
    dataset = load(name, params)
    results = []
    for seed in seeds:
        started = time.perf_counter()
        result = run_protocol(dataset, params, seed=seed, cold=name in ("lastfm", "filmtrust"))
        results.append(result)
        print(
            f"{name} seed {seed}: "
            + json.dumps({k: round(v.overall.precision, 4) for k, v in result.warm.items()})
            + " cold "
            + json.dumps({k: round(v.overall.precision, 4) for k, v in result.cold.items()})
            + f" ({time.perf_counter() - started:.0f}s)",
            flush=True,
        )
    summary: dict = {
        "counts": results[0].counts,
        "seeds": seeds,
        "per_seed": {
            run_name: [
                round(getattr(r, run_name)["model"].overall.precision, 4)
                for r in results
                if "model" in getattr(r, run_name)
            ]
            for run_name in ("warm", "cold")
        },
        "best_epochs": [r.validation["best_epoch"] for r in results],
        "blends": [
            {key: r.validation["blend"][key] for key in ("light_weight", "heavy_weight")}
            for r in results
        ],
        "num_threads": params.num_threads,
        # Per seed and group, (model, popularity) P@10: "never below popularity" is checked seed by seed.
        "per_seed_vs_popularity": {
            f"{run_name}/{group}": [
                [
                    round(getattr(getattr(r, run_name)["model"], group).precision, 6),
                    round(getattr(getattr(r, run_name)["popularity"], group).precision, 6),
                ]
                for r in results
            ]
            for run_name in ("warm", "cold")
            for group in ("overall", "light_users")
            if all("model" in getattr(r, run_name) for r in results)
            and not (run_name == "cold" and group == "light_users")
            and getattr(getattr(results[0], run_name)["model"], group).n_users
        },
    }
    for run_name in ("warm", "cold"):
        for model in ("model", "identity_only", "popularity"):
            reports = [getattr(r, run_name).get(model) for r in results]
            if not all(reports):
                continue
            for group in ("overall", "light_users"):
                metrics = [getattr(rep, group) for rep in reports]
                summary[f"{run_name}/{model}/{group}"] = {
                    field: float(np.mean([getattr(m, field) for m in metrics]))
                    for field in (
                        "precision",
                        "recall",
                        "ndcg",
                        "map",
                        "hit_rate",
                        "auc",
                        "n_users",
                    )
                }
    return summary


def table(results: dict) -> str:
    lines = [
        "| dataset | run | users | model | P@10 | R@10 | NDCG@10 | MAP@10 | HR@10 | AUC |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, summary in results.items():
        for key, m in summary.items():
            if "/" not in key:
                continue
            run_name, model, group = key.split("/")
            # Cold users have no training items: their "<=5" group is the same users again.
            if m["n_users"] == 0 or (run_name == "cold" and group == "light_users"):
                continue
            label = "all" if group == "overall" else "<=5 training items"
            lines.append(
                f"| {name} | {run_name} ({label}) | {m['n_users']:.0f} | {model} | "
                f"{m['precision']:.3f} | {m['recall']:.3f} | {m['ndcg']:.3f} | {m['map']:.3f} | "
                f"{m['hit_rate']:.3f} | {m['auc']:.3f} |"
            )
    return "\n".join(lines)


def targets(results: dict) -> str:
    def p(name: str, key: str) -> float | None:
        value = results.get(name, {}).get(key)
        return None if value is None else value["precision"]

    lines = []
    for name, key, goal in (
        ("ml-100k", "warm/model/overall", 0.34),
        ("lastfm", "warm/model/overall", 0.18),
        ("lastfm", "cold/model/overall", 0.43),
    ):
        value = p(name, key)
        if value is not None:
            verdict = "met" if value >= goal else "NOT met"
            run_name = key.split("/")[0]
            per_seed = results[name].get("per_seed", {}).get(run_name, [])
            seeds = ", ".join(f"{v:.3f}" for v in per_seed)
            lines.append(
                f"- {name} {run_name} P@10 {value:.3f} (target {goal}): {verdict}"
                + (f" (per seed: {seeds})" if len(per_seed) > 1 else "")
            )
    for name, summary in results.items():
        for run_name in ("warm", "cold"):
            for group in ("overall", "light_users"):
                model = summary.get(f"{run_name}/model/{group}")
                popular = summary.get(f"{run_name}/popularity/{group}")
                if not model or not popular or model["n_users"] == 0:
                    continue
                if run_name == "cold" and group == "light_users":
                    continue
                relation = (
                    "above"
                    if model["precision"] > popular["precision"] + 5e-4
                    else "equal to"
                    if model["precision"] >= popular["precision"] - 5e-4
                    else "BELOW"
                )
                pairs = summary.get("per_seed_vs_popularity", {}).get(f"{run_name}/{group}", [])
                below = [
                    f"seed {seed} {m:.4f} < {p:.4f}"
                    for seed, (m, p) in zip(summary["seeds"], pairs, strict=False)
                    if m < p
                ]
                per_seed = (
                    (
                        "; per seed: BELOW on " + ", ".join(below)
                        if below
                        else "; per seed: never below"
                    )
                    if pairs
                    else ""
                )
                lines.append(
                    f"- {name} {run_name} ({group.replace('_', ' ')}): model {model['precision']:.3f} "
                    f"{relation} popularity {popular['precision']:.3f}{per_seed}"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", default=list(PARAMS))
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the section from stored results"
    )
    parser.add_argument(
        "--num-threads",
        type=int,
        help="override the dataset's OpenMP training threads (for run-to-run checks)",
    )
    args = parser.parse_args()
    if args.report_only:
        args.datasets = []
    # Results accumulate per dataset in bench/out/ (git-ignored) so datasets can be run one at a time.
    store = ROOT / "bench" / "out" / "recsys_quality.json"
    for name in args.datasets:
        summary = run(name, args.seeds, args.num_threads)
        results = json.loads(store.read_text()) if store.exists() else {}
        results[name] = summary
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(results, indent=2))
    stored = json.loads(store.read_text()) if store.exists() else {}
    results = {name: stored[name] for name in PARAMS if name in stored}
    print(table(results))
    params = "\n".join(
        f"- {name}: `{PARAMS[name].no_components}` components, learning rate `{PARAMS[name].learning_rate}`, "
        f"`max_sampled` `{PARAMS[name].max_sampled}`, at most `{PARAMS[name].max_epochs}` epochs (early "
        f"stopping, patience `{PARAMS[name].patience}`), refit `{PARAMS[name].refit}`"
        + (f"; {TUNING[name]}" if name in TUNING else "")
        for name in results
    )
    references = "\n".join(
        f"- {n} {r}: {text}" for (n, r), text in REFERENCE.items() if n in results
    )
    seeds_used = "; ".join(
        f"{name}: seeds {', '.join(map(str, summary['seeds']))}"
        for name, summary in results.items()
    )
    body = f"""Command: `.venv/bin/python bench/convert_datasets.py && flock /tmp/socialshop-bench.lock
.venv/bin/python bench/recsys_quality.py --datasets <name> --seeds <seeds>`, one dataset at a time (results
kept in the git-ignored `bench/out/recsys_quality.json`; `--report-only` rewrites this section from it). Mean
over {seeds_used}. Protocol in `recsys/core/evaluation.py`; LightFM WARP with 2 OpenMP threads (lock-free
parallel training, so runs with the same seed differ slightly), FilmTrust with 1 (the same model for a seed;
a seed's whole protocol takes about 3 s); item features (category, tags, text terms,
price band), followee user features, signal weights (Last.fm: listen counts, log-scaled per user), and a
popularity blend and followee-taste weight chosen on validation splits inside `recsys.core.train`, never on test
data. Per-dataset settings below come from `bench/recsys_tune.py`, which scores candidates on a validation split
carved out of the benchmark's training split (the test split is never looked at). Runs were made while other
engineers' jobs loaded the 2 cores.

Notes: ML-100k uses the default refit (after early stopping, the best-epoch snapshot trains one more epoch on
all the data), the configuration timed in "Recommender speed"; with the former full refit (twice the training
time) the mean was 0.355.

"Never below popularity": each user group (at most 5 training items, more, cold users scored from follows)
gets a popularity blend weight chosen on validation data carved from the training split
(`recsys.core.training.choose_blend`). A model weight is served only when it has at least 3% more validation
hits than popularity alone and its paired per-user DCG@10 gain over popularity is above 2 standard errors
(`TrainingParams.blend_min_z`); otherwise the group is served popularity alone, which ties the popularity
baseline exactly. DCG@10 rather than hit counts for the noise test because a small shop's few validation users
give too few hits to tell a real gain from luck. The former rule (the 3% margin alone) let lock-free training
noise on FilmTrust pick a small model blend now and then, leaving a seed up to 0.002 below popularity (cold
users 0.613 vs 0.614 in the run recorded before). On FilmTrust nothing clears the noise test, so every group
is served popularity and ties it on every seed (the per-seed check below compares each seed, not the mean).
Run-to-run check with lock-free training (2 OpenMP threads: four runs of
`--datasets filmtrust --num-threads 2`, and four more of the protocol without the identity-only baseline): every
seed tied popularity exactly in every group, while identity-only LightFM moved between runs (cold seed 0:
0.581 to 0.597), so the models did differ. On synthetic data where popularity is the only signal (`tests/recsys/test_core.py`,
150 shoppers, 40 items, seeds 0-11), the former rule served a model weight in 7 of 12 trainings and fell below
popularity in 4 (by up to 0.0027); the new rule served one in 1 of 12 (0.0033 above popularity). The
rule is a noise threshold, not a guarantee: a dataset whose validation gain is borderline can still, rarely,
pick a model blend that does not carry over. Cost elsewhere: Last.fm's light shoppers (8 test users) no longer
clear it on validation and get popularity (0.000, tied; the former rule served the model there, 0.017, about
one hit per seed); ML-100k and the other Last.fm groups keep their model blends.

{table(results)}

Against the targets:
{targets(results)}

Parameters:
{params}

References (LightFM alone, from /work/shared/data/README.md):
{references}

{CITATIONS}
"""
    write_section("Recommender quality (issue 4)", body)


if __name__ == "__main__":
    main()
