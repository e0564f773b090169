"""Admin: variants inline on the product, the bulk stock page (all-or-nothing, through the services) and the
catalogue CSV import and export pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shop import services
from shop.models import Product, ProductVariant
from tests.factories import CategoryFactory, UserFactory
from tests.factories.variants import variant_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_product_page_shows_the_variants_inline(admin_client):
    product, _ = variant_product()
    page = admin_client.get(reverse("admin:shop_product_change", args=[product.id]))
    assert page.status_code == 200
    assert b"S / Navy" in page.content
    assert b"variants-TOTAL_FORMS" in page.content


def test_bulk_stock_page_sets_each_variants_stock(admin_client):
    product, variants = variant_product(stock=5)
    small, medium = variants["S / Navy"], variants["M / Navy"]
    url = reverse("admin:shop_productvariant_changelist")
    form = admin_client.post(
        url, {"action": "edit_stock", "_selected_action": [small.id, medium.id]}
    )
    assert form.status_code == 200
    assert b"expected-" in form.content
    response = admin_client.post(
        url,
        {
            "action": "edit_stock",
            "_selected_action": [small.id, medium.id],
            "apply": "1",
            f"stock-{small.id}": "12",
            f"expected-{small.id}": "5",
            f"stock-{medium.id}": "",
            f"expected-{medium.id}": "5",
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (ProductVariant.objects.get(id=small.id).stock, product.stock) == (12, 22)


def test_bulk_stock_page_refuses_everything_when_a_row_moved(admin_client):
    _, variants = variant_product(stock=5)
    small, medium = variants["S / Navy"], variants["M / Navy"]
    ProductVariant.objects.filter(id=medium.id).update(stock=4)
    response = admin_client.post(
        reverse("admin:shop_productvariant_changelist"),
        {
            "action": "edit_stock",
            "_selected_action": [small.id, medium.id],
            "apply": "1",
            f"stock-{small.id}": "9",
            f"expected-{small.id}": "5",
            f"stock-{medium.id}": "9",
            f"expected-{medium.id}": "5",
        },
    )
    assert response.status_code == 400
    assert list(ProductVariant.objects.order_by("id").values_list("stock", flat=True))[:2] == [5, 4]


def test_product_action_adds_units_to_each_variant(admin_client):
    product, _ = variant_product(stock=1)
    admin_client.post(
        reverse("admin:shop_product_changelist"),
        {
            "action": "edit_variant_stock",
            "_selected_action": [product.id],
            "apply": "1",
            "quantity": "4",
        },
    )
    product.refresh_from_db()
    assert product.stock == 15


def test_import_page_reports_rows_and_stores_nothing(admin_client):
    CategoryFactory(slug="tops")
    header = ",".join(services.CSV_COLUMNS)
    body = f"{header}\ntee,Tee,tops,,x,,yes,,,TEE-1,,,1,yes,\n".encode()
    response = admin_client.post(
        reverse("admin:shop_catalog_import"),
        {"file": SimpleUploadedFile("c.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert b"&#x27;x&#x27; is not a price." in response.content
    assert not Product.objects.filter(slug="tee").exists()


def test_import_then_export_through_admin(admin_client):
    CategoryFactory(slug="tops")
    header = ",".join(services.CSV_COLUMNS)
    body = f"{header}\ntee,Tee,tops,,10.00,,yes,,,TEE-1,Size=M,,3,yes,\n".encode()
    response = admin_client.post(
        reverse("admin:shop_catalog_import"),
        {"file": SimpleUploadedFile("c.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 200
    export = admin_client.get(reverse("admin:shop_catalog_export"))
    assert export["Content-Type"].startswith("text/csv")
    assert b"TEE-1,Size=M,,3,yes" in export.content
