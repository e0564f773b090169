"""Demo behaviour: each shopper browses, buys, reviews and wishes mostly in their favourite categories, so a
recommender has real structure to learn; then the denormalised counts are computed once."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Sum

from shop.demo.catalogue import ProductSpec, keep_given_timestamps
from shop.demo.data import CITIES, REVIEW_TEXT, REVIEW_TITLES
from shop.hooks import DemoShopper, DemoShoppers, demo_shoppers_seeded
from shop.models import (
    Category,
    Order,
    OrderLine,
    OrderStatusEvent,
    Product,
    ProductEvent,
    Review,
    StockAlert,
    WishlistItem,
)


@dataclass
class Shopper:
    user_id: int
    favourites: list[int]  # category ids
    orders: int = 0
    bought: set[int] = field(default_factory=set)


def _weighted_pick(rng: random.Random, products: list[Product], weights: list[float]) -> Product:
    return rng.choices(products, weights=weights, k=1)[0]


def seed_behaviour(
    rng: random.Random,
    *,
    shopper_ids: list[int],
    specs: list[ProductSpec],
    leaves: dict[str, Category],
    now,
    small: bool,
    log: Callable[[str], None],
) -> None:
    by_category: dict[int, list[ProductSpec]] = defaultdict(list)
    for spec in specs:
        by_category[spec.product.category_id].append(spec)
    leaf_ids = [category.id for category in leaves.values()]
    # Related leaves under the same root are a shopper's secondary interest.
    weights_by_category = {
        cid: [0.2 + spec.quality**2 for spec in group] for cid, group in by_category.items()
    }
    all_products = [spec.product for spec in specs]
    all_weights = [0.2 + spec.quality**2 for spec in specs]
    quality = {spec.product.id: spec.quality for spec in specs}

    shoppers = [
        Shopper(user_id=uid, favourites=rng.sample(leaf_ids, rng.choice([1, 1, 2])))
        for uid in shopper_ids
    ]

    def pick(shopper: Shopper, loyalty: float) -> Product:
        if rng.random() < loyalty:
            cid = rng.choice(shopper.favourites)
            group = [spec.product for spec in by_category[cid]]
            return _weighted_pick(rng, group, weights_by_category[cid])
        return _weighted_pick(rng, all_products, all_weights)

    orders, lines, events, reviews, wishes, alerts, views = [], [], [], [], [], [], []
    order_number = 0
    status_plan = (
        [Order.Status.DELIVERED] * 50
        + [Order.Status.SHIPPED] * 15
        + [Order.Status.PAID] * 10
        + [Order.Status.PLACED] * 15
        + [Order.Status.CANCELLED] * 10
    )
    paths = {
        Order.Status.PLACED: [Order.Status.PLACED],
        Order.Status.PAID: [Order.Status.PLACED, Order.Status.PAID],
        Order.Status.SHIPPED: [Order.Status.PLACED, Order.Status.PAID, Order.Status.SHIPPED],
        Order.Status.DELIVERED: [
            Order.Status.PLACED,
            Order.Status.PAID,
            Order.Status.SHIPPED,
            Order.Status.DELIVERED,
        ],
        Order.Status.CANCELLED: [Order.Status.PLACED, Order.Status.CANCELLED],
    }
    reviewed: set[tuple[int, int]] = set()
    for shopper in shoppers:
        city, postal, country = rng.choice(CITIES)
        for _ in range(rng.choice([1, 2, 3, 3, 4, 5, 6, 8])):
            order_number += 1
            status = rng.choice(status_plan)
            placed_at = now - timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 1440))
            chosen: dict[int, tuple[Product, int]] = {}
            for _line in range(rng.choice([1, 1, 1, 2, 2, 3])):
                product = pick(shopper, loyalty=0.8)
                chosen[product.id] = (product, rng.choice([1, 1, 1, 2]))
            subtotal = sum((p.price * q for p, q in chosen.values()), Decimal("0"))
            shipping = Decimal("0.00") if subtotal >= 50 else Decimal("4.90")
            order = Order(
                user_id=shopper.user_id,
                number=f"DM{order_number:08d}",
                status=status,
                idempotency_key=f"demo-order-{order_number}",
                ship_name=f"Demo shopper {shopper.user_id}",
                ship_line1=f"{rng.randint(1, 120)} Market Street",
                ship_city=city,
                ship_postal_code=postal,
                ship_country=country,
                shipping_method="standard",
                shipping_cost=shipping,
                subtotal=subtotal,
                total=subtotal + shipping,
                payment_provider=rng.choice(["cod", "test_card"]),
                payment_reference=f"demo-{order_number}",
            )
            order.created_at = placed_at
            orders.append(order)
            for product, quantity in chosen.values():
                lines.append(
                    (
                        order,
                        OrderLine(
                            product_id=product.id,
                            product_name=product.name,
                            unit_price=product.price,
                            quantity=quantity,
                            line_total=product.price * quantity,
                        ),
                    )
                )
            for step, step_status in enumerate(paths[status]):
                event = OrderStatusEvent(status=step_status, note="")
                event.created_at = placed_at + timedelta(days=step * rng.randint(1, 3), hours=step)
                events.append((order, event))
            if status == Order.Status.CANCELLED:
                continue
            for product, _quantity in chosen.values():
                shopper.bought.add(product.id)
                key = (shopper.user_id, product.id)
                if status == Order.Status.DELIVERED and key not in reviewed and rng.random() < 0.6:
                    reviewed.add(key)
                    bonus = 0.6 if product.category_id in shopper.favourites else 0.0
                    score = 1 + 4 * quality[product.id] + bonus + rng.gauss(0, 0.7)
                    rating = max(1, min(5, round(score)))
                    review = Review(
                        product_id=product.id,
                        user_id=shopper.user_id,
                        rating=rating,
                        title=REVIEW_TITLES[rating],
                        body=rng.choice(REVIEW_TEXT[rating]),
                        verified_purchase=True,
                    )
                    review.created_at = placed_at + timedelta(days=rng.randint(4, 20))
                    reviews.append(review)
        # A few unverified opinions from people who did not buy.
        if rng.random() < 0.15:
            product = pick(shopper, loyalty=0.6)
            key = (shopper.user_id, product.id)
            if key not in reviewed and product.id not in shopper.bought:
                reviewed.add(key)
                rating = max(1, min(5, round(1 + 4 * quality[product.id] + rng.gauss(0, 1))))
                review = Review(
                    product_id=product.id,
                    user_id=shopper.user_id,
                    rating=rating,
                    title=REVIEW_TITLES[rating],
                    body=rng.choice(REVIEW_TEXT[rating]),
                )
                review.created_at = now - timedelta(days=rng.randint(0, 120))
                reviews.append(review)
        wished: set[int] = set()
        for _ in range(rng.randint(1, 6)):
            product = pick(shopper, loyalty=0.85)
            if product.id in shopper.bought or product.id in wished:
                continue
            wished.add(product.id)
            item = WishlistItem(user_id=shopper.user_id, product_id=product.id)
            item.created_at = now - timedelta(days=rng.randint(0, 90))
            wishes.append(item)
            if product.stock == 0 and rng.random() < 0.7:
                alerts.append(StockAlert(user_id=shopper.user_id, product_id=product.id))
        for _ in range(rng.randint(5, 25)):
            product = pick(shopper, loyalty=0.75)
            kind = ProductEvent.Kind.CART if rng.random() < 0.12 else ProductEvent.Kind.VIEW
            views.append(
                ProductEvent(
                    user_id=shopper.user_id,
                    product_id=product.id,
                    kind=kind,
                    created_at=now
                    - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440)),
                )
            )

    with keep_given_timestamps(
        (Order, "created_at"),
        (OrderStatusEvent, "created_at"),
        (Review, "created_at"),
        (WishlistItem, "created_at"),
    ):
        Order.objects.bulk_create(orders, batch_size=1000)
        for order, line in lines:
            line.order_id = order.id
        OrderLine.objects.bulk_create([line for _order, line in lines], batch_size=2000)
        for order, event in events:
            event.order_id = order.id
        OrderStatusEvent.objects.bulk_create([event for _order, event in events], batch_size=2000)
        Review.objects.bulk_create(reviews, batch_size=2000)
        WishlistItem.objects.bulk_create(wishes, batch_size=2000)
    StockAlert.objects.bulk_create(alerts, batch_size=2000)
    ProductEvent.objects.bulk_create(views, batch_size=2000)
    demo_shoppers_seeded.fire(
        DemoShoppers(
            rng=rng,
            shoppers=tuple(
                DemoShopper(user_id=s.user_id, favourite_category_ids=tuple(s.favourites))
                for s in shoppers
            ),
        )
    )
    log(
        f"    {len(orders)} orders, {len(lines)} order lines, {len(reviews)} reviews, "
        f"{len(wishes)} wishlist items, {len(alerts)} stock alerts, {len(views)} product events"
    )


def refresh_denormalised_counts(product_ids: list[int] | None = None) -> None:
    """sold_count from non-cancelled order lines; rating_avg/rating_count from visible reviews."""
    products = (
        Product.objects.all() if product_ids is None else Product.objects.filter(id__in=product_ids)
    )
    sold = dict(
        OrderLine.objects.exclude(order__status=Order.Status.CANCELLED)
        .filter(product__in=products)
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    ratings = {
        row["product_id"]: row
        for row in Review.objects.filter(is_hidden=False, product__in=products)
        .values("product_id")
        .annotate(average=Avg("rating"), count=Count("id"))
    }
    changed = []
    for product in products.only("id", "sold_count", "rating_avg", "rating_count"):
        product.sold_count = sold.get(product.id, 0)
        row = ratings.get(product.id)
        product.rating_avg = Decimal(str(row["average"] if row else 0)).quantize(Decimal("0.01"))
        product.rating_count = row["count"] if row else 0
        changed.append(product)
    Product.objects.bulk_update(
        changed, ["sold_count", "rating_avg", "rating_count"], batch_size=1000
    )
