"""Group buying ("shop together"): open, join, leave, complete, expire.

Concurrency rule: a seat is taken by one conditional UPDATE (`member_count < target_size AND status = 'open'
AND deadline > now`) that also flips the group to `full` when it takes the last seat, and stock is reserved with
`shop.services.stock_decrement` (also a conditional UPDATE) in the same transaction. So concurrent joins can never
overfill a group or oversell the product, on PostgreSQL and on SQLite alike, and no lock is held while the payment
provider is asked: the authorisation happens first and is voided when the seat or the stock is not there.
Expiry and leaving use the same kind of guarded UPDATE on the group row, so they cannot race with a join.
Orders are placed (by `group_buy_complete`, run from a task after commit) only once the group is full.

Each member commits to one variant (size/colour) of the group's product: its stock is the one reserved and
restored, and the member's order line is for it. A product with one active variant needs no choice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ServiceError
from shop.models import Product, ProductVariant, User
from shop.selectors import variants_for_products
from shop.services import (
    PaymentFailed,
    address_validate,
    order_create_prepaid,
    payment_authorise,
    payment_void,
    payment_void_on_commit,
    stock_decrement,
    stock_restore,
    variant_default,
)
from shop.services.email import email_queue
from social.models import (
    GROUP_BUY_MAX_SIZE,
    GROUP_BUY_MIN_SIZE,
    Follow,
    GroupBuy,
    GroupBuyMember,
    Notification,
)
from social.selectors.moderation import user_is_suspended
from social.services.notifications import (
    GROUP_BUY_EXPIRED,
    GROUP_BUY_FORMED,
    notification_create,
)

__all__ = [
    "GroupBuyError",
    "ShippingAddress",
    "group_buy_open",
    "group_buy_join",
    "group_buy_leave",
    "group_buy_complete",
    "group_buy_expire",
    "group_buy_notify_followers",
    "group_buy_release_user",
    "GROUP_BUY_MIN_DURATION",
    "GROUP_BUY_MAX_DURATION",
    "GROUP_BUY_MAX_QUANTITY",
]

logger = logging.getLogger(__name__)

GROUP_BUY_MIN_DURATION = timedelta(hours=1)
GROUP_BUY_MAX_DURATION = timedelta(days=7)
GROUP_BUY_MAX_QUANTITY = 5


class GroupBuyError(ServiceError):
    """A group-buy rule refused the request (the one service error type: `message`, `field`, `code`)."""


@dataclass(frozen=True)
class ShippingAddress:
    full_name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    phone: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "full_name": self.full_name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
            "phone": self.phone,
        }


def _check_address(address: ShippingAddress) -> None:
    """The shop's address rule (`shop.services.address_validate`), so the order can be placed later."""
    try:
        address_validate(data=address.as_dict())
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise GroupBuyError(messages[0], field=name) from None


def _check_can_commit(user) -> None:
    if user_is_suspended(user):
        raise GroupBuyError(_("Your account is suspended."), code="suspended")


def _authorise(
    *, user, amount: Decimal, payment_provider: str, card_number: str, reference: str
) -> str:
    """`shop.services.payment_authorise`, its refusals told as a GroupBuyError on the input at fault."""
    try:
        authorisation = payment_authorise(
            provider=payment_provider, amount=amount, card_number=card_number, reference=reference
        )
    except PaymentFailed as exc:
        raise GroupBuyError(exc.result.message, field="card_number", code=exc.result.code) from None
    except ValidationError as exc:
        raise GroupBuyError(exc.messages[0], field=exc.code) from None
    return authorisation.reference


def _queue_completion(group_id: int) -> None:
    # robust: with the broker down the join still succeeds (the error is logged) and the minute sweep
    # (social.tasks.group_buys_sweep_task) places the orders instead.
    transaction.on_commit(lambda: group_buy_complete_task.delay(group_id), robust=True)


