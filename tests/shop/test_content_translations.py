"""Catalogue content in the visitor's language (django-modeltranslation), English as the fallback."""

import random

import pytest
from django.urls import reverse
from django.utils import translation

from shop import demo
from shop.models import Category, Product
from shop.selectors import product_search
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def pan():
    return ProductFactory(
        name="Cast iron frying pan",
        name_zh_hans="铸铁煎锅",
        description="Heavy and even.",
        description_zh_hans="厚重受热均匀。",
    )


def test_product_page_shows_the_chinese_name_to_a_chinese_visitor(client, pan):
    response = client.get(pan.get_absolute_url(), **ZH)

    assert "铸铁煎锅" in response.content.decode()


def test_product_page_shows_the_english_name_to_an_english_visitor(client, pan):
    response = client.get(pan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert "Cast iron frying pan" in response.content.decode()
    assert "铸铁煎锅" not in response.content.decode()


def test_untranslated_product_falls_back_to_english():
    product = ProductFactory(name="Kettlebell")

    with translation.override("zh-hans"):
        assert Product.objects.get(pk=product.pk).name == "Kettlebell"


def test_search_in_chinese_finds_the_translated_product(pan):
    ProductFactory(name="Teapot", name_zh_hans="茶壶")

    assert [p.pk for p in product_search(query="煎锅")] == [pan.pk]


def test_search_in_english_still_works_for_a_chinese_visitor(pan):
    with translation.override("zh-hans"):
        assert [p.pk for p in product_search(query="frying")] == [pan.pk]


def test_api_product_detail_follows_accept_language(client, pan):
    response = client.get(reverse("api-product", args=[pan.pk]), **ZH)

    assert response.json()["product"]["name"] == "铸铁煎锅"
    assert response.json()["description"] == "厚重受热均匀。"


def test_category_name_is_translated_in_the_catalogue_navigation(client):
    CategoryFactory(name="Cookware", name_zh_hans="锅具")

    response = client.get(reverse("shop:product_list"), **ZH)

    assert "锅具" in response.content.decode()


def test_admin_edits_both_languages(admin_client, pan):
    response = admin_client.get(reverse("admin:shop_product_change", args=[pan.pk]))

    content = response.content.decode()
    assert 'name="name_en"' in content
    assert 'name="name_zh_hans"' in content


def test_demo_catalogue_has_chinese_names_for_categories_and_most_products():
    demo.seed(rng=random.Random("7:shop"), small=True, log=lambda message: None)

    assert not Category.objects.filter(name_zh_hans__isnull=True).exists()
    translated = Product.objects.filter(name_zh_hans__isnull=False).count()
    assert translated >= Product.objects.count() // 2
