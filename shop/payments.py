"""Payment providers behind one small interface, as the checkout and group buys see them.

`get_provider(name)` returns a provider; `provider.authorise(amount=..., card_number=..., reference=...)` answers
with a `PaymentResult` and never raises for a declined or invalid card. Two providers ship:

- `cod`: pay on delivery. Always approved; money changes hands at the door.
- `test_card`: a payment test mode. Card 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines; every other
  number is invalid. Spaces and dashes in the number are allowed.

A real gateway would be one more class with the same two methods.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "PaymentProvider",
    "PaymentResult",
    "CashOnDelivery",
    "TestCardProvider",
    "get_provider",
    "provider_choices",
    "DEFAULT_PROVIDER",
    "TEST_CARD_APPROVE",
    "TEST_CARD_DECLINE",
]

TEST_CARD_APPROVE = "4242424242424242"
TEST_CARD_DECLINE = "4000000000000002"
DEFAULT_PROVIDER = "cod"


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
    reference: str
    message: str
    # "approved", "declined" (the bank said no) or "invalid" (the number itself is wrong).
    code: str = "approved"


class PaymentProvider:
    name: str = ""
    label = gettext_lazy("Payment")
    requires_card: bool = False
    # True when an approved authorisation means the order is paid now (cards), not on delivery.
    pays_immediately: bool = False

    def authorise(self, *, amount: Decimal, card_number: str = "", reference: str) -> PaymentResult:
        raise NotImplementedError

    def void(self, reference: str) -> None:
        """Release an authorisation (an order that was not kept, a cancellation)."""


class CashOnDelivery(PaymentProvider):
    name = "cod"
    label = gettext_lazy("Pay on delivery")

    def authorise(self, *, amount: Decimal, card_number: str = "", reference: str) -> PaymentResult:
        return PaymentResult(
            approved=True, reference=f"cod-{reference}", message=_("Pay on delivery.")
        )


def normalise_card_number(card_number: str) -> str:
    return "".join(ch for ch in (card_number or "") if ch not in " -")


class TestCardProvider(PaymentProvider):
    name = "test_card"
    label = gettext_lazy("Card (test mode)")
    requires_card = True
    pays_immediately = True
    __test__ = False  # not a pytest test class

    def authorise(self, *, amount: Decimal, card_number: str = "", reference: str) -> PaymentResult:
        number = normalise_card_number(card_number)
        if number == TEST_CARD_APPROVE:
            return PaymentResult(
                approved=True,
                reference=f"tc-{secrets.token_hex(8)}",
                message=_("Payment approved."),
            )
        if number == TEST_CARD_DECLINE:
            return PaymentResult(
                approved=False,
                reference="",
                message=_("Your card was declined. No money was taken; try another card."),
                code="declined",
            )
        return PaymentResult(
            approved=False,
            reference="",
            message=_("The card number is not valid. Check it and try again."),
            code="invalid",
        )


_PROVIDERS: dict[str, PaymentProvider] = {
    provider.name: provider for provider in (CashOnDelivery(), TestCardProvider())
}


def get_provider(name: str) -> PaymentProvider:
    """The provider called `name`; KeyError for an unknown name."""
    return _PROVIDERS[name]


def provider_choices() -> list[tuple[str, str]]:
    return [(name, provider.label) for name, provider in _PROVIDERS.items()]
