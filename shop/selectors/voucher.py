"""Voucher reads: finding a code, checking it against a cart and pricing it (rule 2 of shop.selectors.pricing).

Every refusal is a `ServiceError` on the `code` field with its own code and message, so the cart form, the
checkout and the API say the same thing: unknown, not yours, not yet valid, expired, used up, already used by
you, not applicable to these items, minimum spend not met.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, Sum, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.errors import ServiceError
from shop.models import Cart, CartVoucher, Product, Voucher, VoucherRedemption
from shop.selectors.pricing import CENT, discount_share

__all__ = [
    "PricedLine",
    "VoucherQuote",
    "VoucherUsage",
    "voucher_check",
    "voucher_for_cart",
    "voucher_get_for_code",
    "voucher_list_for_user",
    "voucher_usage",
]


@dataclass(frozen=True)
class PricedLine:
    """A cart line as the voucher sees it: its product, its variant and its total at the promoted price."""

    product_id: int
    line_total: Decimal
    variant_id: int | None = None


@dataclass(frozen=True)
class VoucherQuote:
    """A voucher that applies: the order's discount and each line's share (aligned with the lines given)."""

    voucher: Voucher
    code: str
    discount: Decimal
    line_discounts: tuple[Decimal, ...] = field(default_factory=tuple)
    free_shipping: bool = False
    # Which lines the voucher's scope covers (aligned with the lines given), whatever their share.
    line_in_scope: tuple[bool, ...] = field(default_factory=tuple)


def _refuse(message: str, code: str, status: int = 400) -> ServiceError:
    return ServiceError(message, field="code", code=code, status=status)


def voucher_get_for_code(*, code: object) -> Voucher:
    """The active voucher with this code (case and surrounding spaces ignored); ServiceError otherwise."""
    text = str(code or "").strip().upper()
    if not text:
        raise _refuse(_("Enter a voucher code."), "voucher_required")
    voucher = Voucher.objects.filter(code=text[:32], is_active=True).first() if text else None
    if voucher is None or len(text) > 32:
        raise _refuse(_("There is no voucher with this code."), "voucher_unknown")
    return voucher


def voucher_for_cart(*, cart: Cart | None) -> Voucher | None:
    """The voucher this cart carries, if any (at most one query)."""
    if cart is None or cart.pk is None:
        return None
    try:  # no query when the cart came from `cart_for` (select_related)
        return cart.voucher_entry.voucher
    except CartVoucher.DoesNotExist:
        return None


def _scope_ids(voucher: Voucher) -> tuple[set[int], set[int], set[int]]:
    """The voucher's listed products, categories and variants in one query (a UNION of the three link tables),
    so a cart costs the same whatever the code's scope."""
    links = (
        Voucher.products.through.objects.filter(voucher_id=voucher.id)
        .values_list(Value(0, output_field=IntegerField()), "product_id")
        .union(
            Voucher.categories.through.objects.filter(voucher_id=voucher.id).values_list(
                Value(1, output_field=IntegerField()), "category_id"
            ),
            Voucher.variants.through.objects.filter(voucher_id=voucher.id).values_list(
                Value(2, output_field=IntegerField()), "productvariant_id"
            ),
            all=True,
        )
    )
    found: tuple[set[int], set[int], set[int]] = (set(), set(), set())
    for scope, pk in links:
        found[scope].add(pk)
    return found


def _in_scope(voucher: Voucher, lines: Sequence[PricedLine]) -> list[bool]:
    """Which lines the voucher covers: all without a scope, else a line whose product, category (or a parent)
    or variant is listed (the scopes add up)."""
    product_ids, root_ids, variant_ids = _scope_ids(voucher)
    if not product_ids and not root_ids and not variant_ids:
        return [True for _line in lines]
    category_ids: set[int] = set()
    if root_ids:
        from shop.selectors.categories import category_subtree_ids

        for root_id in root_ids:
            category_ids.update(category_subtree_ids(category_id=root_id))
    product_categories = dict(
        Product.objects.filter(id__in={line.product_id for line in lines}).values_list(
            "id", "category_id"
        )
    )
    return [
        line.product_id in product_ids
        or product_categories.get(line.product_id) in category_ids
        or (line.variant_id is not None and line.variant_id in variant_ids)
        for line in lines
    ]


