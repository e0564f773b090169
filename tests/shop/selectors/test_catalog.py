from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from shop.selectors import (
    ProductFilters,
    page_number_parse,
    product_cards,
    product_detail,
    product_filters_parse,
    product_list,
    product_page,
    product_search,
    rating_summary,
)
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ReviewFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def names(products):
    return [product.name for product in products]


def test_category_filter_includes_sub_categories():
    parent = CategoryFactory(slug="clothing")
    child = CategoryFactory(parent=parent, slug="shirts")
    ProductFactory(name="Shirt", category=child)
    ProductFactory(name="Coat", category=parent)
    ProductFactory(name="Lamp")
    filters = product_filters_parse({"category": "clothing", "sort": "price_asc"})
    assert sorted(names(product_list(filters=filters))) == ["Coat", "Shirt"]


def test_filters_combine_price_tag_rating_and_stock():
    red = TagFactory(name="red")
    ProductFactory(
        name="Match", price=Decimal("20"), stock=3, rating_avg=Decimal("4.5"), tags=[red]
    )
    ProductFactory(
        name="Too dear", price=Decimal("80"), stock=3, rating_avg=Decimal("4.5"), tags=[red]
    )
    ProductFactory(
        name="Sold out", price=Decimal("20"), stock=0, rating_avg=Decimal("4.5"), tags=[red]
    )
    ProductFactory(
        name="Low rated", price=Decimal("20"), stock=3, rating_avg=Decimal("2.0"), tags=[red]
    )
    ProductFactory(name="No tag", price=Decimal("20"), stock=3, rating_avg=Decimal("4.5"))
    filters = product_filters_parse(
        {"price_min": "10", "price_max": "50", "tag": "red", "min_rating": "4", "in_stock": "1"}
    )
    assert names(product_list(filters=filters)) == ["Match"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price_asc", ["Cheap", "Middle", "Dear"]),
        ("price_desc", ["Dear", "Middle", "Cheap"]),
        ("rating", ["Middle", "Dear", "Cheap"]),
        ("popular", ["Cheap", "Dear", "Middle"]),
        ("newest", ["Dear", "Middle", "Cheap"]),
    ],
)
def test_sorting(sort, expected):
    ProductFactory(name="Cheap", price=Decimal("5"), rating_avg=Decimal("1"), sold_count=50)
    ProductFactory(name="Middle", price=Decimal("10"), rating_avg=Decimal("5"), sold_count=1)
    ProductFactory(name="Dear", price=Decimal("99"), rating_avg=Decimal("3"), sold_count=9)
    assert names(product_list(filters=product_filters_parse({"sort": sort}))) == expected


def test_inactive_products_are_never_listed():
    ProductFactory(name="Hidden", is_active=False)
    assert names(product_list(filters=ProductFilters())) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"price_min": "abc"}, "price_min"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_max": "NaN"}, "price_max"),
        ({"price_min": "50", "price_max": "10"}, "price_max"),
        ({"min_rating": "9"}, "min_rating"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"sort": "cheapest"}, "sort"),
        ({"category": "no-such-category"}, "category"),
    ],
)
def test_bad_filter_values_raise_a_field_error(params, field):
    with pytest.raises(ValidationError) as info:
        product_filters_parse(params)
    assert field in info.value.message_dict


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5", "٣", "9" * 20])
def test_page_number_parse_rejects_non_positive_whole_numbers(value):
    with pytest.raises(ValidationError):
        page_number_parse(value)


def test_huge_page_number_serves_the_last_page():
    for index in range(5):
        ProductFactory(name=f"P{index}")
    page = product_page(filters=ProductFilters(sort="price_asc"), page=10**12, per_page=2)
    assert (page.number, page.num_pages, page.count, len(page.items)) == (3, 3, 5, 1)


def test_search_matches_name_tags_and_description_with_name_matches_first():
    ProductFactory(name="Plain mug", description="Holds a lot of tea for the morning")
    ProductFactory(name="Tea pot", description="Ceramic")
    ProductFactory(name="Cup", description="Glass", tags=[TagFactory(name="tea")])
    ProductFactory(name="Spoon", description="Steel")
    found = names(product_search(query="tea"))
    assert found[0] == "Tea pot"
    assert sorted(found) == ["Cup", "Plain mug", "Tea pot"]


