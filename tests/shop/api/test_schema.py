"""The OpenAPI schema describes what the shop and social API answer (issue 12 item 8)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

OURS = (
    "/api/v1/social/",
    "/api/v1/auth/",
    "/api/v1/addresses/",
    "/api/v1/cart/",
    "/api/v1/checkout/",
    "/api/v1/orders/",
    "/api/v1/products/",
    "/api/v1/categories/",
    "/api/v1/wishlist/",
)


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def body_schema(schema, path: str, method: str, code: str) -> dict[str, Any]:
    response = schema["paths"][path][method]["responses"][code]
    return resolve(schema, response["content"]["application/json"]["schema"])


def operations(schema):
    for path, item in schema["paths"].items():
        if not path.startswith(OURS):
            continue
        for method, operation in item.items():
            yield path, method, operation


@pytest.mark.parametrize(
    ("path", "method", "fields"),
    [
        ("/api/v1/cart/items/", "post", {"product_id", "quantity"}),
        ("/api/v1/cart/items/{product_id}/", "patch", {"quantity"}),
        ("/api/v1/checkout/", "post", {"address_id", "full_name", "line1", "idempotency_key"}),
        ("/api/v1/social/posts/", "post", {"body", "product_ids", "images"}),
    ],
)
def test_400_bodies_name_the_fields_of_the_request(schema, path, method, fields):
    properties = body_schema(schema, path, method, "400")["properties"]
    assert fields | {"non_field_errors", "detail"} <= set(properties)
    assert properties["non_field_errors"] == {"type": "array", "items": {"type": "string"}}


def test_every_operation_documents_the_errors_it_can_give(schema):
    missing = []
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        parameters = operation.get("parameters", [])
        security = operation.get("security", [])
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            missing += [(method, path, "400")] if "400" not in codes else []
        if any(p["in"] == "path" for p in parameters):
            missing += [(method, path, "404")] if "404" not in codes else []
        if security and {} not in security:
            missing += [(method, path, "403")] if "403" not in codes else []
        if any("tokenAuth" in requirement for requirement in security):
            missing += [(method, path, "401")] if "401" not in codes else []
    assert missing == []


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/products/", "get"),
        ("/api/v1/products/{product_id}/reviews/", "get"),
        ("/api/v1/orders/", "get"),
        ("/api/v1/social/group-buys/", "get"),
    ],
)
def test_page_is_a_whole_number_from_1(schema, path, method):
    page = next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == "page")
    assert (page["schema"]["type"], page["schema"]["minimum"]) == ("integer", 1)


def test_checkout_documents_the_resend_and_the_conditional_address(schema):
    checkout = schema["paths"]["/api/v1/checkout/"]["post"]
    assert {"200", "201"} <= set(checkout["responses"])
    request = resolve(schema, checkout["requestBody"]["content"]["application/json"]["schema"])
    assert "unless address_id" in request["properties"]["full_name"]["description"]
    assert "address_id" in request["description"]


def test_a_patch_that_validates_its_body_whole_documents_its_required_field(schema):
    patch = schema["paths"]["/api/v1/cart/items/{product_id}/"]["patch"]
    request = resolve(schema, patch["requestBody"]["content"]["application/json"]["schema"])
    assert request["required"] == ["quantity"]


def test_boolean_query_parameters_are_booleans(schema):
    unread = schema["paths"]["/api/v1/social/notifications/"]["get"]["parameters"][0]
    assert (unread["name"], unread["schema"]["type"]) == ("unread", "boolean")


def test_tokens_can_be_revoked_and_passwords_changed_over_the_api(schema):
    assert set(schema["paths"]["/api/v1/auth/token/"]) == {"post", "delete"}
    assert schema["paths"]["/api/v1/auth/token/"]["delete"]["security"] == [{"tokenAuth": []}]
    assert "post" in schema["paths"]["/api/v1/auth/password/"]


def test_uploads_are_binary_and_only_in_multipart_bodies(schema):
    content = schema["paths"]["/api/v1/social/profiles/me/"]["patch"]["requestBody"]["content"]
    multipart = resolve(schema, content["multipart/form-data"]["schema"])
    as_json = resolve(schema, content["application/json"]["schema"])
    assert multipart["properties"]["avatar"] == {"type": "string", "format": "binary"}
    assert "avatar" not in as_json["properties"]


def test_plain_text_fields_name_the_control_characters_they_refuse(schema):
    token_request = schema["components"]["schemas"]["TokenRequest"]
    pattern = re.compile(token_request["properties"]["username"]["pattern"])
    assert pattern.match("ann\ta\n")
    assert not pattern.match("ann\x07a")
    assert not pattern.match("ann\x00")
