"""Factories for vouchers, promotions and returns."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import cast

import factory
from django.utils import timezone

from shop.models import Order, OrderStatusEvent, Promotion, Voucher
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import OrderFactory, OrderLineFactory

__all__ = ["PromotionFactory", "VoucherFactory", "delivered_order"]


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voucher
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = Voucher.Kind.PERCENT
    value = Decimal("10.00")

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def variants(self, create, extracted, **kwargs):
        if create and extracted:
            self.variants.set(extracted)


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sale {n}")
    percent_off = Decimal("20.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


def delivered_order(
    *, user=None, quantity: int = 2, days_ago: int = 1, provider: str = "cod", **line
):
    """A delivered order with one line of `quantity` units (19.90 each unless `unit_price` given)."""
    user = user or UserFactory()
    product = line.pop("product", None) or ProductFactory(stock=5)
    unit_price = line.pop("unit_price", Decimal("19.90"))
    total = unit_price * quantity
    order = cast(
        Order,
        OrderFactory(
            user=user,
            status=Order.Status.DELIVERED,
            subtotal=total,
            total=total + Decimal("4.90"),
            payment_provider=provider,
            payment_reference="cod-x" if provider == "cod" else "tc-abc",
        ),
    )
    OrderLineFactory(order=order, product=product, unit_price=unit_price, quantity=quantity, **line)
    event = OrderStatusEvent.objects.create(order=order, status=Order.Status.DELIVERED)
    OrderStatusEvent.objects.filter(id=event.id).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return order
