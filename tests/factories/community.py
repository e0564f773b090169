"""Helpers for group-buy and moderation tests: a product with a group price, a running group, a review."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shop.models import Product, Review, User
from social.models import GroupBuy
from social.services import ShippingAddress, group_buy_open
from tests.factories import ProductFactory, UserFactory

__all__ = ["APPROVE_CARD", "DECLINE_CARD", "group_product", "make_group", "address", "make_review"]

APPROVE_CARD = "4242 4242 4242 4242"
DECLINE_CARD = "4000 0000 0000 0002"


def address(name: str = "Ana Example") -> ShippingAddress:
    return ShippingAddress(
        full_name=name, line1="Hauptstr. 1", city="Berlin", postal_code="10115", country="DE"
    )


def group_product(*, stock: int = 10, group_price: str = "15.00") -> Product:
    product: Product = ProductFactory.create(
        stock=stock, price=Decimal("19.90"), group_price=Decimal(group_price)
    )
    return product


def make_group(
    *,
    creator: User | None = None,
    product: Product | None = None,
    target_size: int = 3,
    hours: int = 24,
    **kwargs: Any,
) -> GroupBuy:
    host: User = creator or UserFactory.create()
    return group_buy_open(
        creator=host,
        product=product or group_product(),
        target_size=target_size,
        deadline=timezone.now() + timedelta(hours=hours),
        address=address(),
        payment_provider=kwargs.pop("payment_provider", "test_card"),
        card_number=kwargs.pop("card_number", APPROVE_CARD),
        **kwargs,
    )


def make_review(
    *, user: User | None = None, product: Product | None = None, body: str = "Broke after a day."
) -> Review:
    reviewed: Product = product or ProductFactory.create()
    author: User = user or UserFactory.create()
    return Review.objects.create(
        product=reviewed,
        user=author,
        rating=1,
        title="Bad",
        body=body,
    )