def _notify(*, user_ids, message: str, group: GroupBuy, actor_id: int | None = None) -> None:
    url = reverse("social:groupbuy_detail", kwargs={"pk": group.pk})
    for user_id in user_ids:
        notification_create(
            recipient_id=user_id,
            kind=Notification.Kind.GROUP_BUY,
            message=message,
            url=url,
            actor_id=actor_id,
        )


def group_buy_open(
    *,
    creator: User,
    product: Product,
    target_size: int,
    deadline: datetime,
    address: ShippingAddress,
    payment_provider: str,
    card_number: str = "",
    quantity: int = 1,
    variant_id: int | None = None,
    notify_followers: bool = False,
) -> GroupBuy:
    """Open a group at the product's group price and commit the creator as its first member (with the
    variant `variant_id`; see `group_buy_join`)."""
    _check_can_commit(creator)
    if product.group_price is None or not product.is_active:
        raise GroupBuyError(_("This product has no group price."), field="product")
    if not GROUP_BUY_MIN_SIZE <= target_size <= GROUP_BUY_MAX_SIZE:
        raise GroupBuyError(
            _("The group size must be between %(min)d and %(max)d people.")
            % {"min": GROUP_BUY_MIN_SIZE, "max": GROUP_BUY_MAX_SIZE},
            field="target_size",
        )
    if timezone.is_naive(deadline):
        raise GroupBuyError(_("The deadline needs a time zone."), field="deadline")
    now = timezone.now()
    if deadline <= now:
        raise GroupBuyError(_("The deadline is in the past."), field="deadline")
    if deadline < now + GROUP_BUY_MIN_DURATION or deadline > now + GROUP_BUY_MAX_DURATION:
        raise GroupBuyError(
            _("The deadline must be between 1 hour and 7 days from now."), field="deadline"
        )
    _check_quantity(quantity)
    _check_address(address)
    _variant_for(product=product, variant_id=variant_id)  # refused before the group exists
    with transaction.atomic():
        group = GroupBuy.objects.create(
            product=product,
            creator=creator,
            group_price=product.group_price,
            target_size=target_size,
            deadline=deadline,
        )
        group_buy_join(
            group_id=group.id,
            user=creator,
            address=address,
            payment_provider=payment_provider,
            card_number=card_number,
            quantity=quantity,
            variant_id=variant_id,
            notify=False,
        )
        if notify_followers:
            # robust: with the broker down the group still opens; followers are just not told (logged).
            transaction.on_commit(
                lambda: group_buy_notify_followers_task.delay(group.id), robust=True
            )
    group.refresh_from_db()
    return group


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= GROUP_BUY_MAX_QUANTITY:
        raise GroupBuyError(
            _("You can commit to between 1 and %(max)d units.") % {"max": GROUP_BUY_MAX_QUANTITY},
            field="quantity",
        )


def _variant_for(*, product: Product, variant_id: int | None) -> ProductVariant:
    """The active variant of `product` a member commits to: `variant_id`, else the only one there is."""
    variants = variants_for_products(product_ids=[product.id])[product.id]
    if variant_id is not None:
        chosen = next((variant for variant in variants if variant.id == variant_id), None)
        if chosen is None:
            raise GroupBuyError(
                _(
                    "This option is not available for this product. Choose one of its sizes or colours."
                ),
                field="variant",
                code="variant_invalid",
            )
        return chosen
    if len(variants) > 1:
        raise GroupBuyError(_("Choose a size or colour."), field="variant", code="variant_required")
    # No variant yet (a product from an older import): its default variant is made on first use.
    chosen = variants[0] if variants else variant_default(product_id=product.id)
    if chosen is None:
        raise GroupBuyError(_("Sorry, this product is out of stock."), code="out_of_stock")
    return chosen


