from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shop.models import ProductEvent, Review, StockAlert, WishlistItem
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ReviewFactory,
    TagFactory,
    WishlistItemFactory,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db


def test_home_shows_new_arrivals_and_categories(client):
    root = CategoryFactory(name="Kitchen")
    CategoryFactory(name="Pots", parent=root)
    ProductFactory(name="Copper pan", category=root)
    response = client.get(reverse("shop:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Copper pan" in html
    assert "Pots" in html


def test_category_page_lists_sub_category_products_and_links(client):
    root = CategoryFactory(name="Garden", slug="garden")
    child = CategoryFactory(name="Tools", slug="garden-tools", parent=root)
    ProductFactory(name="Spade", category=child)
    response = client.get(reverse("shop:category", kwargs={"slug": "garden"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Spade" in html
    assert reverse("shop:category", kwargs={"slug": "garden-tools"}) in html


def test_unknown_category_is_404(client):
    assert client.get(reverse("shop:category", kwargs={"slug": "nope"})).status_code == 404


def test_search_page_plain_get(client):
    ProductFactory(name="Walking boots")
    ProductFactory(name="Sun hat")
    response = client.get(reverse("shop:product_list"), {"q": "boots"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Walking boots" in html
    assert "Sun hat" not in html
    assert "<html" in html


def test_htmx_request_gets_only_the_results_fragment(client):
    ProductFactory(name="Walking boots")
    response = client.get(
        reverse("shop:product_list"), {"q": "boots", "sort": "price_asc"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="product-results"')
    assert "Walking boots" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "params",
    [{"price_min": "abc"}, {"sort": "bogus"}, {"min_rating": "11"}, {"category": "missing"}],
)
def test_bad_filters_give_a_400_with_the_message(client, params):
    response = client.get(reverse("shop:product_list"), params)
    assert response.status_code == 400
    assert "Please correct the filters" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "99999999999999999999", "0"])
def test_odd_page_numbers_still_render(client, page):
    ProductFactory(name="Only one")
    response = client.get(reverse("shop:product_list"), {"page": page})
    assert response.status_code == 200
    assert "Only one" in response.content.decode()


# A NUL byte never reaches the view: common.middleware refuses it (tests/common/test_error_pages.py).
@pytest.mark.parametrize("query", ["😀" * 300, "<script>alert(1)</script>", "%%%"])
def test_odd_search_text_never_errors(client, query):
    response = client.get(reverse("shop:product_list"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_product_list_page_query_count_is_fixed(client, django_assert_num_queries, count):
    category = CategoryFactory()
    for _ in range(count):
        ProductImageFactory(product=ProductFactory(category=category))
    # the category tree (navigation, the form's options and the cards share it) + count + page + the page's
    # pictures + the running sales (cached under the catalogue version), whatever the page holds + the variant
    # option facets (cached per catalogue version after this)
    with django_assert_num_queries(6):
        response = client.get(reverse("shop:product_list"))
    assert response.status_code == 200


def test_product_list_results_are_cached_until_the_catalogue_changes(
    client, django_assert_num_queries
):
    product = ProductFactory(name="Lamp", stock=0)
    client.get(reverse("shop:product_list"))
    with django_assert_num_queries(0):
        assert "Sold out" in client.get(reverse("shop:product_list")).content.decode()
    from shop.services import product_restock

    product_restock(product=product, quantity=3)
    assert "Sold out" not in client.get(reverse("shop:product_list")).content.decode()


def test_product_page_shows_everything_and_records_a_view(client):
    product = ProductFactory(
        name="Red kettle",
        price=Decimal("24.50"),
        stock=3,
        attributes={"colour": "red", "material": "steel"},
        tags=[TagFactory(name="kitchen")],
    )
    ProductImageFactory(product=product, alt_text="A red kettle on a table")
    ReviewFactory(product=product, rating=5, body="Boils fast", verified_purchase=True)
    response = client.get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Red kettle",
        "24.50",
        "Only 3 left",
        "A red kettle on a table",
        "Material",
        "steel",
        "#kitchen",
        "Boils fast",
        "Verified purchase",
        reverse("shop:cart_add"),
    ):
        assert text in html
    assert ProductEvent.objects.get().kind == "view"


def test_sold_out_product_offers_the_stock_alert(shopper_client):
    product = ProductFactory(stock=0)
    html = shopper_client.get(product.get_absolute_url()).content.decode()
    assert "Sold out" in html
    assert reverse("shop:stock_alert", args=[product.id]) in html


def test_unknown_or_inactive_product_is_404(client):
    ProductFactory(slug="retired", is_active=False)
    assert client.get(reverse("shop:product", kwargs={"slug": "retired"})).status_code == 404
    assert client.get(reverse("shop:product", kwargs={"slug": "never"})).status_code == 404


def test_review_form_creates_then_edits_the_review(shopper_client, user, product):
    url = reverse("shop:review_save", kwargs={"slug": product.slug})
    response = shopper_client.post(url, {"rating": "3", "body": "ok"})
    assert response.status_code == 302
    shopper_client.post(
        url,
        {
            "rating": "5",
            "body": "better",
            "photo": SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg"),
        },
    )
    review = Review.objects.get(user=user)
    assert (review.rating, review.body) == (5, "better")
    assert review.photo
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("5.00"), 1)


@pytest.mark.parametrize("rating", ["0", "6", "abc", ""])
def test_review_form_rejects_bad_ratings(shopper_client, product, rating):
    response = shopper_client.post(
        reverse("shop:review_save", kwargs={"slug": product.slug}), {"rating": rating}
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_review_form_rejects_a_fake_photo(shopper_client, product):
    response = shopper_client.post(
        reverse("shop:review_save", kwargs={"slug": product.slug}),
        {"rating": "4", "photo": SimpleUploadedFile("x.jpg", b"GIF89a nope", "image/jpeg")},
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_review_needs_login(client, product):
    response = client.post(
        reverse("shop:review_save", kwargs={"slug": product.slug}), {"rating": "4"}
    )
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_only_the_author_can_delete_a_review(shopper_client, other_user, product):
    review = ReviewFactory(user=other_user, product=product)
    response = shopper_client.post(reverse("shop:review_delete", args=[review.id]))
    assert response.status_code == 404
    assert Review.objects.filter(id=review.id).exists()


def test_wishlist_toggle_with_htmx_and_page(shopper_client, user, product):
    url = reverse("shop:wishlist_toggle", args=[product.id])
    response = shopper_client.post(url, {"action": "add"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert WishlistItem.objects.filter(user=user, product=product).exists()
    assert product.name in shopper_client.get(reverse("shop:wishlist")).content.decode()
    shopper_client.post(url, {"action": "remove"}, HTTP_HX_REQUEST="true")
    assert not WishlistItem.objects.exists()


def test_wishlist_page_shows_only_own_items(shopper_client, other_user):
    WishlistItemFactory(user=other_user, product=ProductFactory(name="Their lamp"))
    assert "Their lamp" not in shopper_client.get(reverse("shop:wishlist")).content.decode()


def test_wishlist_toggle_unknown_product_is_404(shopper_client):
    assert shopper_client.post(reverse("shop:wishlist_toggle", args=[987654])).status_code == 404


def test_stock_alert_post_and_in_stock_refusal(shopper_client, user):
    sold_out, available = ProductFactory(stock=0), ProductFactory(stock=4)
    assert (
        shopper_client.post(
            reverse("shop:stock_alert", args=[sold_out.id]), HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    assert StockAlert.objects.filter(user=user, product=sold_out).exists()
    response = shopper_client.post(
        reverse("shop:stock_alert", args=[available.id]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "in stock" in response.content.decode()
