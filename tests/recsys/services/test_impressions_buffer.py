"""Widget impressions are buffered in Redis and written in bulk by a task (common.buffers)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recsys.models import Impression
from recsys.services.clicks import IMPRESSIONS, impressions_flush, impressions_record
from recsys.services.reasons import Recommendation
from tests.factories import ProductFactory
from tests.recsys.helpers import stored_run

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def buffered(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = (
        False  # a worker flushes (the tests call the flush themselves)
    )
    impressions_flush()  # start empty
    Impression.objects.all().delete()
    yield
    impressions_flush()


def _shown(product, position: int) -> Recommendation:
    return Recommendation(
        product=product,
        score=1.0,
        reason="",
        reason_kind="popular",
        widget="trending",
        position=position,
    )


def test_impressions_wait_in_redis_until_the_flush_writes_them(buffered, user):
    first, second = ProductFactory(), ProductFactory()

    impressions_record(user_id=user.pk, recommendations=[_shown(first, 1), _shown(second, 2)])

    assert Impression.objects.count() == 0
    assert IMPRESSIONS.pending() == 2
    assert impressions_flush() == 2
    assert impressions_flush() == 0
    assert sorted(Impression.objects.values_list("product_id", "position", "user_id")) == [
        (first.pk, 1, user.pk),
        (second.pk, 2, user.pk),
    ]


def test_a_product_deleted_before_the_flush_drops_its_impression(buffered):
    kept, gone = ProductFactory(), ProductFactory()
    impressions_record(user_id=None, recommendations=[_shown(kept, 1), _shown(gone, 2)])
    gone.delete()

    assert impressions_flush() == 1
    assert list(Impression.objects.values_list("product_id", flat=True)) == [kept.pk]


def test_the_widget_fragment_buffers_instead_of_inserting(buffered, shopper_client):
    product = ProductFactory()
    stored_run(trending=[[product.pk, 1, [{"k": "trending"}]]])

    response = shopper_client.get(reverse("recsys:widget", args=["trending"]))

    assert response.status_code == 200
    assert Impression.objects.count() == 0
    assert impressions_flush() == 1


def test_without_a_worker_impressions_are_written_at_once(user):
    product = ProductFactory()

    impressions_record(user_id=user.pk, recommendations=[_shown(product, 1)])

    assert Impression.objects.filter(product=product, user=user).count() == 1
