"""Voucher writes: putting a code on a cart, taking it off, and redeeming it when the order is placed.

`voucher_redeem` runs inside `order_place`'s transaction. The total limit is one conditional
`UPDATE voucher SET used_count = used_count + 1 WHERE id = ... AND used_count < max_uses` (PostgreSQL re-checks
the condition after a concurrent update commits, and a check constraint backs it), so 20 shoppers racing for a
5-use code give exactly 5 redemptions; the per-shopper limit is the unique (voucher, user, sequence) of
`VoucherRedemption`. A refusal raises the same `ServiceError` as the cart check and rolls the order back.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from common.errors import ServiceError
from shop.models import Cart, CartVoucher, Order, User, Voucher, VoucherRedemption
from shop.selectors.commerce import cart_view
from shop.selectors.voucher import PricedLine, VoucherQuote, voucher_check, voucher_get_for_code

__all__ = ["voucher_apply", "voucher_redeem", "voucher_remove"]


def voucher_apply(*, cart: Cart, code: object) -> VoucherQuote:
    """Check `code` against the cart now and put it on the cart (replacing another code); raises the refusal."""
    voucher = voucher_get_for_code(code=code)
    view = cart_view(cart=cart)
    if view.is_empty:
        raise ServiceError(
            _("Add something to your cart before entering a code."),
            field="code",
            code="empty_cart",
        )
    # Checked before it is stored: a refused code never replaces the one the cart carries.
    quote = voucher_check(
        voucher=voucher,
        user_id=cart.user_id,
        lines=[
            PricedLine(line.product_id, line.line_total, line.variant_id) for line in view.lines
        ],
    )
    # By id: the cart instance keeps no cached entry that a later read in this request would trust.
    CartVoucher.objects.update_or_create(cart_id=cart.pk, defaults={"voucher": voucher})
    return quote


def voucher_remove(*, cart: Cart) -> None:
    CartVoucher.objects.filter(cart=cart).delete()


def voucher_redeem(
    *, order: Order, quote: VoucherQuote, user: User, shipping_saved: Decimal = Decimal("0.00")
) -> VoucherRedemption:
    """Take one use of the quoted voucher for `order` (inside the order's transaction). The redemption records
    what the code saved: the goods discount plus the shipping a free-shipping code waived."""
    voucher = quote.voucher
    taken = Voucher.objects.filter(
        Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses")),
        id=voucher.id,
        is_active=True,
    ).update(used_count=F("used_count") + 1)
    if not taken:
        raise ServiceError(
            _("This code has been used up."), field="code", code="voucher_used_up", status=409
        )
    sequence = VoucherRedemption.objects.filter(voucher_id=voucher.id, user_id=user.id).count() + 1
    if sequence > voucher.max_uses_per_user:
        raise ServiceError(
            _("You have already used this code."),
            field="code",
            code="voucher_already_used",
            status=409,
        )
    try:
        with transaction.atomic():
            redemption = VoucherRedemption.objects.create(
                voucher=voucher,
                user=user,
                order=order,
                sequence=sequence,
                amount=quote.discount + shipping_saved,
            )
    except IntegrityError:  # a parallel checkout of this shopper took the same use
        raise ServiceError(
            _("You have already used this code."),
            field="code",
            code="voucher_already_used",
            status=409,
        ) from None
    CartVoucher.objects.filter(cart__user_id=user.id).delete()
    return redemption
