"""The product page's gallery, built through the memoised `{% picture %}`: an edit to a picture (its alt text,
its renditions) shows on the next request."""

from __future__ import annotations

import pytest

from shop.services import product_image_renditions_make, product_image_save
from tests.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def picture():
    product = ProductFactory(name="Lamp")
    return ProductImageFactory(product=product, alt_text="Lamp, front", width=800, height=800)


def test_new_alt_text_shows_on_the_next_request(client, picture):
    url = picture.product.get_absolute_url()
    assert 'alt="Lamp, front"' in client.get(url).content.decode()
    picture.alt_text = "Lamp, side"
    product_image_save(image=picture)
    body = client.get(url).content.decode()
    assert 'alt="Lamp, side"' in body
    assert 'alt="Lamp, front"' not in body


def test_renditions_made_after_a_view_show_on_the_next_request(client, picture):
    url = picture.product.get_absolute_url()
    assert "srcset" not in client.get(url).content.decode()
    made = product_image_renditions_make(image_id=picture.pk)
    assert made is not None
    assert made.renditions
    assert f"{made.renditions[-1]}w.webp" in client.get(url).content.decode()
