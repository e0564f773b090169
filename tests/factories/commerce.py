"""Factories for carts, addresses and orders."""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory

from shop.models import Address, Cart, CartItem, Order, OrderLine, OrderStatusEvent
from tests.factories import ProductFactory, UserFactory

__all__ = [
    "AddressFactory",
    "CartFactory",
    "CartItemFactory",
    "OrderFactory",
    "OrderLineFactory",
    "OrderStatusEventFactory",
    "address_data",
]


def address_data(**overrides) -> dict:
    data = {
        "full_name": "Ada Shopper",
        "line1": "Hauptstraße 1",
        "line2": "",
        "city": "Berlin",
        "postal_code": "10115",
        "country": "DE",
        "phone": "",
    }
    data.update(overrides)
    return data


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    full_name = "Ada Shopper"
    line1 = factory.Sequence(lambda n: f"Hauptstraße {n + 1}")
    city = "Berlin"
    postal_code = "10115"
    country = "DE"


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    user = factory.SubFactory(UserFactory)


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory(ProductFactory)
    variant = factory.LazyAttribute(lambda item: item.product.variants.first())
    quantity = 1


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: f"SST{n:08d}")
    idempotency_key = factory.LazyFunction(lambda: uuid.uuid4().hex)
    ship_name = "Ada Shopper"
    ship_line1 = "Hauptstraße 1"
    ship_city = "Berlin"
    ship_postal_code = "10115"
    ship_country = "DE"
    shipping_method = "standard"
    shipping_cost = Decimal("4.90")
    subtotal = Decimal("19.90")
    total = Decimal("24.80")
    payment_provider = "cod"

    @factory.post_generation
    def placed_event(self, create, extracted, **kwargs):
        if create:
            OrderStatusEvent.objects.create(order=self, status=Order.Status.PLACED)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    variant = factory.LazyAttribute(
        lambda line: line.product.variants.first() if line.product else None
    )
    product_name = factory.LazyAttribute(lambda line: line.product.name if line.product else "Gone")
    unit_price = Decimal("19.90")
    quantity = 1
    line_total = factory.LazyAttribute(lambda line: line.unit_price * line.quantity)


class OrderStatusEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderStatusEvent

    order = factory.SubFactory(OrderFactory)
    status = Order.Status.PLACED