def group_buy_join(
    *,
    group_id: int,
    user: User,
    address: ShippingAddress,
    payment_provider: str,
    card_number: str = "",
    quantity: int = 1,
    variant_id: int | None = None,
    notify: bool = True,
) -> GroupBuyMember:
    """Commit `user` to the group: payment authorised, a seat taken, the variant's stock reserved; no order yet.

    `variant_id` is an active variant of the group's product, optional when the product has only one."""
    _check_can_commit(user)
    _check_quantity(quantity)
    _check_address(address)
    group = GroupBuy.objects.select_related("product").filter(id=group_id).first()
    if group is None:
        raise GroupBuyError(_("This group buy does not exist."), code="not_found")
    # Friendly early answers; the guarded UPDATE below is what actually decides.
    _check_joinable(group)
    if GroupBuyMember.objects.filter(
        group_id=group_id, user=user, status=GroupBuyMember.Status.ACTIVE
    ).exists():
        raise GroupBuyError(_("You have already joined this group."), code="already_joined")
    variant = _variant_for(product=group.product, variant_id=variant_id)

    amount = group.group_price * quantity
    reference = _authorise(
        user=user,
        amount=amount,
        payment_provider=payment_provider,
        card_number=card_number,
        reference=f"groupbuy-{group_id}-user-{user.pk}",
    )
    try:
        with transaction.atomic():
            member, filled = _take_seat(
                group=group,
                variant=variant,
                user=user,
                address=address,
                payment_provider=payment_provider,
                reference=reference,
                quantity=quantity,
            )
    except GroupBuyError:
        payment_void(provider=payment_provider, reference=reference)
        raise
    except IntegrityError:
        payment_void(provider=payment_provider, reference=reference)
        raise GroupBuyError(
            _("You have already joined this group."), code="already_joined"
        ) from None

    group.refresh_from_db(fields=["member_count", "status"])
    if filled:
        _queue_completion(group.id)
    if notify:
        others = (
            GroupBuyMember.objects.filter(group_id=group.id, status=GroupBuyMember.Status.ACTIVE)
            .exclude(user=user)
            .values_list("user_id", flat=True)
        )
        _notify(
            user_ids=list(others),
            message=_("%(name)s joined the group for %(product)s: %(count)d of %(size)d.")
            % {
                "name": user.get_username(),
                "product": group.product.name,
                "count": group.member_count,
                "size": group.target_size,
            },
            group=group,
            actor_id=user.pk,
        )
    return member


def _check_joinable(group: GroupBuy) -> None:
    if group.status == GroupBuy.Status.OPEN and group.deadline <= timezone.now():
        raise GroupBuyError(_("This group buy has expired."), code="expired")
    if group.status in (GroupBuy.Status.FULL, GroupBuy.Status.COMPLETED):
        raise GroupBuyError(_("This group is already full."), code="full")
    if group.status == GroupBuy.Status.EXPIRED:
        raise GroupBuyError(_("This group buy has expired."), code="expired")


def _take_seat(
    *,
    group: GroupBuy,
    variant: ProductVariant,
    user,
    address: ShippingAddress,
    payment_provider: str,
    reference: str,
    quantity: int,
) -> tuple[GroupBuyMember, bool]:
    """Inside a transaction: the seat, then the stock, then the member row. Returns (member, filled)."""
    taken = GroupBuy.objects.filter(
        id=group.id,
        status=GroupBuy.Status.OPEN,
        member_count__lt=F("target_size"),
        deadline__gt=timezone.now(),
    ).update(
        member_count=F("member_count") + 1,
        # SET expressions see the row before the update: this is the seat that fills the group.
        status=Case(
            When(member_count=F("target_size") - 1, then=Value(GroupBuy.Status.FULL)),
            default=F("status"),
        ),
    )
    if taken != 1:
        current = GroupBuy.objects.get(id=group.id)
        _check_joinable(current)
        raise GroupBuyError(_("This group is already full."), code="full")
    if not stock_decrement(product_id=group.product_id, quantity=quantity, variant_id=variant.id):
        message = (
            _("Sorry, %(option)s is out of stock.") % {"option": variant.name}
            if variant.name
            else _("Sorry, this product is out of stock.")
        )
        raise GroupBuyError(message, field="variant", code="out_of_stock")
    member = GroupBuyMember.objects.create(
        group=group,
        variant=variant,
        user=user,
        quantity=quantity,
        address=address.as_dict(),
        payment_provider=payment_provider,
        payment_reference=reference,
    )
    status = GroupBuy.objects.values_list("status", flat=True).get(id=group.id)
    return member, status == GroupBuy.Status.FULL


