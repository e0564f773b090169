import random

import pytest
from django.contrib.auth import get_user_model

from shop import demo
from shop.models import (
    Category,
    Order,
    OrderLine,
    Product,
    ProductImage,
    ProductVariant,
    Promotion,
    Review,
    StockAlert,
    Tag,
    Voucher,
    WishlistItem,
)

pytestmark = pytest.mark.django_db


def fingerprint() -> dict:
    return {
        "categories": list(Category.objects.order_by("slug").values_list("slug", "parent__slug")),
        "products": list(
            Product.objects.order_by("slug").values_list(
                "slug",
                "price",
                "stock",
                "group_price",
                "category__slug",
                "rating_avg",
                "rating_count",
                "sold_count",
            )
        ),
        "tags": sorted(Product.tags.through.objects.values_list("product__slug", "tag__name")),
        "users": list(
            get_user_model().objects.order_by("username").values_list("username", "is_staff")
        ),
        "orders": list(
            Order.objects.order_by("number").values_list(
                "number", "status", "user__username", "total"
            )
        ),
        "reviews": sorted(
            Review.objects.values_list(
                "user__username", "product__slug", "rating", "verified_purchase"
            )
        ),
        "wishlists": sorted(WishlistItem.objects.values_list("user__username", "product__slug")),
    }


def wipe() -> None:
    for model in (
        Promotion,
        Voucher,
        StockAlert,
        WishlistItem,
        Review,
        OrderLine,
        Order,
        ProductImage,
    ):
        model.objects.all().delete()
    Product.objects.all().delete()
    Tag.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    get_user_model().objects.all().delete()


def seed_small():
    demo.seed(rng=random.Random("7:shop"), small=True, log=lambda message: None)


def test_small_seed_builds_a_consistent_shop():
    seed_small()
    assert Category.objects.filter(parent__isnull=True).count() >= 6
    assert Category.objects.filter(parent__isnull=False).count() >= 12
    assert Product.objects.count() == 60
    # front, turned and close-up shots, and one more for each second colour of a garment or shoe
    assert ProductImage.objects.filter(position__lt=10).count() == 3 * 60
    assert ProductImage.objects.filter(position=10).exists()
    assert Product.objects.filter(stock=0).exists()
    assert Product.objects.filter(group_price__isnull=False).exists()
    assert Voucher.objects.filter(code="WELCOME10").exists()
    assert Promotion.objects.filter(categories__parent__isnull=True).exists()
    assert get_user_model().objects.filter(is_superuser=False, is_staff=False).count() >= 30
    assert get_user_model().objects.get(username="admin").check_password("socialshop-admin")
    moderator = get_user_model().objects.get(username="moderator")
    assert moderator.check_password("socialshop-moderator")
    assert moderator.groups.filter(name="moderators").exists()
    assert get_user_model().objects.get(username="shopper").check_password("socialshop-shopper")
    assert set(Order.objects.values_list("status", flat=True)) >= {"delivered", "cancelled"}
    assert Review.objects.exists()
    assert WishlistItem.objects.exists()
    product = Product.objects.filter(rating_count__gt=0).first()
    reviews = Review.objects.filter(product=product)
    assert product.rating_count == reviews.count()
    assert all(
        r.verified_purchase
        == OrderLine.objects.filter(product=product, order__user=r.user).exists()
        for r in reviews
    )


def test_small_seed_sells_clothing_and_shoes_in_sizes_and_colours():
    seed_small()
    for root in ("Clothing", "Shoes"):
        product = Product.objects.filter(category__parent__name=root).first()
        variants = list(product.variants.filter(is_active=True))
        assert len(variants) >= 3
        assert all(" / " in variant.name for variant in variants)
        assert product.stock == sum(variant.stock for variant in variants)
    assert ProductVariant.objects.filter(
        product__category__parent__name="Clothing", stock=0
    ).exists()
    others = Product.objects.exclude(category__parent__name__in=["Clothing", "Shoes"])
    assert all(product.variants.count() == 1 for product in others)


def test_shoppers_mostly_buy_in_their_favourite_categories():
    seed_small()
    from collections import Counter

    concentrations = []
    for user in get_user_model().objects.filter(orders__isnull=False).distinct():
        categories = Counter(
            OrderLine.objects.filter(order__user=user).values_list(
                "product__category_id", flat=True
            )
        )
        total = sum(categories.values())
        if total >= 4:
            concentrations.append(sum(count for _c, count in categories.most_common(2)) / total)
    assert sum(concentrations) / len(concentrations) > 0.6


def test_small_seed_is_deterministic():
    seed_small()
    first = fingerprint()
    wipe()
    seed_small()
    assert fingerprint() == first
