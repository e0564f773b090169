import pytest

from shop import services
from shop.models import ReviewHighlight
from tests.factories import ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _reviews(product, *bodies, **kwargs):
    return [ReviewFactory(product=product, title="", body=body, **kwargs) for body in bodies]


def test_highlights_count_each_review_once_per_aspect_and_polarity(settings):
    settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS = 3
    product = ProductFactory()
    first, _second, third = _reviews(
        product,
        "Runs small. Really small.",
        "Fits true to size, great quality.",
        "尺码偏小，但是做工不错。",
    )
    services.review_highlights_refresh(product_id=product.pk)
    rows = {
        h.aspect: (h.positive, h.negative) for h in ReviewHighlight.objects.filter(product=product)
    }
    assert rows == {"fit": (1, 2), "quality": (2, 0)}
    fit = ReviewHighlight.objects.get(product=product, aspect="fit")
    assert {p["review_id"] for p in fit.passages if p["polarity"] == "negative"} == {
        first.pk,
        third.pk,
    }


def test_too_few_reviews_give_no_highlights(settings):
    settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS = 3
    product = ProductFactory()
    _reviews(product, "Great quality.", "Poor quality.")
    services.review_highlights_refresh(product_id=product.pk)
    assert not ReviewHighlight.objects.exists()


def test_hidden_reviews_are_left_out(settings):
    settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS = 1
    product = ProductFactory()
    _reviews(product, "Great quality.")
    _reviews(product, "Terrible quality.", is_hidden=True)
    services.review_highlights_refresh(product_id=product.pk)
    assert ReviewHighlight.objects.get().negative == 0


def test_saving_a_review_recomputes_after_commit(
    settings, user, django_capture_on_commit_callbacks
):
    settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS = 1
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_save(
            user=user, product=product, rating=2, body="The battery died in a day."
        )
    assert ReviewHighlight.objects.get().aspect == "battery"


def test_refresh_is_idempotent(settings):
    settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS = 1
    product = ProductFactory()
    _reviews(product, "Great quality.")
    services.review_highlights_refresh(product_id=product.pk)
    services.review_highlights_refresh(product_id=product.pk)
    assert ReviewHighlight.objects.count() == 1
