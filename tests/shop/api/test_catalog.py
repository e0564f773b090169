from decimal import Decimal

import pytest

from shop.models import Review, StockAlert, WishlistItem
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ReviewFactory,
    TagFactory,
    WishlistItemFactory,
)

pytestmark = pytest.mark.django_db


def test_categories_list_roots_and_children(api_client):
    root = CategoryFactory(name="Home", slug="home")
    CategoryFactory(name="Lamps", slug="lamps", parent=root)
    response = api_client.get("/api/v1/categories/")
    assert response.status_code == 200
    assert [(c["slug"], c["parent_id"]) for c in response.json()] == [
        ("home", None),
        ("lamps", root.id),
    ]


def test_products_filter_sort_and_page(api_client):
    tag = TagFactory(name="eco")
    for index, price in enumerate(["5.00", "15.00", "25.00", "35.00"]):
        ProductFactory(name=f"P{index}", price=Decimal(price), tags=[tag])
    ProductFactory(name="Untagged", price=Decimal("20.00"))
    response = api_client.get(
        "/api/v1/products/",
        {"tag": "eco", "price_min": "10", "sort": "price_desc", "page_size": "2"},
    )
    body = response.json()
    assert response.status_code == 200
    assert [p["name"] for p in body["results"]] == ["P3", "P2"]
    assert (body["count"], body["page"], body["num_pages"], body["previous"]) == (3, 1, 2, None)
    assert "page=2" in body["next"]
    assert body["results"][0]["price"] == "35.00"


