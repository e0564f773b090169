"""Build the demo shop, deterministically from a seed: catalogue and shoppers first, then each app adds its part."""

from __future__ import annotations

import random
import time
from contextlib import nullcontext
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from shop import demo
from shop.demo import pictures as demo_pictures
from shop.hooks import DemoPart, demo_seeding


class Command(BaseCommand):
    help = "Fill the database with a believable demo shop (deterministic for a given --seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--small", action="store_true", help="A small shop for tests and quick looks (seconds)."
        )
        parser.add_argument(
            "--renditions-later",
            action="store_true",
            help="Leave picture renditions missing from the cache to `manage.py picture_renditions`, "
            "`post_picture_renditions` and `avatar_renditions` "
            "(make run starts them beside the server); pages show the originals meanwhile.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    def handle(
        self,
        *args: Any,
        seed: int,
        small: bool,
        if_empty: bool,
        renditions_later: bool,
        **options: Any,
    ) -> None:
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("Database already has data; skipping the demo seed.")
            return
        started = time.perf_counter()
        # Order matters: later parts build on earlier ones (posts tag bought products, the model learns from
        # both). The other apps register their parts in INSTALLED_APPS order (shop.hooks.demo_seeding).
        parts = [DemoPart(name="shop", seed=demo.seed), *demo_seeding.fire()]
        with demo_pictures.renditions_later() if renditions_later else nullcontext():
            self._seed_parts(parts, seed=seed, small=small)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.perf_counter() - started:.1f}s.")
        )

    def _seed_parts(self, parts: list[DemoPart], *, seed: int, small: bool) -> None:
        for part in parts:
            part_started = time.perf_counter()
            # Each part gets its own generator so that adding data to one part leaves the others unchanged.
            part.seed(rng=random.Random(f"{seed}:{part.name}"), small=small, log=self.stdout.write)
            self.stdout.write(f"  {part.name}: {time.perf_counter() - part_started:.1f}s")
