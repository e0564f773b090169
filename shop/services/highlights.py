"""Review highlights ("what buyers say"): per product, the aspects its reviews mention (fit, quality, battery,
delivery...) with how many reviews speak of each positively and negatively, and the passages behind them.

Recomputed as a whole by a Celery task queued after a review is saved, deleted, hidden or restored; the product
page only reads the stored rows. A product with fewer than `settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS` visible
reviews gets none. Extraction is `shop.services.text_analysis.aspect_mentions` (English and Chinese), measured in
bench/review_highlights.py.
"""

from __future__ import annotations

from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.db import transaction

from shop.models import Product, Review, ReviewHighlight
from shop.services.text_analysis import aspect_mentions

__all__ = [
    "PASSAGES_PER_POLARITY",
    "review_highlights_queue",
    "review_highlights_refresh",
    "review_highlights_refresh_task",
]

PASSAGES_PER_POLARITY = 3
MAX_REVIEWS = 1000


def review_highlights_refresh(*, product_id: int) -> list[ReviewHighlight]:
    """Replace the product's highlights with ones computed from its visible reviews (one count per review,
    aspect and polarity). Idempotent: running it twice stores the same rows."""
    if not Product.objects.filter(pk=product_id).exists():
        return []
    reviews = list(
        Review.objects.filter(product_id=product_id, is_hidden=False)
        .order_by("-created_at", "-id")
        .values_list("id", "title", "body", "rating")[:MAX_REVIEWS]
    )
    counts: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    passages: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    if len(reviews) >= settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS:
        for review_id, title, body, rating in reviews:
            text = f"{title}. {body}" if title and body else title or body
            for mention in aspect_mentions(text, rating=rating):
                if review_id in counts[mention.aspect][mention.polarity]:
                    continue
                counts[mention.aspect][mention.polarity].add(review_id)
                kept = passages[mention.aspect][mention.polarity]
                if len(kept) < PASSAGES_PER_POLARITY:
                    kept.append(
                        {"review_id": review_id, "text": mention.text, "polarity": mention.polarity}
                    )
    rows = [
        ReviewHighlight(
            product_id=product_id,
            aspect=aspect,
            positive=len(by_polarity["positive"]),
            negative=len(by_polarity["negative"]),
            passages=passages[aspect]["positive"] + passages[aspect]["negative"],
        )
        for aspect, by_polarity in counts.items()
    ]
    with transaction.atomic():
        ReviewHighlight.objects.filter(product_id=product_id).delete()
        ReviewHighlight.objects.bulk_create(rows)
    return rows


def review_highlights_queue(*, product_id: int) -> None:
    """Queue a recomputation once the current transaction commits (call it from any review write)."""
    transaction.on_commit(lambda: review_highlights_refresh_task.delay(product_id))


# Declared beside the service that queues it (services never import shop.tasks); re-exported there.
@shared_task(
    name="shop.tasks.review_highlights_refresh_task",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    max_retries=3,
)
def review_highlights_refresh_task(product_id: int) -> int:
    return len(review_highlights_refresh(product_id=product_id))