def test_products_search(api_client):
    ProductFactory(name="Linen shirt")
    ProductFactory(name="Wool socks")
    response = api_client.get("/api/v1/products/", {"q": "linen"})
    assert [p["name"] for p in response.json()["results"]] == ["Linen shirt"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"price_min": "abc"}, "price_min"),
        ({"price_max": "-5"}, "price_max"),
        ({"min_rating": "six"}, "min_rating"),
        ({"sort": "random"}, "sort"),
        ({"in_stock": "perhaps"}, "in_stock"),
        ({"category": "nowhere"}, "category"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_products_bad_params_are_400_with_message(api_client, params, field):
    response = api_client.get("/api/v1/products/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_products_page_past_the_end_is_404_with_message(api_client):
    ProductFactory()
    response = api_client.get("/api/v1/products/", {"page": "99999999999"})
    assert response.status_code == 404
    assert "last page is 1" in response.json()["detail"]


# A NUL byte never reaches the view: common.middleware refuses it (tests/common/test_error_pages.py).
@pytest.mark.parametrize("query", ["🙂" * 500, "a & b | !c", "ß"])
def test_products_odd_search_text_is_not_an_error(api_client, query):
    assert api_client.get("/api/v1/products/", {"q": query}).status_code == 200


@pytest.mark.parametrize("size", [2, 40])
def test_products_query_count_is_fixed(api_client, django_assert_num_queries, size):
    for _ in range(size):
        ProductImageFactory(product=ProductFactory())
    # count + page + their pictures + the category tree (kept per process once read)
    with django_assert_num_queries(4):
        response = api_client.get("/api/v1/products/", {"page_size": "100"})
    assert len(response.json()["results"]) == size


def test_product_detail(api_client):
    product = ProductFactory(
        name="Desk", attributes={"material": "oak"}, tags=[TagFactory(name="wood")]
    )
    ProductImageFactory(product=product, alt_text="Oak desk")
    ReviewFactory(product=product, rating=4)
    body = api_client.get(f"/api/v1/products/{product.id}/").json()
    assert body["product"]["name"] == "Desk"
    assert body["attributes"] == {"material": "oak"}
    assert body["tags"] == ["wood"]
    assert body["images"][0]["alt"] == "Oak desk"
    assert body["rating"]["distribution"] == {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0}


@pytest.mark.parametrize("product_id", ["999999", "99999999999999999999999"])
def test_unknown_product_is_404(api_client, product_id):
    for suffix in ("", "reviews/"):
        response = api_client.get(f"/api/v1/products/{product_id}/{suffix}")
        assert response.status_code == 404
        assert response.json()["detail"]


def test_inactive_product_is_404(api_client):
    product = ProductFactory(is_active=False)
    assert api_client.get(f"/api/v1/products/{product.id}/").status_code == 404


def test_reviews_list_and_create_then_update_own(shopper_api, user, product):
    ReviewFactory(product=product, rating=2, body="other")
    url = f"/api/v1/products/{product.id}/reviews/"
    created = shopper_api.post(url, {"rating": 5, "body": "great"}, format="json")
    assert created.status_code == 201
    updated = shopper_api.post(url, {"rating": 4, "body": "still good"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["id"] == created.json()["id"]
    listed = shopper_api.get(url).json()
    assert listed["count"] == 2
    assert {r["body"] for r in listed["results"]} == {"other", "still good"}
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("3.00"), 2)


@pytest.mark.parametrize(
    "payload",
    [{"rating": 9}, {"rating": "abc"}, {}, {"rating": 3, "body": "x" * 5001}, {"rating": 2.5}],
)
def test_reviews_bad_input_is_400(shopper_api, product, payload):
    response = shopper_api.post(f"/api/v1/products/{product.id}/reviews/", payload, format="json")
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_reviews_reject_malformed_json_and_wrong_content_type(shopper_api, product):
    url = f"/api/v1/products/{product.id}/reviews/"
    assert shopper_api.post(url, "{not json", content_type="application/json").status_code == 400
    assert shopper_api.post(url, "rating=5", content_type="text/plain").status_code == 415


def test_writing_needs_login(api_client, product):
    assert (
        api_client.post(
            f"/api/v1/products/{product.id}/reviews/", {"rating": 5}, format="json"
        ).status_code
        == 403
    )
    assert api_client.get("/api/v1/wishlist/").status_code == 403


def test_wishlist_add_list_delete(shopper_api, user, product):
    assert (
        shopper_api.post("/api/v1/wishlist/", {"product_id": product.id}, format="json").status_code
        == 201
    )
    assert (
        shopper_api.post("/api/v1/wishlist/", {"product_id": product.id}, format="json").status_code
        == 200
    )
    assert [p["id"] for p in shopper_api.get("/api/v1/wishlist/").json()] == [product.id]
    assert shopper_api.delete(f"/api/v1/wishlist/{product.id}/").status_code == 204
    assert not WishlistItem.objects.exists()


def test_wishlist_is_private_and_other_items_are_404(shopper_api, other_user, product):
    WishlistItemFactory(user=other_user, product=product)
    assert shopper_api.get("/api/v1/wishlist/").json() == []
    assert shopper_api.delete(f"/api/v1/wishlist/{product.id}/").status_code == 404
    assert WishlistItem.objects.filter(user=other_user).exists()


@pytest.mark.parametrize(
    "payload", [{"product_id": 424242}, {"product_id": "abc"}, {}, {"product_id": -1}]
)
def test_wishlist_bad_product_ids(shopper_api, payload):
    response = shopper_api.post("/api/v1/wishlist/", payload, format="json")
    assert response.status_code in (400, 404)
    assert response.json()


def test_stock_alert_api(shopper_api, user):
    sold_out, available = ProductFactory(stock=0), ProductFactory(stock=3)
    assert shopper_api.post(f"/api/v1/products/{sold_out.id}/stock-alert/").status_code == 201
    assert StockAlert.objects.filter(user=user, product=sold_out).exists()
    response = shopper_api.post(f"/api/v1/products/{available.id}/stock-alert/")
    assert response.status_code == 400
    assert "in stock" in response.json()["detail"]
    assert shopper_api.post("/api/v1/products/777777/stock-alert/").status_code == 404


def test_schema_lists_the_catalogue_endpoints(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    for path in (
        "/api/v1/products/",
        "/api/v1/products/{product_id}/reviews/",
        "/api/v1/wishlist/{product_id}/",
    ):
        assert path in paths
