import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from shop import selectors, services
from shop.models import Cart, CartItem, ProductEvent
from tests.factories import ProductFactory
from tests.factories.commerce import CartFactory, CartItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def test_cart_add_item_creates_a_line(user, product):
    cart = services.cart_get_or_create(user=user)
    services.cart_add_item(cart=cart, product_id=product.id, quantity=2)
    assert list(cart.items.values_list("product_id", "quantity")) == [(product.id, 2)]


def test_cart_add_item_adds_to_an_existing_line(user, product):
    cart = services.cart_get_or_create(user=user)
    services.cart_add_item(cart=cart, product_id=product.id, quantity=2)
    services.cart_add_item(cart=cart, product_id=product.id, quantity=3)
    assert cart.items.get().quantity == 5


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "abc", "2", 10**9, True, None])
def test_cart_add_item_refuses_bad_quantities_and_changes_nothing(user, product, quantity):
    cart = services.cart_get_or_create(user=user)
    with pytest.raises(ValidationError):
        services.cart_add_item(cart=cart, product_id=product.id, quantity=quantity)
    assert not CartItem.objects.exists()


def test_cart_add_item_refuses_more_than_in_stock(user):
    product = ProductFactory(stock=3, name="Teapot")
    cart = services.cart_get_or_create(user=user)
    with pytest.raises(ValidationError, match="Only 3 of Teapot left"):
        services.cart_add_item(cart=cart, product_id=product.id, quantity=4)


def test_cart_add_item_counts_what_the_cart_already_holds_against_stock(user):
    product = ProductFactory(stock=3)
    cart = services.cart_get_or_create(user=user)
    services.cart_add_item(cart=cart, product_id=product.id, quantity=2)
    with pytest.raises(ValidationError):
        services.cart_add_item(cart=cart, product_id=product.id, quantity=2)
    assert cart.items.get().quantity == 2


def test_cart_add_item_refuses_above_the_line_limit(user, settings):
    settings.SHOP_MAX_LINE_QUANTITY = 5
    product = ProductFactory(stock=100)
    cart = services.cart_get_or_create(user=user)
    with pytest.raises(ValidationError, match="at most 5"):
        services.cart_add_item(cart=cart, product_id=product.id, quantity=6)


def test_cart_add_item_refuses_a_sold_out_product(user):
    product = ProductFactory(stock=0, name="Lamp")
    cart = services.cart_get_or_create(user=user)
    with pytest.raises(ValidationError, match="Lamp is sold out"):
        services.cart_add_item(cart=cart, product_id=product.id, quantity=1)


@pytest.mark.parametrize("product_id", [999999, "abc", None])
def test_cart_add_item_refuses_unknown_products(user, product_id):
    cart = services.cart_get_or_create(user=user)
    with pytest.raises(ValidationError, match="not available"):
        services.cart_add_item(cart=cart, product_id=product_id, quantity=1)


def test_cart_add_item_refuses_inactive_products(user):
    product = ProductFactory(is_active=False)
    cart = services.cart_get_or_create(user=user)
    with pytest.raises(ValidationError, match="not available"):
        services.cart_add_item(cart=cart, product_id=product.id, quantity=1)


def test_cart_add_item_records_a_cart_event(user, product):
    if not hasattr(services, "product_event_record"):
        pytest.fail("shop.services.product_event_record is part of the contract")
    cart = services.cart_get_or_create(user=user)
    services.cart_add_item(cart=cart, product_id=product.id, quantity=1, user_id=user.id)
    assert ProductEvent.objects.filter(user=user, product=product, kind="cart").count() == 1


def test_cart_set_quantity_changes_the_line(user, product):
    item = CartItemFactory(cart__user=user, product=product, quantity=1)
    services.cart_set_quantity(cart=item.cart, product_id=product.id, quantity=4)
    item.refresh_from_db()
    assert item.quantity == 4


@pytest.mark.parametrize("quantity", [0, -1, 11, 10**9])
def test_cart_set_quantity_refuses_bad_quantities(user, product, quantity):
    item = CartItemFactory(cart__user=user, product=product, quantity=2)
    with pytest.raises(ValidationError):
        services.cart_set_quantity(cart=item.cart, product_id=product.id, quantity=quantity)
    item.refresh_from_db()
    assert item.quantity == 2


def test_cart_set_quantity_of_a_product_not_in_the_cart_is_404(user, product):
    cart = CartFactory(user=user)
    with pytest.raises(Http404):
        services.cart_set_quantity(cart=cart, product_id=product.id, quantity=1)


def test_cart_remove_item_deletes_the_line(user, product):
    item = CartItemFactory(cart__user=user, product=product)
    services.cart_remove_item(cart=item.cart, product_id=product.id)
    assert not CartItem.objects.exists()


def test_cart_merge_moves_session_items_into_the_account_cart(user):
    mug, plate = ProductFactory(stock=10), ProductFactory(stock=10)
    session_cart = Cart.objects.create(session_key="s" * 32)
    CartItem.objects.create(
        cart=session_cart, product=mug, variant=mug.variants.first(), quantity=2
    )
    CartItem.objects.create(
        cart=session_cart, product=plate, variant=plate.variants.first(), quantity=1
    )
    account_cart = CartFactory(user=user)
    CartItem.objects.create(
        cart=account_cart, product=mug, variant=mug.variants.first(), quantity=3
    )

    services.cart_merge(user=user, session_key="s" * 32)

    assert dict(account_cart.items.values_list("product_id", "quantity")) == {
        mug.id: 5,
        plate.id: 1,
    }
    assert not Cart.objects.filter(session_key="s" * 32).exists()


def test_cart_merge_caps_quantities_at_stock(user):
    product = ProductFactory(stock=4)
    session_cart = Cart.objects.create(session_key="k" * 32)
    CartItem.objects.create(
        cart=session_cart, product=product, variant=product.variants.first(), quantity=3
    )
    CartItem.objects.create(
        cart=CartFactory(user=user), product=product, variant=product.variants.first(), quantity=3
    )
    services.cart_merge(user=user, session_key="k" * 32)
    assert CartItem.objects.get(cart__user=user).quantity == 4


def test_cart_merge_adopts_the_session_cart_when_the_account_has_none(user, product):
    session_cart = Cart.objects.create(session_key="a" * 32)
    CartItem.objects.create(
        cart=session_cart, product=product, variant=product.variants.first(), quantity=2
    )
    services.cart_merge(user=user, session_key="a" * 32)
    session_cart.refresh_from_db()
    assert (session_cart.user_id, session_cart.session_key) == (user.id, None)


def test_cart_item_count_sums_quantities_in_one_query(user, django_assert_num_queries):
    cart = CartFactory(user=user)
    CartItemFactory(cart=cart, quantity=2)
    CartItemFactory(cart=cart, quantity=3)
    with django_assert_num_queries(1):
        assert selectors.cart_item_count(user=user) == 5


def test_cart_item_count_without_session_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.cart_item_count(user=None, session_key=None) == 0
