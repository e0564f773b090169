"""OpenAPI post-processing: every operation documents the errors the API really answers.

The views declare their success bodies and the errors of their own rules; the refusals that come from the shared
plumbing apply to every operation alike and are added here, with one error body, `ApiError`: `detail` (and `code`
for conflicts) or messages per field, as common.api produces them. Those refusals: 400 (malformed JSON, bad
query values, a NUL byte), 401 (a bad token), 403 (no credentials, CSRF, permissions), 404 (unknown object or
address), 415 (a body that is not JSON) for operations with a body, 409 (a service rule refused the change) and
429 (throttles) for writes, and 503 with Retry-After (the database is briefly unavailable).
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "ApiError"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "An error: `detail` (with `code` for conflicts and refused payments), or a list of messages per "
        'field (`{"quantity": ["This field is required."]}`).'
    ),
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "code": {"type": "string"},
    },
    "additionalProperties": {},
}
SHARED_ERRORS = {
    "400": "Malformed JSON, invalid fields or query values.",
    "401": "The token is invalid (`WWW-Authenticate: Token`).",
    "403": "Not signed in, or not allowed to do this.",
    "404": "Not found.",
    "503": "The service is briefly unavailable; retry after `Retry-After` seconds.",
}
BODY_ERRORS = {"415": "The body is not JSON (or multipart where files are taken)."}
WRITE_ERRORS = {
    "409": "A rule refused the change (common.errors.ServiceError); `code` says which.",
    "429": "Too many requests; retry later.",
}
METHODS = {"get", "post", "put", "patch", "delete"}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
        },
    }


def document_shared_errors(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(SHARED_ERRORS)
            if "requestBody" in operation:
                errors.update(BODY_ERRORS)
            if method != "get":
                errors.update(WRITE_ERRORS)
            for status, description in errors.items():
                documented = responses.get(status)
                if documented is None:
                    responses[status] = _error_response(description)
                elif "application/json" in documented.get("content", {}):
                    # The view's own error body is one of ApiError's shapes; field errors are the other.
                    documented["content"]["application/json"]["schema"] = {
                        "$ref": f"#/components/schemas/{ERROR_COMPONENT}"
                    }
            for status, documented in responses.items():
                if status.startswith("4") and "application/json" in documented.get("content", {}):
                    documented["content"]["application/json"]["schema"] = {
                        "$ref": f"#/components/schemas/{ERROR_COMPONENT}"
                    }
            responses["503"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before retrying.",
            }
    return result
