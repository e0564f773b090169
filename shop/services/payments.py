"""Payments: the one home for authorising and voiding a payment, used by the checkout and by group buys.

`payment_authorise(...)` checks the method and card, asks the provider and raises `PaymentFailed` for a declined
or invalid card; `payment_void(...)` releases an authorisation and never raises (an authorisation that cannot be
voided now expires at the bank; it is logged for reconciliation). Behind them, `get_provider(name)` returns a
provider whose `authorise(amount=..., card_number=..., reference=...)` answers with a `PaymentResult`. Two
providers ship:

- `cod`: pay on delivery. Always approved; money changes hands at the door.
- `test_card`: a payment test mode. Card 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines; every other
  number is invalid. Spaces and dashes in the number are allowed.

Refunds: `payment_refund(...)` gives money back for an order through its provider with an idempotency key (the
same key never refunds twice at the provider); the test-card provider refunds, pay-on-delivery answers with a
manual refund (the money goes back by hand; the row records it).

A real gateway would be one more class with the same three methods.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ServiceError

__all__ = [
    "PaymentAuthorisation",
    "PaymentFailed",
    "RefundResult",
    "payment_refund",
    "payment_authorise",
    "payment_method_check",
    "payment_void",
    "payment_void_on_commit",
    "normalise_card_number",
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

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
    reference: str
    message: str
    # "approved", "declined" (the bank said no) or "invalid" (the number itself is wrong).
    code: str = "approved"


@dataclass(frozen=True)
class RefundResult:
    """A refund the provider accepted: its reference, and whether someone must pay it back by hand."""

    reference: str
    manual: bool = False


class PaymentProvider:
    name: str = ""
    label: str | Promise = gettext_lazy("Payment")
    requires_card: bool = False
    # True when an approved authorisation means the order is paid now (cards), not on delivery.
    pays_immediately: bool = False

    def authorise(self, *, amount: Decimal, card_number: str = "", reference: str) -> PaymentResult:
        raise NotImplementedError

    def void(self, reference: str) -> None:
        """Release an authorisation (an order that was not kept, a cancellation)."""

    def refund(self, *, reference: str, amount: Decimal, idempotency_key: str) -> RefundResult:
        """Give `amount` back on the payment `reference`; the same `idempotency_key` refunds once."""
        raise NotImplementedError


class CashOnDelivery(PaymentProvider):
    name = "cod"
    label = gettext_lazy("Pay on delivery")

    def authorise(self, *, amount: Decimal, card_number: str = "", reference: str) -> PaymentResult:
        return PaymentResult(
            approved=True, reference=f"cod-{reference}", message=_("Pay on delivery.")
        )

    def refund(self, *, reference: str, amount: Decimal, idempotency_key: str) -> RefundResult:
        # Cash was paid at the door: staff pay it back by hand; this records that they must.
        return RefundResult(reference=f"manual-{idempotency_key}"[:64], manual=True)


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

    def refund(self, *, reference: str, amount: Decimal, idempotency_key: str) -> RefundResult:
        if amount <= 0:
            raise ValueError("a refund must be positive")
        # Deterministic per key, like a gateway's idempotency: a retried refund answers the same refund.
        return RefundResult(reference=f"tcr-{idempotency_key}"[:64])


_PROVIDERS: dict[str, PaymentProvider] = {
    provider.name: provider for provider in (CashOnDelivery(), TestCardProvider())
}


def get_provider(name: str) -> PaymentProvider:
    """The provider called `name`; KeyError for an unknown name."""
    return _PROVIDERS[name]


def provider_choices() -> list[tuple[str, str | Promise]]:
    return [(name, provider.label) for name, provider in _PROVIDERS.items()]


class PaymentFailed(ServiceError):
    """The provider refused the card (`code` "declined" or "invalid"); nothing was taken (402 over HTTP)."""

    def __init__(self, result: PaymentResult) -> None:
        self.result = result
        super().__init__(result.message, field="card_number", code=result.code, status=402)


@dataclass(frozen=True)
class PaymentAuthorisation:
    """An approved authorisation: what to store on the order and what to void if it is not kept."""

    provider: str
    reference: str
    # True when the money is taken now (cards), not on delivery.
    pays_immediately: bool
    label: str


def payment_method_check(*, provider: str, card_number: str = "") -> PaymentProvider:
    """The provider called `provider`, checked before any work is done.

    Raises ValidationError with code "payment_provider" (unknown method) or "card_number" (a card method
    without a card number; spaces and dashes alone are no number).
    """
    try:
        payment_provider = get_provider(provider)
    except KeyError:
        raise ValidationError(_("Choose a payment method."), code="payment_provider") from None
    if payment_provider.requires_card and not normalise_card_number(card_number).strip():
        raise ValidationError(_("Enter your card number."), code="card_number")
    return payment_provider


def payment_authorise(
    *, provider: str, amount: Decimal, card_number: str = "", reference: str
) -> PaymentAuthorisation:
    """Authorise `amount` with `provider`; raises ValidationError (see `payment_method_check`) or PaymentFailed."""
    payment_provider = payment_method_check(provider=provider, card_number=card_number)
    result = payment_provider.authorise(amount=amount, card_number=card_number, reference=reference)
    if not result.approved:
        raise PaymentFailed(result)
    return PaymentAuthorisation(
        provider=payment_provider.name,
        reference=result.reference,
        pays_immediately=payment_provider.pays_immediately,
        label=str(payment_provider.label),
    )


def payment_void(*, provider: str, reference: str) -> None:
    """Release an authorisation (an order not kept, a cancellation, a seat given up). Never raises."""
    if not reference:
        return
    try:
        get_provider(provider).void(reference)
    except KeyError:  # a provider no longer offered: nothing to release through it
        logger.warning("cannot void payment %s: unknown provider %r", reference, provider)
    except Exception:  # noqa: BLE001 - the caller's work is done; log for reconciliation
        logger.exception("could not void payment %s", reference)


def payment_refund(
    *, provider: str, reference: str, amount: Decimal, idempotency_key: str
) -> RefundResult:
    """Refund `amount` of the payment `reference` through `provider` (KeyError for an unknown provider)."""
    return get_provider(provider).refund(
        reference=reference, amount=amount, idempotency_key=idempotency_key
    )


def payment_void_on_commit(*, provider: str, reference: str) -> None:
    """`payment_void` once the current transaction commits (nothing is released if it rolls back)."""
    transaction.on_commit(lambda: payment_void(provider=provider, reference=reference))
