import pytest
from django.urls import reverse

from social import selectors
from tests.factories import CategoryFactory, ProductFactory, TagFactory
from tests.factories.qa import make_buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoes(user):
    running = TagFactory(name="running", slug="running")
    product = ProductFactory(name="Trail running shoes", category=CategoryFactory(name="Shoes"))
    product.tags.add(running)
    make_buyer(user=user, product=product)
    return product


def test_suggests_a_bought_product_the_text_speaks_of(user, shoes):
    ProductFactory(name="Running socks")  # not bought: never suggested
    suggestions = selectors.post_tag_suggestions(
        user=user, text="Took my new shoes on a trail today"
    )
    assert suggestions.products == [shoes]
    assert suggestions.hashtags == ["#running"]


def test_hashtags_already_in_the_text_are_not_suggested(user, shoes):
    suggestions = selectors.post_tag_suggestions(user=user, text="Trail shoes! #running")
    assert suggestions.hashtags == []


def test_nothing_for_unrelated_text(user, shoes):
    assert selectors.post_tag_suggestions(user=user, text="Lovely weather").products == []


def test_fragment_offers_buttons(shopper_client, shoes):
    response = shopper_client.get(reverse("social:post_tag_suggest"), {"body": "my trail shoes"})
    html = response.content.decode()
    assert f'data-tag-product="{shoes.pk}"' in html
    assert 'data-hashtag="#running"' in html


def test_api(shopper_api, shoes):
    response = shopper_api.get("/api/v1/social/posts/tag-suggestions/", {"text": "trail shoes"})
    assert response.json() == {
        "products": [{"id": shoes.pk, "name": shoes.name, "slug": shoes.slug}],
        "hashtags": ["#running"],
    }