def _when(moment: datetime) -> str:
    # Digits only: a localised format may end in "a.m.", which reads badly before the sentence's full stop.
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def voucher_check(
    *,
    voucher: Voucher,
    user_id: int | None,
    lines: Sequence[PricedLine],
    now: datetime | None = None,
) -> VoucherQuote:
    """Price `voucher` for these lines and this shopper, or raise the refusal that applies (first match):
    not yours, not yet valid, expired, used up, already used by you, not applicable, minimum not met."""
    now = now or timezone.now()
    if not voucher.is_active:
        raise _refuse(_("There is no voucher with this code."), "voucher_unknown")
    if voucher.user_id is not None and voucher.user_id != user_id:
        if user_id is None:
            raise _refuse(_("Sign in to use this personal code."), "voucher_sign_in", 403)
        raise _refuse(_("This code belongs to another shopper."), "voucher_not_yours", 403)
    if voucher.starts_at and now < voucher.starts_at:
        raise _refuse(
            _("This code is valid from %(when)s.") % {"when": _when(voucher.starts_at)},
            "voucher_not_yet_valid",
        )
    if voucher.ends_at and now >= voucher.ends_at:
        raise _refuse(
            _("This code expired on %(when)s.") % {"when": _when(voucher.ends_at)},
            "voucher_expired",
        )
    if voucher.max_uses is not None and voucher.used_count >= voucher.max_uses:
        raise _refuse(_("This code has been used up."), "voucher_used_up", 409)
    if user_id is not None:
        used = VoucherRedemption.objects.filter(voucher_id=voucher.id, user_id=user_id).count()
        if used >= voucher.max_uses_per_user:
            raise _refuse(_("You have already used this code."), "voucher_already_used", 409)
    scope = _in_scope(voucher, lines)
    eligible = [line.line_total for line, hit in zip(lines, scope, strict=True) if hit]
    if not eligible:
        raise _refuse(
            _("This code does not apply to the items in your cart."), "voucher_not_applicable"
        )
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    if subtotal < voucher.min_spend:
        raise _refuse(
            _("Spend at least %(amount)s to use this code (%(missing)s more).")
            % {"amount": voucher.min_spend, "missing": (voucher.min_spend - subtotal)},
            "voucher_min_spend",
        )
    eligible_total = sum(eligible, Decimal("0.00"))
    if voucher.kind == Voucher.Kind.PERCENT:
        discount = (eligible_total * voucher.value / Decimal(100)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    elif voucher.kind == Voucher.Kind.FIXED:
        discount = min(voucher.value, eligible_total).quantize(CENT)
    else:
        discount = Decimal("0.00")
    weights = [
        line.line_total if hit else Decimal(0) for line, hit in zip(lines, scope, strict=True)
    ]
    return VoucherQuote(
        voucher=voucher,
        code=voucher.code,
        discount=discount,
        line_discounts=tuple(discount_share(total=discount, weights=weights)),
        free_shipping=voucher.kind == Voucher.Kind.FREE_SHIPPING,
        line_in_scope=tuple(scope),
    )


def voucher_list_for_user(*, user_id: int) -> list[Voucher]:
    """Personal vouchers of a shopper that have not ended (the account page lists them)."""
    now = timezone.now()
    return list(
        Voucher.objects.filter(user_id=user_id, is_active=True)
        .exclude(ends_at__lte=now)
        .order_by("ends_at", "id")
    )


@dataclass(frozen=True)
class VoucherUsage:
    """What a code did: how often it was used, what it gave (goods discount plus shipping waived), on how many
    orders (one use per order, so `orders` equals `times_used` unless orders were erased since)."""

    times_used: int = 0
    discount_given: Decimal = Decimal("0.00")
    orders: int = 0


def voucher_usage(*, voucher_ids: Sequence[int]) -> dict[int, VoucherUsage]:
    """Usage figures per voucher id, from its redemptions (one query for all; unused codes get zeros)."""
    rows = (
        VoucherRedemption.objects.filter(voucher_id__in=list(voucher_ids))
        .values("voucher_id")
        .annotate(uses=Count("id"), given=Sum("amount"), orders=Count("order_id", distinct=True))
        .order_by()
    )
    usage = {voucher_id: VoucherUsage() for voucher_id in voucher_ids}
    for row in rows:
        usage[row["voucher_id"]] = VoucherUsage(
            times_used=row["uses"],
            discount_given=row["given"] or Decimal("0.00"),
            orders=row["orders"],
        )
    return usage