def _release_stock(*, member: GroupBuyMember, product_id: int) -> None:
    """Give a member's reserved units back to the variant they were taken from (the default variant for a row
    from before members chose one)."""
    stock_restore(product_id=product_id, quantity=member.quantity, variant_id=member.variant_id)


def group_buy_leave(*, group_id: int, user) -> GroupBuyMember:
    """Leave an open group: the seat and the reserved stock are released, the authorisation voided."""
    with transaction.atomic():
        member = (
            GroupBuyMember.objects.select_related("group")
            .filter(group_id=group_id, user=user, status=GroupBuyMember.Status.ACTIVE)
            .first()
        )
        if member is None:
            raise GroupBuyError(_("You are not a member of this group."), code="not_member")
        released = GroupBuy.objects.filter(
            id=group_id, status=GroupBuy.Status.OPEN, member_count__gt=0
        ).update(member_count=F("member_count") - 1)
        if released != 1:
            raise GroupBuyError(
                _("This group is no longer open, so you cannot leave it."), code="closed"
            )
        left = GroupBuyMember.objects.filter(
            id=member.id, status=GroupBuyMember.Status.ACTIVE
        ).update(status=GroupBuyMember.Status.LEFT, updated_at=timezone.now())
        if left != 1:
            raise GroupBuyError(_("You are not a member of this group."), code="not_member")
        _release_stock(member=member, product_id=member.group.product_id)
        payment_void_on_commit(provider=member.payment_provider, reference=member.payment_reference)
        group = member.group
        if group.creator_id is not None and group.creator_id != user.pk:
            _notify(
                user_ids=[group.creator_id],
                message=_("%(name)s left your group buy.") % {"name": user.get_username()},
                group=group,
                actor_id=user.pk,
            )
    member.refresh_from_db()
    return member


def group_buy_complete(*, group_id: int) -> GroupBuy | None:
    """Place every member's order at the group price, together. Idempotent: safe to run twice.

    Returns the group when it is (now) completed, None when it is not full.
    """
    with transaction.atomic():
        group = GroupBuy.objects.select_related("product").select_for_update().get(id=group_id)
        if group.status == GroupBuy.Status.COMPLETED:
            return group
        if group.status != GroupBuy.Status.FULL:
            return None
        members = list(
            GroupBuyMember.objects.select_related("user").filter(
                group=group, status=GroupBuyMember.Status.ACTIVE
            )
        )
        for member in members:
            order = order_create_prepaid(
                user=member.user,
                product_id=group.product_id,
                variant_id=member.variant_id,
                quantity=member.quantity,
                unit_price=group.group_price,
                address=member.address,
                payment_provider=member.payment_provider,
                payment_reference=member.payment_reference,
                idempotency_key=f"groupbuy-{group.id}-member-{member.id}",
            )
            member.order = order
            member.status = GroupBuyMember.Status.ORDERED
            member.save(update_fields=["order", "status", "updated_at"])
            email_queue(kind=GROUP_BUY_FORMED, object_id=member.id, recipient_id=member.user_id)
        group.status = GroupBuy.Status.COMPLETED
        group.closed_at = timezone.now()
        group.save(update_fields=["status", "closed_at"])
        for member in members:
            assert member.order is not None  # every member got an order above
            _notify(
                user_ids=[member.user_id],
                message=_(
                    "Your group for %(product)s is complete: order %(number)s placed at %(price)s."
                )
                % {
                    "product": group.product.name,
                    "number": member.order.number,
                    "price": group.group_price,
                },
                group=group,
            )
    return group


