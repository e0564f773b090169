from decimal import Decimal

import pytest
from django.utils import translation

from shop.services import payments


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "number", ["4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242"]
)
def test_test_card_approves_the_approval_number_with_spaces_or_dashes(number):
    result = payments.get_provider("test_card").authorise(
        amount=Decimal("10.00"), card_number=number, reference="SS1"
    )
    assert result.approved is True
    assert result.code == "approved"
    assert result.reference.startswith("tc-")


def test_test_card_declines_the_decline_number():
    result = payments.get_provider("test_card").authorise(
        amount=Decimal("10.00"), card_number="4000 0000 0000 0002", reference="SS1"
    )
    assert (result.approved, result.code, result.reference) == (False, "declined", "")
    assert "declined" in result.message


@pytest.mark.parametrize("number", ["", "1234", "4242424242424241", "abcd"])
def test_test_card_calls_other_numbers_invalid(number):
    result = payments.get_provider("test_card").authorise(
        amount=Decimal("10.00"), card_number=number, reference="SS1"
    )
    assert (result.approved, result.code) == (False, "invalid")


def test_cash_on_delivery_always_approves():
    result = payments.get_provider("cod").authorise(amount=Decimal("1.00"), reference="SS9")
    assert (result.approved, result.reference) == (True, "cod-SS9")


def test_unknown_provider_is_a_key_error():
    with pytest.raises(KeyError):
        payments.get_provider("bitcoin")


def test_provider_choices_list_cod_first():
    assert [code for code, _label in payments.provider_choices()] == ["cod", "test_card"]
