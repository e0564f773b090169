"""What shoppers were shown (impressions) and what they clicked, with the model, experiment and variant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recsys.models import Click, Impression

__all__ = ["ClickTarget", "click_record", "impressions_record"]


def impressions_record(*, user_id: int | None, recommendations: Iterable) -> int:
    """Log one impression per shown item (one INSERT for the whole widget)."""
    rows = [
        Impression(
            widget=item.widget,
            user_id=user_id,
            product_id=item.product.pk,
            model_version_id=item.model_version_id,
            experiment_id=item.experiment_id,
            variant=item.variant,
            position=item.position,
        )
        for item in recommendations
    ]
    Impression.objects.bulk_create(rows)
    return len(rows)


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
