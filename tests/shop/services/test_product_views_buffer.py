"""Product views are buffered in Redis and written by a task: counted once, kept until written."""

from __future__ import annotations

import pytest

from shop.models import ProductEvent
from shop.services import product_view_record, product_views_flush, product_views_pending
from shop.services.events import BUFFER_KEY, PROCESSING_KEY, _client, _key

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def empty_buffer(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = (
        False  # a worker flushes (the tests call the flush themselves)
    )
    client = _client()
    client.delete(_key(BUFFER_KEY), _key(PROCESSING_KEY))
    yield client
    client.delete(_key(BUFFER_KEY), _key(PROCESSING_KEY))


def test_views_wait_in_redis_until_the_flush_writes_them_once(empty_buffer, product, user):
    product_view_record(product_id=product.id, user_id=user.id, session_key="s1")
    product_view_record(product_id=product.id, user_id=None, session_key="s2")

    assert ProductEvent.objects.count() == 0
    assert product_views_pending() == 2

    assert product_views_flush() == 2
    assert product_views_flush() == 0
    assert product_views_pending() == 0
    rows = sorted(ProductEvent.objects.values_list("user_id", "session_key", "kind"), key=str)
    assert rows == sorted([(user.id, "s1", "view"), (None, "s2", "view")], key=str)


def test_a_flush_that_died_after_writing_is_finished_without_counting_twice(empty_buffer, product):
    product_view_record(product_id=product.id, user_id=None, session_key="s1")
    assert product_views_flush() == 1
    # As if the worker died after the commit but before dropping its claimed batch:
    first = ProductEvent.objects.get()
    import json

    empty_buffer.rpush(
        _key(PROCESSING_KEY),
        json.dumps([product.id, None, "s1", first.created_at.timestamp()]),
    )
    product_view_record(product_id=product.id, user_id=None, session_key="s3")

    assert product_views_flush() == 0  # the leftover batch first: already stored, skipped
    assert product_views_flush() == 1  # then the new view
    assert ProductEvent.objects.count() == 2


def test_the_product_page_buffers_its_view(empty_buffer, shopper_client, product):
    response = shopper_client.get(f"/product/{product.slug}/")

    assert response.status_code == 200
    assert ProductEvent.objects.count() == 0
    assert product_views_flush() == 1
    assert ProductEvent.objects.get().kind == "view"
