"""Voucher writes: the rules a voucher must meet (one home: admin, the staff API and forms call
`voucher_validate` / `voucher_save`), deactivating it, putting a code on a cart, taking it off, and redeeming it
when the order is placed.

`voucher_redeem` runs inside `order_place`'s transaction. The total limit is one conditional
`UPDATE voucher SET used_count = used_count + 1 WHERE id = ... AND used_count < max_uses` (PostgreSQL re-checks
the condition after a concurrent update commits, and a check constraint backs it), so 20 shoppers racing for a
5-use code give exactly 5 redemptions; the per-shopper limit is the unique (voucher, user, sequence) of
`VoucherRedemption`. A refusal raises the same `ServiceError` as the cart check and rolls the order back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from common.errors import ServiceError
from shop.models import Cart, CartVoucher, Order, User, Voucher, VoucherRedemption
from shop.selectors.commerce import cart_view
from shop.selectors.voucher import PricedLine, VoucherQuote, voucher_check, voucher_get_for_code
from shop.services.promotion import scope_errors, window_errors

__all__ = [
    "VoucherData",
    "voucher_apply",
    "voucher_deactivate",
    "voucher_redeem",
    "voucher_remove",
    "voucher_save",
    "voucher_validate",
]

_CODE = re.compile(r"^[A-Z0-9_-]{1,32}$")


@dataclass(frozen=True)
class VoucherData:
    """Everything a voucher is made of, as plain values (what admin, the API and forms hand the service)."""

    code: str
    kind: str = Voucher.Kind.PERCENT
    value: Decimal = Decimal("0.00")
    description: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    min_spend: Decimal = Decimal("0.00")
    max_uses: int | None = None
    max_uses_per_user: int = 1
    user_id: int | None = None
    is_active: bool = True
    product_ids: tuple[int, ...] = field(default_factory=tuple)
    category_ids: tuple[int, ...] = field(default_factory=tuple)
    variant_ids: tuple[int, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, voucher: Voucher) -> VoucherData:
        """The stored voucher's values (an update starts from these)."""
        return cls(
            code=voucher.code,
            kind=voucher.kind,
            value=voucher.value,
            description=voucher.description,
            starts_at=voucher.starts_at,
            ends_at=voucher.ends_at,
            min_spend=voucher.min_spend,
            max_uses=voucher.max_uses,
            max_uses_per_user=voucher.max_uses_per_user,
            user_id=voucher.user_id,
            is_active=voucher.is_active,
            product_ids=tuple(row.pk for row in voucher.products.all()),
            category_ids=tuple(row.pk for row in voucher.categories.all()),
            variant_ids=tuple(row.pk for row in voucher.variants.all()),
        )


def voucher_validate(*, data: VoucherData, voucher: Voucher | None = None) -> None:
    """Raise a `ValidationError` naming every field that breaks a rule: a unique code of letters, digits, - and
    _; a known kind; a percentage above 0 and at most 100, a fixed amount above 0; a window that ends after it
    starts; a minimum spend of 0 or more; limits of at least 1 and a total limit not below the uses so far; an
    existing shopper; a scope of existing products, categories and variants. `voucher` is the one being changed."""
    errors: dict[str, list[str]] = {}
    code = data.code.strip().upper()
    if not _CODE.match(code):
        errors["code"] = [_("Use 1 to 32 letters, digits, - or _ for the code.")]
    elif (
        Voucher.objects.filter(code=code)
        .exclude(pk=voucher.pk if voucher and voucher.pk else 0)
        .exists()
    ):
        errors["code"] = [_("Another voucher has this code.")]
    if data.kind not in Voucher.Kind.values:
        errors["kind"] = [_("Choose percentage, fixed amount or free shipping.")]
    elif data.kind == Voucher.Kind.PERCENT and not Decimal(0) < data.value <= Decimal(100):
        errors["value"] = [_("A percentage must be above 0 and at most 100.")]
    elif data.kind == Voucher.Kind.FIXED and data.value <= 0:
        errors["value"] = [_("A fixed amount must be above 0.")]
    elif data.value < 0:
        errors["value"] = [_("The value cannot be negative.")]
    errors.update(window_errors(starts_at=data.starts_at, ends_at=data.ends_at))
    if data.min_spend < 0:
        errors["min_spend"] = [_("The minimum spend cannot be negative.")]
    used = voucher.used_count if voucher else 0
    if data.max_uses is not None and data.max_uses < max(used, 1):
        errors["max_uses"] = [
            _("The total limit must be at least %(used)d (the uses so far).")
            % {"used": max(used, 1)}
        ]
    if data.max_uses_per_user < 1:
        errors["max_uses_per_user"] = [_("A shopper must be allowed at least 1 use.")]
    if data.user_id is not None and not User.objects.filter(pk=data.user_id).exists():
        errors["user_id"] = [_("There is no shopper with id %(id)s.") % {"id": data.user_id}]
    errors.update(
        scope_errors(
            product_ids=data.product_ids,
            category_ids=data.category_ids,
            variant_ids=data.variant_ids,
        )
    )
    if errors:
        raise ValidationError(errors)


def voucher_save(*, data: VoucherData, voucher: Voucher | None = None) -> Voucher:
    """Create (or update) a voucher after `voucher_validate`; all of it is stored or nothing. Its uses so far
    are never changed here."""
    voucher_validate(data=data, voucher=voucher)
    voucher = voucher or Voucher()
    try:
        with transaction.atomic():
            voucher.code = data.code.strip().upper()
            voucher.kind = data.kind
            voucher.value = (
                Decimal("0.00") if data.kind == Voucher.Kind.FREE_SHIPPING else data.value
            )
            voucher.description = data.description.strip()
            voucher.starts_at = data.starts_at
            voucher.ends_at = data.ends_at
            voucher.min_spend = data.min_spend
            voucher.max_uses = data.max_uses
            voucher.max_uses_per_user = data.max_uses_per_user
            voucher.user_id = data.user_id
            voucher.is_active = data.is_active
            voucher.save()
            voucher.products.set(data.product_ids)
            voucher.categories.set(data.category_ids)
            voucher.variants.set(data.variant_ids)
    except IntegrityError:
        # A parallel save took the code, or uses were taken meanwhile past the new limit.
        raise ValidationError(
            {"code": [_("The voucher changed meanwhile (its code or its uses); try again.")]}
        ) from None
    return voucher


def voucher_deactivate(*, voucher: Voucher) -> Voucher:
    """Stop a code now: it is refused from then on, carts carrying it say so; kept for its figures."""
    if voucher.is_active:
        voucher.is_active = False
        voucher.save(update_fields=["is_active"])
    return voucher


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
    if VoucherRedemption.objects.filter(order_id=order.pk).exists():
        # One code per order: a second redemption (the same code again, or another) takes no use.
        raise ServiceError(
            _("This order already has a voucher."),
            field="code",
            code="voucher_one_per_order",
            status=409,
        )
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
