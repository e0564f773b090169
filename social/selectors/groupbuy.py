"""Group-buy reads for pages, the API and the beat task."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from social.models import GroupBuy, GroupBuyMember
from social.selectors.graph import Viewer, signed_in_viewer

__all__ = [
    "group_buy_list_open",
    "group_buy_get",
    "group_buy_members",
    "group_buy_membership",
    "group_buys_due_ids",
]


def group_buy_list_open(*, product_id: int | None = None) -> QuerySet[GroupBuy]:
    """Open groups whose deadline has not passed, soonest deadline first."""
    queryset = GroupBuy.objects.filter(
        status=GroupBuy.Status.OPEN, deadline__gt=timezone.now()
    ).select_related("product", "creator")
    if product_id is not None:
        queryset = queryset.filter(product_id=product_id)
    return queryset.order_by("deadline", "id")


def group_buy_get(*, group_id: int) -> GroupBuy:
    group = GroupBuy.objects.select_related("product", "creator").filter(id=group_id).first()
    if group is None:
        raise Http404("No such group buy.")
    return group


def group_buy_members(*, group: GroupBuy) -> list[GroupBuyMember]:
    """The members who are in (committed or ordered), in join order."""
    return list(
        GroupBuyMember.objects.filter(
            group=group,
            status__in=[GroupBuyMember.Status.ACTIVE, GroupBuyMember.Status.ORDERED],
        ).select_related("user")
    )


def group_buy_membership(*, group: GroupBuy, user: Viewer) -> GroupBuyMember | None:
    """This user's live commitment to the group, if any."""
    shopper = signed_in_viewer(user)
    if shopper is None:
        return None
    return (
        GroupBuyMember.objects.filter(
            group=group,
            user=shopper,
            status__in=[GroupBuyMember.Status.ACTIVE, GroupBuyMember.Status.ORDERED],
        )
        .select_related("order", "variant")
        .first()
    )


def group_buys_due_ids() -> tuple[list[int], list[int]]:
    """(open groups past their deadline, full groups whose orders are not placed yet), for the beat task."""
    now = timezone.now()
    expired = list(
        GroupBuy.objects.filter(status=GroupBuy.Status.OPEN, deadline__lte=now).values_list(
            "id", flat=True
        )
    )
    full = list(GroupBuy.objects.filter(status=GroupBuy.Status.FULL).values_list("id", flat=True))
    return expired, full
