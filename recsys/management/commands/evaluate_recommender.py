"""`manage.py evaluate_recommender [--json]`: the evaluation protocol on the database's data.

Warm holdout (model, identity-only LightFM, popularity; overall and for users with at most 5 training
interactions) and the cold-user run (users removed from training, ranked from their follows only).
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from recsys.core import TrainingParams, run_protocol
from recsys.services.data import load_dataset


class Command(BaseCommand):
    help = "Evaluate the recommender on a holdout of the database's interactions."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--no-cold", action="store_true", help="skip the cold-user run")

    def handle(self, *args, **options):
        started = time.perf_counter()
        params = TrainingParams(k=options["k"], learning_rate=0.1)
        dataset = load_dataset(params)
        if dataset.interactions.nnz == 0:
            raise CommandError("there are no interactions to evaluate")
        result = run_protocol(
            dataset, params, seed=options["seed"], k=options["k"], cold=not options["no_cold"]
        )
        figures = result.as_dict()
        figures["seconds"] = round(time.perf_counter() - started, 1)
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        for run, reports in (("warm", result.warm), ("cold", result.cold)):
            for name, report in reports.items():
                for group, metrics in (("all", report.overall), ("<=5", report.light_users)):
                    if run == "cold" and group == "<=5":
                        continue
                    self.stdout.write(
                        f"{run:4} {name:13} {group:4} users={metrics.n_users:6} "
                        f"P@{report.k}={metrics.precision:.4f} R={metrics.recall:.4f} "
                        f"NDCG={metrics.ndcg:.4f} MAP={metrics.map:.4f} "
                        f"HR={metrics.hit_rate:.4f} AUC={metrics.auc:.4f}"
                    )