@pytest.mark.parametrize(
    "query", ["\x00tea", "tea\u200b", "ｔｅａ", "tea 🍵", "'; DROP TABLE x; --", "tea" * 200]
)
def test_search_survives_odd_unicode_and_long_text(query):
    ProductFactory(name="Tea pot")
    assert isinstance(product_search(query=query), list)


def test_search_of_only_symbols_returns_nothing():
    ProductFactory(name="Tea pot")
    assert product_search(query="   ") == []


def test_product_cards_keep_given_order_and_skip_unknown_ids():
    first, second = ProductFactory(), ProductFactory()
    ProductImageFactory(product=second, alt_text="Blue mug")
    cards = product_cards(product_ids=[second.id, 999999, first.id, second.id])
    assert [card.id for card in cards] == [second.id, first.id]
    assert cards[0].card_image_url.startswith("/media/products/")
    assert cards[0].card_image_alt == "Blue mug"
    assert cards[1].card_image_url == ""


def test_product_cards_use_one_query(django_assert_num_queries):
    products = [ProductFactory() for _ in range(6)]
    for product in products:
        ProductImageFactory(product=product)
    with django_assert_num_queries(1):
        cards = product_cards(product_ids=[p.id for p in products])
        assert [card.category.name for card in cards]


@pytest.mark.parametrize("count", [3, 12])
def test_product_page_query_count_is_fixed(django_assert_num_queries, count):
    category = CategoryFactory()
    for _ in range(count):
        ProductImageFactory(product=ProductFactory(category=category))
    # count + page + pictures + the category tree (read once per process and catalogue version)
    with django_assert_num_queries(4):
        page = product_page(filters=ProductFilters(), per_page=50)
        assert len([card.category.name for card in page.items]) == count
        assert all(card.card_image_url for card in page.items)


def test_rating_summary_distribution_and_average():
    product = ProductFactory()
    for rating in (5, 5, 4, 1):
        ReviewFactory(product=product, rating=rating)
    ReviewFactory(product=product, rating=1, is_hidden=True)
    summary = rating_summary(product_id=product.id)
    assert summary.average == Decimal("3.75")
    assert summary.count == 4
    assert summary.distribution == [(5, 2, 50), (4, 1, 25), (3, 0, 0), (2, 0, 0), (1, 1, 25)]


@pytest.mark.parametrize("reviews", [2, 15])
def test_product_detail_query_count_is_fixed(django_assert_num_queries, reviews):
    product = ProductFactory(attributes={"colour": "red", "size": ["S", "M"]})
    ProductImageFactory(product=product)
    product.tags.set([TagFactory(), TagFactory()])
    for _ in range(reviews):
        ReviewFactory(product=product)
    viewer = UserFactory()
    # The product with the viewer's wishlist, alert and review state (one query), then the shared parts.
    with django_assert_num_queries(6):
        detail = product_detail(slug=product.slug, user=viewer)
        assert [review.user.username for review in detail.reviews.items]
    assert detail.attributes == [("Colour", "red"), ("Size", "S, M")]


def test_product_detail_unknown_or_inactive_slug_is_404():
    ProductFactory(slug="gone", is_active=False)
    with pytest.raises(Http404):
        product_detail(slug="gone")
    with pytest.raises(Http404):
        product_detail(slug="never-existed")


def test_product_detail_reads_each_shoppers_own_state():
    from shop.models import StockAlert, WishlistItem

    product = ProductFactory(stock=0)
    ana, ben = UserFactory(), UserFactory()
    WishlistItem.objects.create(product=product, user=ana)
    StockAlert.objects.create(product=product, user=ana)
    review = ReviewFactory(product=product, user=ana)

    ana_detail = product_detail(slug=product.slug, user=ana)
    ben_detail = product_detail(slug=product.slug, user=ben)

    assert (ana_detail.in_wishlist, ana_detail.has_open_alert, ana_detail.own_review) == (
        True,
        True,
        review,
    )
    assert (ben_detail.in_wishlist, ben_detail.has_open_alert, ben_detail.own_review) == (
        False,
        False,
        None,
    )
