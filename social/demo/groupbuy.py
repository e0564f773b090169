"""Demo group buys: one running group (the demo `shopper` opened it; a few others joined, seats left) and, on
the full demo, a second group with just its host. Everything goes through the services, so the demo obeys the
same rules as real use.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from shop.models import Product, ProductVariant
from shop.selectors import variants_for_products
from social.models import GroupBuy
from social.services import (
    GroupBuyError,
    ShippingAddress,
    group_buy_join,
    group_buy_open,
)

# The first group (host and two joiners) plus the second one's host, with room to spare.
DEMO_SEATS_NEEDED = 5

CITIES = [("Berlin", "10115"), ("Hamburg", "20095"), ("Munich", "80331"), ("Cologne", "50667")]


def _address(rng: random.Random, user) -> ShippingAddress:
    saved = user.addresses.first()
    if saved is not None:
        return ShippingAddress(
            full_name=saved.full_name,
            line1=saved.line1,
            line2=saved.line2,
            city=saved.city,
            postal_code=saved.postal_code,
            country=saved.country,
            phone=saved.phone,
        )
    city, postal_code = rng.choice(CITIES)
    return ShippingAddress(
        full_name=user.get_full_name() or user.get_username(),
        line1=f"Demostr. {rng.randint(1, 120)}",
        city=city,
        postal_code=postal_code,
        country="DE",
    )


def group_buys_seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    User = get_user_model()
    candidates = list(
        Product.objects.filter(is_active=True, group_price__isnull=False, stock__gte=10).order_by(
            "id"
        )[:50]
    )
    # Every member commits to one variant: each product's demo groups use one of its variants that can seat
    # them all (a sold-out size is simply not chosen).
    variants = variants_for_products(product_ids=[product.id for product in candidates])
    stocked: dict[int, ProductVariant] = {}
    for product in candidates:
        in_stock = [v for v in variants[product.id] if v.stock >= DEMO_SEATS_NEEDED]
        if in_stock:
            stocked[product.id] = rng.choice(in_stock)
    products = [product for product in candidates if product.id in stocked]
    if not products:
        log("    no product with a group price and a variant in stock: no demo group buy")
        return
    shoppers = list(
        User.objects.filter(is_staff=False, is_active=True)
        .exclude(username="shopper")
        .order_by("id")[:200]
    )
    host = User.objects.filter(username="shopper").first() or (
        shoppers.pop(0) if shoppers else None
    )
    if host is None or len(shoppers) < 3:
        log("    too few shoppers: no demo group buy")
        return
    product = rng.choice(products)
    group = group_buy_open(
        creator=host,
        product=product,
        target_size=4,
        deadline=timezone.now() + timedelta(days=3),
        address=_address(rng, host),
        payment_provider="cod",
        variant_id=stocked[product.id].id,
    )
    joiners = rng.sample(shoppers, 2)
    for joiner in joiners:
        group_buy_join(
            group_id=group.id,
            user=joiner,
            address=_address(rng, joiner),
            payment_provider="cod",
            variant_id=stocked[product.id].id,
        )
    groups = 1
    if not small and len(products) > 1:
        # A second, younger group with just its host, to show an almost empty one.
        other = rng.choice([p for p in products if p.id != product.id])
        second_host = rng.choice([s for s in shoppers if s not in joiners])
        try:
            group_buy_open(
                creator=second_host,
                product=other,
                target_size=3,
                deadline=timezone.now() + timedelta(days=2),
                address=_address(rng, second_host),
                payment_provider="cod",
                variant_id=stocked[other.id].id,
            )
            groups += 1
        except GroupBuyError as error:
            log(f"    second group skipped: {error.message}")
    log(
        f"    {groups} running group buy(s); {product.name!r}: "
        f"{GroupBuy.objects.get(id=group.id).member_count}/4 at {group.group_price}"
    )
