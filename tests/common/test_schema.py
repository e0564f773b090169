"""The OpenAPI schema documents the shared refusals on every operation (issue 12, item 8)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/") and method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_documents_the_shared_errors(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        for status in ("400", "403", "404", "503"):
            assert "$ref" in responses[status]["content"]["application/json"]["schema"], (
                path,
                method,
                status,
            )
        assert "Retry-After" in responses["503"]["headers"]
        if method != "get":
            assert {"409", "429"} <= set(responses), (path, method)


def test_operations_that_take_a_token_document_its_refusal(schema):
    for path, method, operation in _operations(schema):
        if any("tokenAuth" in requirement for requirement in operation.get("security", [])):
            assert "401" in operation["responses"], (path, method)


def test_field_errors_fit_the_documented_400_body(schema):
    cart_add = schema["paths"]["/api/v1/cart/items/"]["post"]["responses"]["400"]
    ref = cart_add["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"product_id", "quantity", "non_field_errors", "detail"} <= set(body["properties"])
