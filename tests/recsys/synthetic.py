"""A small synthetic shop with planted structure for the serving tests.

Two communities: shoppers of community A follow each other and buy and view products of category A; the same for
B. A model trained on it should recommend A products to A shoppers, and a new shopper who follows A shoppers
should get A products before any training that includes them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import cast

from django.utils import timezone

from shop.models import Category, Order, OrderLine, Product, ProductEvent, User
from social.models import Follow, Profile
from tests.factories import UserFactory


@dataclass
class SyntheticShop:
    categories: dict[str, Category]
    products: dict[str, list[Product]]
    shoppers: dict[str, list]


def _order(user, products, number: str, when) -> Order:
    order = Order.objects.create(
        user=user,
        number=number,
        idempotency_key=f"key-{number}",
        ship_name="Ada",
        ship_line1="Street 1",
        ship_city="Berlin",
        ship_postal_code="10115",
        ship_country="DE",
        shipping_method="standard",
        shipping_cost=Decimal("0"),
        subtotal=Decimal("10"),
        total=Decimal("10"),
        payment_provider="cod",
        status=Order.Status.PAID,
    )
    Order.objects.filter(pk=order.pk).update(created_at=when)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=product,
            product_name=product.name,
            unit_price=product.price,
            quantity=1,
            line_total=product.price,
        )
        for product in products
    )
    return order


def build_shop(
    *, shoppers_per_community: int = 12, products_per_community: int = 10, seed: int = 7
):
    rng = random.Random(seed)
    now = timezone.now()
    categories = {
        name: Category.objects.create(name=f"Community {name}", slug=f"community-{name.lower()}")
        for name in ("A", "B")
    }
    products = {
        name: [
            Product.objects.create(
                category=categories[name],
                name=f"{name} product {i}",
                slug=f"{name.lower()}-product-{i}",
                description=f"A fine {name} thing number {i}",
                price=Decimal("10.00") + i,
                stock=50,
            )
            for i in range(products_per_community)
        ]
        for name in ("A", "B")
    }
    shoppers: dict[str, list[User]] = {
        name: [
            cast(User, UserFactory(username=f"{name.lower()}shopper{i}"))
            for i in range(shoppers_per_community)
        ]
        for name in ("A", "B")
    }
    order_number = 0
    for name, members in shoppers.items():
        own = products[name]
        for user in members:
            Profile.objects.get_or_create(user=user, defaults={"share_purchases_default": True})
            for other in rng.sample([m for m in members if m != user], 4):
                Follow.objects.get_or_create(follower=user, followee=other)
            picks = rng.sample(own, 6)
            ProductEvent.objects.bulk_create(
                ProductEvent(
                    user=user,
                    product=product,
                    kind=ProductEvent.Kind.VIEW,
                    created_at=now - timedelta(days=rng.randint(0, 20)),
                )
                for product in picks
            )
            order_number += 1
            _order(
                user, picks[:3], f"SYN{order_number:06d}", now - timedelta(days=rng.randint(0, 20))
            )
    return SyntheticShop(categories=categories, products=products, shoppers=shoppers)
