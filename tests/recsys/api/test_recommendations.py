"""The recommendations API: /api/v1/recs/<widget>/."""

import pytest

from tests.factories import ProductFactory
from tests.recsys.helpers import stored_run

pytestmark = pytest.mark.django_db


def test_api_for_you_returns_items_with_reasons(shopper_api, user):
    product = ProductFactory(name="Teapot")
    run = stored_run(user_lists={user: [[product.pk, 1.5, [{"k": "trending"}]]]})

    response = shopper_api.get("/api/v1/recs/for_you/")

    assert response.status_code == 200
    data = response.json()
    assert data["widget"] == "for_you"
    assert data["model_version"] == run.model_version_id
    [item] = data["results"]
    assert (item["product"]["id"], item["score"], item["reason"], item["position"]) == (
        product.pk,
        1.5,
        "Trending now",
        1,
    )


def test_api_similar_requires_a_product(api_client):
    response = api_client.get("/api/v1/recs/similar/")

    assert response.status_code == 400
    assert "product" in response.json() or "product" in str(response.json())


def test_api_rejects_a_bad_k(api_client):
    assert api_client.get("/api/v1/recs/trending/?k=500").status_code == 400


def test_api_unknown_widget_is_404(api_client):
    assert api_client.get("/api/v1/recs/whatever/").status_code == 404


def test_api_is_in_the_openapi_schema(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert "/api/v1/recs/{widget}/" in response.json()["paths"]


def test_schema_declares_product_required_for_the_product_widgets():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for widget in ("similar", "bought_together"):
        parameters = paths[f"/api/v1/recs/{widget}/"]["get"]["parameters"]
        product = next(p for p in parameters if p["name"] == "product")
        assert product["required"] is True
    shared = paths["/api/v1/recs/{widget}/"]["get"]["parameters"]
    widget_enum = next(p for p in shared if p["name"] == "widget")["schema"]["enum"]
    assert set(widget_enum) == {"for_you", "trending", "friends"}
