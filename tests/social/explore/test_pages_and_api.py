"""Explore and post photo pages and their API endpoints."""

from __future__ import annotations

import json

from rest_framework.test import APIClient

from social.models import PostProduct
from social.services import PhotoTag
from tests.factories import ProductFactory
from tests.social.explore.conftest import png


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_explore_page_shows_a_grid_and_the_next_page_link(client, ana, ben, photo_post):
    for _ in range(25):
        photo_post(ben)
    client.force_login(ana)
    response = client.get("/social/explore/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="tile"') == 24
    assert 'hx-get="?page=2"' in html


def test_explore_next_page_is_a_fragment_for_htmx(client, ana, ben, photo_post):
    for _ in range(25):
        photo_post(ben)
    client.force_login(ana)
    client.get("/social/explore/")
    response = client.get("/social/explore/?page=2", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert (html.count('class="tile"'), "<html" in html, "?page=3" in html) == (1, False, False)


def test_top_bar_and_tab_bar_link_to_explore(client, ana):
    client.force_login(ana)
    html = client.get("/").content.decode()
    assert html.count('href="/social/explore/"') == 2


def test_post_page_places_tags_on_the_photo(client, ana, photo_post, order_for):
    product = ProductFactory(name="Red Sneakers")
    order_for(ana, [product])
    post = photo_post(ana, tags=[PhotoTag(product_id=product.pk, photo=0, x=0.25, y=0.5)])
    html = client.get(f"/social/posts/{post.pk}/").content.decode()
    assert 'data-x="0.2500" data-y="0.5000"' in html
    assert f'class="photo-tag" href="{product.get_absolute_url()}"' in html
    assert 'photo-tag-label">Red Sneakers <span class="verified-badge">' in html


def test_composer_publishes_photos_with_alt_texts_and_placed_tags(client, ana, order_for):
    product = ProductFactory()
    order_for(ana, [product])
    client.force_login(ana)
    response = client.post(
        "/social/posts/new/",
        {
            "body": "flat lay",
            "images": [png(), png()],
            "image_alt": ["first", "second"],
            "products": [product.pk],
            "tags": json.dumps([{"product_id": product.pk, "photo": 1, "x": 0.3, "y": 0.7}]),
        },
    )
    assert response.status_code == 302
    tag = PostProduct.objects.select_related("image").get()
    assert (tag.image.alt_text, tag.x, tag.y) == ("second", 0.3, 0.7)


def test_composer_shows_a_tag_off_the_photo_as_a_form_error(client, ana, order_for):
    product = ProductFactory()
    order_for(ana, [product])
    client.force_login(ana)
    response = client.post(
        "/social/posts/new/",
        {
            "body": "flat lay",
            "images": [png()],
            "products": [product.pk],
            "tags": json.dumps([{"product_id": product.pk, "photo": 0, "x": 1.3, "y": 0.7}]),
        },
    )
    assert response.status_code == 200
    assert "x and y are fractions from 0 to 1" in response.content.decode()
    assert not PostProduct.objects.exists()


def test_api_creates_a_post_with_photos_alt_texts_and_tags(ana):
    product = ProductFactory()
    tags = [{"product_id": product.pk, "photo": 0, "x": 0.5, "y": 0.25}]
    response = _api(ana).post(
        "/api/v1/social/posts/",
        {"body": "hi", "images": [png()], "alt_texts": ["a red shoe"], "tags": json.dumps(tags)},
        format="multipart",
    )
    assert response.status_code == 201
    body = response.json()
    photo = body["images"][0]
    assert (photo["alt"], photo["width"], photo["height"]) == ("a red shoe", 40, 30)
    assert body["products"][0]["photo_id"] == photo["id"]
    assert (body["products"][0]["x"], body["products"][0]["y"]) == (0.5, 0.25)


def test_api_refuses_a_tag_outside_the_photo_with_a_message(ana):
    product = ProductFactory()
    tags = [{"product_id": product.pk, "photo": 0, "x": -0.2, "y": 0.25}]
    response = _api(ana).post(
        "/api/v1/social/posts/", {"images": [png()], "tags": json.dumps(tags)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {
        "tags": ["A tag must lie on its photo: x and y are fractions from 0 to 1."]
    }


def test_api_sets_tags_on_an_existing_post(ana, photo_post):
    post = photo_post(ana)
    product = ProductFactory()
    response = _api(ana).put(
        f"/api/v1/social/posts/{post.pk}/tags/",
        {"tags": [{"product_id": product.pk, "photo": 0, "x": 0.1, "y": 0.9}]},
        format="json",
    )
    assert response.status_code == 200
    assert [(t["id"], t["x"], t["y"]) for t in response.json()] == [(product.pk, 0.1, 0.9)]


def test_api_refuses_tags_on_an_unpublished_product(ana, photo_post):
    post = photo_post(ana)
    product = ProductFactory(is_active=False)
    response = _api(ana).put(
        f"/api/v1/social/posts/{post.pk}/tags/",
        {"tags": [{"product_id": product.pk, "photo": 0, "x": 0.1, "y": 0.9}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"tags": [f"Product {product.pk} does not exist or is not on sale."]}


def test_only_the_author_sets_tags(ana, ben, photo_post):
    post = photo_post(ana)
    response = _api(ben).put(f"/api/v1/social/posts/{post.pk}/tags/", {"tags": []}, format="json")
    assert response.status_code == 403


def test_api_lists_a_posts_photos(ana, photo_post):
    post = photo_post(ana, photos=3)
    response = _api().get(f"/api/v1/social/posts/{post.pk}/photos/")
    assert [photo["position"] for photo in response.json()] == [0, 1, 2]


def test_api_explore_pages(ana, ben, photo_post):
    post = photo_post(ben)
    response = _api(ana).get("/api/v1/social/explore/")
    assert response.status_code == 200
    assert ([item["id"] for item in response.json()["results"]], response.json()["next_page"]) == (
        [post.pk],
        None,
    )


def test_api_explore_refuses_a_bad_page(ana):
    response = _api(ana).get("/api/v1/social/explore/?page=zero")
    assert response.status_code == 400
    assert "page" in response.json()


def test_schema_lists_explore_photos_and_tags(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in (
        "/api/v1/social/explore/",
        "/api/v1/social/posts/{id}/photos/",
        "/api/v1/social/posts/{id}/tags/",
    ):
        assert path in text


def test_profile_shows_a_photo_grid_of_the_users_posts(client, ana, ben, photo_post):
    first, second = photo_post(ben), photo_post(ben)
    html = client.get("/social/people/ben/").content.decode()
    grid = html.split('class="photo-grid"')[1].split("</ul>")[0]
    assert grid.index(f"/social/posts/{second.pk}/") < grid.index(f"/social/posts/{first.pk}/")


def test_private_profile_shows_no_photo_grid_to_strangers(client, ana, ben, photo_post):
    from social.models import Profile

    Profile.objects.update_or_create(user=ben, defaults={"is_private": True})
    photo_post(ben)
    client.force_login(ana)
    assert 'class="photo-grid"' not in client.get("/social/people/ben/").content.decode()
