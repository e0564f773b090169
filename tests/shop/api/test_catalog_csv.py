"""Catalogue CSV over the API: staff only; a bad file answers 400 with the row report and stores nothing; a good
one imports; the export is CSV in the import's columns."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from shop import services
from shop.models import Product
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(services.CSV_COLUMNS)


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    CategoryFactory(slug="tops")
    return client


def upload(body: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("c.csv", f"{HEADER}\n{body}\n".encode(), content_type="text/csv")


def test_shoppers_cannot_import():
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.post("/api/v1/catalog/import/", {"file": upload("x")}, format="multipart")
    assert response.status_code == 403


def test_a_bad_file_is_400_with_the_row_report(staff_api):
    response = staff_api.post(
        "/api/v1/catalog/import/",
        {"file": upload("tee,Tee,nope,,1.00,,yes,,,TEE-1,,,1,yes,")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "line": 2,
            "column": "category",
            "message": "Unknown category 'nope' (use a category slug).",
        }
    ]
    assert not Product.objects.filter(slug="tee").exists()


def test_import_then_export(staff_api):
    response = staff_api.post(
        "/api/v1/catalog/import/",
        {"file": upload("tee,Tee,tops,,1.00,,yes,,,TEE-1,Size=M,,4,yes,")},
        format="multipart",
    )
    assert response.status_code == 200
    assert (response.json()["products_created"], response.json()["variants_created"]) == (1, 1)
    export = staff_api.get("/api/v1/catalog/export/")
    assert export["Content-Type"].startswith("text/csv")
    assert b"tee,Tee,tops,,1.00,,yes,,,TEE-1,Size=M,,4,yes," in export.content
