"""Demo shop: categories, products with locally drawn pictures, shoppers with tastes, orders, reviews,
wishlists, browsing events and product questions, one module per concept (data, catalogue, shoppers, behaviour,
qa). Called by `manage.py seed_demo` first; the other apps' parts follow (`shop.hooks.demo_seeding`).

Deterministic for a given generator: every choice comes from `rng`; only timestamps are relative to today so the
shop always looks current. Each shopper has one or two favourite categories and mostly browses, buys, reviews and
wishes there (and rates those products a little higher), so a recommender has real structure to learn. Rows are
bulk-created: the full shop takes a few seconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shop.demo.behaviour import refresh_denormalised_counts, seed_behaviour
from shop.demo.catalogue import _categories, draw_picture, generate_products, save_products
from shop.demo.data import SHOPPER_PASSWORD
from shop.demo.qa import questions_seed
from shop.demo.shoppers import create_shoppers
from shop.demo.variants import save_variants
from shop.demo.voucher import seed_vouchers
from shop.services import catalogue_changed, product_refresh_search_vector

__all__ = [
    "SHOPPER_PASSWORD",
    "_categories",
    "draw_picture",
    "generate_products",
    "refresh_denormalised_counts",
    "save_products",
    "seed",
]


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    product_count = 60 if small else 640
    shopper_count = 30 if small else 320
    with transaction.atomic():
        roots, leaves = _categories()
        specs = generate_products(rng=rng, count=product_count, leaves=leaves, now=now)
        save_products(specs)
        variant_count = save_variants(specs)
        log(
            f"    {len(roots) + len(leaves)} categories, {len(specs)} products with pictures, "
            f"{variant_count} clothing and shoe variants (sizes and colours)"
        )
        shopper_ids = create_shoppers(rng, shopper_count, now)
        log(f"    {len(shopper_ids)} shoppers (password {SHOPPER_PASSWORD!r}) + moderator + admin")
        seed_behaviour(
            rng, shopper_ids=shopper_ids, specs=specs, leaves=leaves, now=now, small=small, log=log
        )
        refresh_denormalised_counts()
        # After the orders and reviews: answers come from buyers, suggestions quote the reviews.
        questions_seed(rng=rng, shopper_ids=shopper_ids, small=small, now=now, log=log)
        seed_vouchers(now=now, log=log)
        product_refresh_search_vector()
    catalogue_changed()
