from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from shop import selectors, services
from shop.models import CartItem, Order, OrderStatusEvent, Product, ProductVariant
from social.models import Notification
from tests.factories import ProductFactory
from tests.factories.commerce import (
    AddressFactory,
    CartItemFactory,
    OrderFactory,
    OrderLineFactory,
    address_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def place(user, key="key-00000001", **kwargs):
    kwargs.setdefault("address", address_data())
    return services.order_place(user=user, idempotency_key=key, **kwargs)


@pytest.fixture
def cart_line(user):
    product = ProductFactory(name="Teapot", price=Decimal("20.00"), stock=5)
    return CartItemFactory(cart__user=user, product=product, quantity=2)


def test_order_place_creates_order_lines_and_event_from_server_prices(user, cart_line):
    order = place(user)
    assert (order.subtotal, order.shipping_cost, order.total) == (
        Decimal("40.00"),
        Decimal("4.90"),
        Decimal("44.90"),
    )
    assert list(order.lines.values_list("product_name", "unit_price", "quantity")) == [
        ("Teapot", Decimal("20.00"), 2)
    ]
    assert list(order.events.values_list("status", flat=True)) == ["placed"]
    assert (order.status, order.payment_provider, order.ship_city) == ("placed", "cod", "Berlin")


def test_order_place_takes_stock_bumps_sold_count_and_empties_the_cart(user, cart_line):
    place(user)
    product = Product.objects.get(id=cart_line.product_id)
    assert (product.stock, product.sold_count) == (3, 2)
    assert not CartItem.objects.exists()


def test_order_place_gives_free_standard_shipping_over_the_threshold(user):
    CartItemFactory(cart__user=user, product__price=Decimal("50.00"))
    order = place(user)
    assert (order.shipping_cost, order.total) == (Decimal("0.00"), Decimal("50.00"))


def test_order_place_charges_express_shipping(user, cart_line):
    order = place(user, shipping_method="express")
    assert (order.shipping_cost, order.total) == (Decimal("12.90"), Decimal("52.90"))


def test_order_place_with_an_approved_card_is_paid(user, cart_line):
    order = place(user, payment_provider="test_card", card_number="4242 4242 4242 4242")
    assert order.status == "paid"
    assert order.payment_reference.startswith("tc-")
    assert list(order.events.values_list("status", flat=True)) == ["placed", "paid"]


def test_order_place_with_a_declined_card_keeps_nothing(user, cart_line):
    with pytest.raises(services.PaymentFailed, match="declined"):
        place(user, payment_provider="test_card", card_number="4000000000000002")
    assert not Order.objects.exists()
    assert Product.objects.get(id=cart_line.product_id).stock == 5
    assert CartItem.objects.get().quantity == 2


def test_order_place_with_an_invalid_card_number_keeps_nothing(user, cart_line):
    with pytest.raises(services.PaymentFailed) as excinfo:
        place(user, payment_provider="test_card", card_number="1234123412341234")
    assert excinfo.value.code == "invalid"
    assert not Order.objects.exists()


def test_order_place_is_idempotent_by_key(user, cart_line):
    first = place(user, key="double-submit-1")
    CartItemFactory(cart=cart_line.cart, product=ProductFactory(stock=3))
    second = place(user, key="double-submit-1")
    assert second.id == first.id
    assert Order.objects.count() == 1


def test_order_place_with_another_users_key_is_refused(user, other_user, cart_line):
    OrderFactory(user=other_user, idempotency_key="someone-elses-key")
    with pytest.raises(ValidationError, match="no longer valid"):
        place(user, key="someone-elses-key")


def test_order_place_sold_out_line_names_the_product_and_keeps_nothing(user, cart_line):
    other = ProductFactory(name="Kettle", stock=1)
    CartItemFactory(cart=cart_line.cart, product=other, quantity=1)
    Product.objects.filter(id=other.id).update(stock=0)
    ProductVariant.objects.filter(product_id=other.id).update(stock=0)
    with pytest.raises(services.SoldOut, match="Kettle is sold out"):
        place(user)
    assert not Order.objects.exists()
    assert Product.objects.get(id=cart_line.product_id).stock == 5
    assert CartItem.objects.count() == 2


def test_order_place_refuses_an_empty_cart(user):
    with pytest.raises(ValidationError, match="cart is empty"):
        place(user)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shipping_method": "teleport"}, "shipping option"),
        ({"payment_provider": "iou"}, "payment method"),
        ({"payment_provider": "test_card", "card_number": ""}, "card number"),
        ({"address": None}, "address"),
        ({"address": address_data(city="\x00")}, "control characters"),
        ({"address": address_data(city="x" * 500)}, "at most 100"),
    ],
)
def test_order_place_refuses_bad_input_and_keeps_nothing(user, cart_line, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        place(user, **kwargs)
    assert not Order.objects.exists()
    assert Product.objects.get(id=cart_line.product_id).stock == 5


@pytest.mark.parametrize("key", ["", "short", "bad key with spaces", "x" * 65])
def test_order_place_refuses_malformed_idempotency_keys(user, cart_line, key):
    with pytest.raises(ValidationError):
        place(user, key=key)


def test_order_place_with_a_saved_address_copies_it(user, cart_line):
    address = AddressFactory(user=user, city="Hamburg")
    order = place(user, address=None, address_id=address.id)
    assert order.ship_city == "Hamburg"


def test_order_place_with_another_shoppers_address_is_404(user, other_user, cart_line):
    address = AddressFactory(user=other_user)
    with pytest.raises(Http404):
        place(user, address=None, address_id=address.id)
    assert not Order.objects.exists()


def test_order_place_can_save_the_new_address(user, cart_line):
    place(user, save_address=True)
    assert list(user.addresses.values_list("city", "is_default")) == [("Berlin", True)]


def test_order_place_notifies_and_shares_on_commit(
    user, cart_line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(user, share_to_followers=True)
    assert Notification.objects.filter(recipient=user, kind="order_status").count() == 1
    assert order.share_to_followers is True
    from social.models import Post

    assert Post.objects.filter(order=order, author=user).count() == 1


def test_order_place_without_sharing_makes_no_feed_item(
    user, cart_line, django_capture_on_commit_callbacks
):
    from social.models import Post

    with django_capture_on_commit_callbacks(execute=True):
        place(user, share_to_followers=False)
    assert not Post.objects.exists()


def test_order_cancel_restores_stock_and_records_the_event(user, cart_line):
    order = place(user)
    services.order_cancel(order=order, actor=user)
    product = Product.objects.get(id=cart_line.product_id)
    assert (product.stock, product.sold_count) == (5, 0)
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert list(order.events.values_list("status", flat=True)) == ["placed", "cancelled"]


def test_order_cancel_notifies_back_in_stock_alerts_on_commit(
    user, other_user, django_capture_on_commit_callbacks
):
    from shop.models import StockAlert

    product = ProductFactory(stock=1)
    CartItemFactory(cart__user=user, product=product, quantity=1)
    order = place(user)
    StockAlert.objects.create(user=other_user, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(order=order, actor=user)
    assert StockAlert.objects.get().notified_at is not None


@pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled"])
def test_order_cancel_refuses_after_shipping(user, status):
    order = OrderFactory(user=user, status=status)
    with pytest.raises(ValidationError, match="can no longer be cancelled"):
        services.order_cancel(order=order, actor=user)


def test_order_set_status_moves_on_and_notifies_the_shopper(user, moderator):
    order = OrderFactory(user=user)
    services.order_set_status(order=order, status="paid", actor=moderator)
    services.order_set_status(order=order, status="shipped", actor=moderator)
    services.order_set_status(order=order, status="delivered", actor=moderator)
    assert order.status == "delivered"
    assert list(order.events.values_list("status", flat=True)) == [
        "placed",
        "paid",
        "shipped",
        "delivered",
    ]
    assert Notification.objects.filter(recipient=user, kind="order_status").count() == 3


@pytest.mark.parametrize(
    ("start", "target"), [("delivered", "shipped"), ("shipped", "paid"), ("placed", "delivered")]
)
def test_order_set_status_refuses_impossible_moves(user, moderator, start, target):
    order = OrderFactory(user=user, status=start)
    with pytest.raises(ValidationError):
        services.order_set_status(order=order, status=target, actor=moderator)
    order.refresh_from_db()
    assert order.status == start


def test_order_set_status_cancelled_restores_stock(user, moderator):
    line = OrderLineFactory(order__user=user, product__stock=2, quantity=3)
    services.order_set_status(order=line.order, status="cancelled", actor=moderator)
    assert Product.objects.get(id=line.product_id).stock == 5
    assert Notification.objects.filter(recipient=user, kind="order_status").count() == 1


def test_order_create_prepaid_makes_a_paid_order_at_the_given_price(user):
    product = ProductFactory(price=Decimal("30.00"), stock=7)
    order = services.order_create_prepaid(
        user=user,
        product_id=product.id,
        quantity=2,
        unit_price=Decimal("22.50"),
        address=address_data(),
        payment_provider="test_card",
        payment_reference="tc-abc",
        idempotency_key="groupbuy-1-user-1",
    )
    assert (order.status, order.total, order.payment_reference) == (
        "paid",
        Decimal("45.00"),
        "tc-abc",
    )
    assert list(order.events.values_list("status", flat=True)) == ["placed", "paid"]
    assert Product.objects.get(id=product.id).stock == 7  # already reserved by the group buy


def test_order_create_prepaid_is_idempotent(user, product):
    kwargs = {
        "user": user,
        "product_id": product.id,
        "quantity": 1,
        "unit_price": Decimal("9.00"),
        "address": address_data(),
        "payment_provider": "cod",
        "payment_reference": "",
        "idempotency_key": "groupbuy-2-user-1",
    }
    assert services.order_create_prepaid(**kwargs).id == services.order_create_prepaid(**kwargs).id
    assert Order.objects.count() == 1


def test_order_access_returns_only_the_shoppers_own_order(user, other_user):
    order = OrderFactory(user=user)
    assert selectors.order_access(user=user, number=order.number) == order
    with pytest.raises(Http404):
        selectors.order_access(user=other_user, number=order.number)


def test_order_timeline_marks_reached_steps(user):
    order = OrderFactory(user=user, status="shipped")
    OrderStatusEvent.objects.create(order=order, status="shipped")
    steps = selectors.order_timeline(order=selectors.order_detail(user=user, number=order.number))
    assert [(s.status, s.done, s.current) for s in steps] == [
        ("placed", True, False),
        ("paid", True, False),  # pay on delivery: skipped, counted as reached
        ("shipped", True, True),
        ("delivered", False, False),
    ]


def test_order_timeline_of_a_cancelled_order_ends_with_cancelled(user):
    order = OrderFactory(user=user, status="cancelled")
    OrderStatusEvent.objects.create(order=order, status="cancelled")
    steps = selectors.order_timeline(order=order)
    assert [s.status for s in steps] == ["placed", "cancelled"]


def test_order_list_for_user_lists_only_own_orders_newest_first(user, other_user):
    older, newer = OrderFactory(user=user), OrderFactory(user=user)
    OrderFactory(user=other_user)
    assert list(selectors.order_list_for_user(user=user)) == [newer, older]


def test_purchased_products_count_placed_orders(user, cart_line):
    place(user)
    assert selectors.user_has_purchased(user_id=user.id, product_id=cart_line.product_id)


def test_order_place_losing_the_idempotency_race_returns_the_winners_order(
    user, cart_line, monkeypatch
):
    from shop.services import orders

    winner = OrderFactory(user=user, idempotency_key="raced-key-01")
    # The early lookup misses (the winner commits just after it), so the insert hits the unique key.
    monkeypatch.setattr(orders, "_existing_order", lambda **kwargs: None)
    assert place(user, key="raced-key-01") == winner
    assert Product.objects.get(id=cart_line.product_id).stock == 5
    assert CartItem.objects.get().quantity == 2


def test_order_placement_says_whether_the_key_placed_a_new_order(user, cart_line):
    first = services.order_placement(
        user=user, idempotency_key="key-00000009", address=address_data()
    )
    again = services.order_placement(
        user=user, idempotency_key="key-00000009", address=address_data()
    )
    assert (first.created, again.created) == (True, False)
    assert again.order == first.order
