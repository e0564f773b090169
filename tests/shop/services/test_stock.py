import pytest

from shop.models import Product
from shop.services import stock_decrement, stock_restore

pytestmark = pytest.mark.django_db


def test_stock_decrement_takes_units_when_enough_are_left(product):
    assert stock_decrement(product_id=product.id, quantity=4) is True
    assert Product.objects.get(id=product.id).stock == 6


def test_stock_decrement_refuses_more_than_is_left_and_changes_nothing(product):
    assert stock_decrement(product_id=product.id, quantity=11) is False
    assert Product.objects.get(id=product.id).stock == 10


def test_stock_restore_gives_units_back(product):
    stock_restore(product_id=product.id, quantity=3)
    assert Product.objects.get(id=product.id).stock == 13
