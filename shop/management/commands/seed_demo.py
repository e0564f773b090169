"""Build the demo shop, deterministically from a seed: catalogue and shoppers first, then each app adds its part."""

from __future__ import annotations

import random
import time
from importlib import import_module

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

# Order matters: later parts build on earlier ones (posts tag bought products, the model learns from both).
DEMO_PARTS = ("shop", "social", "support", "recsys")


class Command(BaseCommand):
    help = "Fill the database with a believable demo shop (deterministic for a given --seed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--small", action="store_true", help="A small shop for tests and quick looks (seconds)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    def handle(self, *args, seed: int, small: bool, if_empty: bool, **options) -> None:
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("Database already has data; skipping the demo seed.")
            return
        started = time.perf_counter()
        for part in DEMO_PARTS:
            module = import_module(f"{part}.demo")
            part_started = time.perf_counter()
            # Each part gets its own generator so that adding data to one part leaves the others unchanged.
            module.seed(rng=random.Random(f"{seed}:{part}"), small=small, log=self.stdout.write)
            self.stdout.write(f"  {part}: {time.perf_counter() - part_started:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.perf_counter() - started:.1f}s.")
        )