def group_buy_expire(*, group_id: int) -> bool:
    """Close an open group whose deadline passed: nobody is charged, stock goes back. Idempotent."""
    with transaction.atomic():
        expired = GroupBuy.objects.filter(
            id=group_id, status=GroupBuy.Status.OPEN, deadline__lte=timezone.now()
        ).update(status=GroupBuy.Status.EXPIRED, closed_at=timezone.now())
        if expired != 1:
            return False
        group = GroupBuy.objects.select_related("product").get(id=group_id)
        members = list(
            GroupBuyMember.objects.filter(group=group, status=GroupBuyMember.Status.ACTIVE)
        )
        for member in members:
            member.status = GroupBuyMember.Status.RELEASED
            member.save(update_fields=["status", "updated_at"])
            email_queue(kind=GROUP_BUY_EXPIRED, object_id=member.id, recipient_id=member.user_id)
            _release_stock(member=member, product_id=group.product_id)
            payment_void_on_commit(
                provider=member.payment_provider, reference=member.payment_reference
            )
        _notify(
            user_ids=[member.user_id for member in members],
            message=_(
                "The group for %(product)s did not fill before its deadline. Nobody was charged."
            )
            % {"product": group.product.name},
            group=group,
        )
    return True


def group_buy_notify_followers(*, group_id: int) -> int:
    """Tell the creator's followers about a new group (the invite). Returns how many were told."""
    group = GroupBuy.objects.select_related("product", "creator").get(id=group_id)
    if group.status != GroupBuy.Status.OPEN or group.creator is None:
        return 0
    follower_ids = list(
        Follow.objects.filter(
            followee_id=group.creator_id, status=Follow.Status.ACTIVE
        ).values_list("follower_id", flat=True)
    )
    already = set(
        Notification.objects.filter(
            recipient_id__in=follower_ids,
            kind=Notification.Kind.GROUP_BUY,
            url=group.get_absolute_url(),
        ).values_list("recipient_id", flat=True)
    )
    recipients = [user_id for user_id in follower_ids if user_id not in already]
    _notify(
        user_ids=recipients,
        message=_("%(name)s invites you to buy %(product)s together at %(price)s.")
        % {
            "name": group.creator.get_username(),
            "product": group.product.name,
            "price": group.group_price,
        },
        group=group,
        actor_id=group.creator_id,
    )
    return len(recipients)


def group_buy_release_user(*, user: User) -> int:
    """Before an account is deleted: give back every seat it holds in groups whose orders are not placed.

    The reserved stock returns and the authorisation is voided; an open group also frees the seat. (In a full
    group waiting for its orders the others still get theirs.) Returns how many commitments were released.
    """
    released = 0
    members = GroupBuyMember.objects.filter(
        user=user, status=GroupBuyMember.Status.ACTIVE
    ).select_related("group")
    for member in members:
        with transaction.atomic():
            left = GroupBuyMember.objects.filter(
                id=member.id, status=GroupBuyMember.Status.ACTIVE
            ).update(status=GroupBuyMember.Status.LEFT, updated_at=timezone.now())
            if left != 1:
                continue
            GroupBuy.objects.filter(
                id=member.group_id, status=GroupBuy.Status.OPEN, member_count__gt=0
            ).update(member_count=F("member_count") - 1)
            _release_stock(member=member, product_id=member.group.product_id)
            payment_void_on_commit(
                provider=member.payment_provider, reference=member.payment_reference
            )
            released += 1
    return released


# --- tasks this module queues (see social/tasks.py) ----------------------------------------------------


@shared_task(name="social.tasks.group_buy_complete_task", ignore_result=True)
def group_buy_complete_task(group_id: int) -> str:
    """Place the orders of a full group (no-op when already completed or not full)."""
    group = group_buy_complete(group_id=group_id)
    return group.status if group is not None else "not_full"


@shared_task(name="social.tasks.group_buy_notify_followers_task", ignore_result=True)
def group_buy_notify_followers_task(group_id: int) -> int:
    return group_buy_notify_followers(group_id=group_id)
