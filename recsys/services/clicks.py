"""What shoppers were shown (impressions) and what they clicked, with the model, experiment and variant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from common.buffers import RowBuffer
from recsys.models import Click, Experiment, Impression, ModelVersion
from shop.models import Product, User

__all__ = ["ClickTarget", "click_record", "impressions_flush", "impressions_record"]

# Widgets render on most signed-in pages: their impressions go to a Redis list and a task writes them in bulk
# every few seconds (common.buffers), instead of an INSERT and a commit in each request.
IMPRESSIONS = RowBuffer("recsys:impressions")


def impressions_record(*, user_id: int | None, recommendations: Iterable) -> int:
    """Log one impression per shown item: buffered for `impressions_flush`, else one INSERT for the widget."""
    rows = [
        [
            item.widget,
            user_id,
            item.product.pk,
            item.model_version_id,
            item.experiment_id,
            item.variant,
            item.position,
        ]
        for item in recommendations
    ]
    if not IMPRESSIONS.append(rows):
        Impression.objects.bulk_create([_impression(row) for row in rows])
    return len(rows)


def _impression(row: list[Any]) -> Impression:
    widget, user_id, product_id, version_id, experiment_id, variant, position = row
    return Impression(
        widget=widget,
        user_id=user_id,
        product_id=product_id,
        model_version_id=version_id,
        experiment_id=experiment_id,
        variant=variant,
        position=position,
    )


def _impressions_write(rows: list[list[Any]]) -> int:
    """Store buffered impression rows in one transaction; a product deleted since drops its row, a deleted
    user, model version or experiment is cleared (as their SET_NULL foreign keys would have done)."""
    product_ids = {int(row[2]) for row in rows}
    products = set(Product.objects.filter(id__in=product_ids).values_list("id", flat=True))
    user_ids = {int(row[1]) for row in rows if row[1] is not None}
    users = (
        set(User.objects.filter(id__in=user_ids).values_list("id", flat=True))
        if user_ids
        else set()
    )
    version_ids = {int(row[3]) for row in rows if row[3] is not None}
    versions = (
        set(ModelVersion.objects.filter(id__in=version_ids).values_list("id", flat=True))
        if version_ids
        else set()
    )
    experiment_ids = {int(row[4]) for row in rows if row[4] is not None}
    experiments = (
        set(Experiment.objects.filter(id__in=experiment_ids).values_list("id", flat=True))
        if experiment_ids
        else set()
    )
    impressions = [
        _impression(
            [
                widget,
                user_id if user_id in users else None,
                product_id,
                version_id if version_id in versions else None,
                experiment_id if experiment_id in experiments else None,
                variant,
                position,
            ]
        )
        for widget, user_id, product_id, version_id, experiment_id, variant, position in rows
        if product_id in products
    ]
    with transaction.atomic():
        Impression.objects.bulk_create(impressions, batch_size=1000)
    return len(impressions)


def impressions_flush() -> int:
    """Write the buffered impressions (the beat runs it every few seconds); returns how many were stored."""
    return IMPRESSIONS.flush(_impressions_write)


@dataclass(frozen=True)
class ClickTarget:
    widget: str
    product_id: int
    position: int
    model_version_id: int | None
    experiment_id: int | None
    variant: str


def click_record(*, user_id: int | None, target: ClickTarget) -> Click:
    return Click.objects.create(
        widget=target.widget,
        user_id=user_id,
        product_id=target.product_id,
        position=target.position,
        model_version_id=target.model_version_id,
        experiment_id=target.experiment_id,
        variant=target.variant,
    )
