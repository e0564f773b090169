"""Attribution: a cart add or purchase is tied to the latest earlier click on the same product by the same
shopper within RECSYS_ATTRIBUTION_WINDOW_SECONDS. The shop's records are read through `shop.selectors`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from recsys.models import Click, Conversion
from recsys.selectors import attribution_window_seconds
from shop import selectors as shop_selectors

__all__ = ["attribution_update"]


def attribution_update(*, since_seconds: int | None = None) -> int:
    """Tie cart adds and purchases to the latest earlier click on the same product by the same shopper within
    RECSYS_ATTRIBUTION_WINDOW_SECONDS. Idempotent: each shop record converts at most once."""
    window = attribution_window_seconds()
    horizon = timezone.now() - timedelta(seconds=since_seconds or window * 2)
    clicks = list(
        Click.objects.filter(
            user__isnull=False, created_at__gte=horizon - timedelta(seconds=window)
        )
        .order_by("created_at")
        .values_list("id", "user_id", "product_id", "created_at")
    )
    if not clicks:
        return 0
    by_pair: dict[tuple[int, int], list[tuple[int, datetime]]] = {}
    for click_id, user_id, product_id, created_at in clicks:
        by_pair.setdefault((user_id, product_id), []).append((click_id, created_at))
    user_ids = {user_id for user_id, _ in by_pair}
    product_ids = {product_id for _, product_id in by_pair}
    done = {
        (kind, source_id)
        for kind, source_id in Conversion.objects.filter(
            created_at__gte=horizon - timedelta(seconds=window)
        ).values_list("kind", "source_id")
    }
    sources: list[tuple[str, int, int, int, datetime]] = [
        (Conversion.Kind.CART, event.id, event.user_id, event.product_id, event.created_at)
        for event in shop_selectors.product_event_rows(
            kinds=["cart"], since=horizon, user_ids=user_ids, product_ids=product_ids
        )
        if event.user_id is not None
    ]
    sources += [
        (Conversion.Kind.PURCHASE, line.id, line.user_id, line.product_id, line.created_at)
        for line in shop_selectors.purchase_line_rows(
            since=horizon, user_ids=user_ids, product_ids=product_ids
        )
        if line.user_id is not None
    ]
    created = []
    for kind, source_id, user_id, product_id, created_at in sources:
        if (kind, source_id) in done:
            continue
        candidates = [
            click_id
            for click_id, clicked_at in by_pair.get((user_id, product_id), [])
            if clicked_at <= created_at and (created_at - clicked_at).total_seconds() <= window
        ]
        if candidates:
            created.append(
                Conversion(
                    click_id=candidates[-1], kind=kind, source_id=source_id, created_at=created_at
                )
            )
    Conversion.objects.bulk_create(created, ignore_conflicts=True)
    return len(created)
