"""The one JSON parser of the API: nesting is bounded, and input too deep for Python's parser is a 400 with a
message, never a 500 with a logged traceback (issue 12, item 3)."""

from __future__ import annotations

import io
import logging

import pytest
from rest_framework.exceptions import ParseError

from common.api import MAX_JSON_DEPTH, StrictJSONParser

TOO_DEEP = {"detail": f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels)."}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _parse(text: str):
    return StrictJSONParser().parse(io.BytesIO(text.encode()), parser_context={})


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 200, 5000, 100_000])
def test_parser_refuses_json_nested_past_the_bound(depth):
    with pytest.raises(ParseError) as error:
        _parse(_nested(depth))
    assert str(error.value.detail) == TOO_DEEP["detail"]


def test_parser_refuses_deep_objects_too():
    with pytest.raises(ParseError):
        _parse('{"a": ' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1))


def test_parser_takes_json_at_the_bound():
    assert _parse(_nested(MAX_JSON_DEPTH)) == _parse(_nested(MAX_JSON_DEPTH))
    assert _parse('{"items": [{"product": 1, "quantity": 2}]}') == {
        "items": [{"product": 1, "quantity": 2}]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/api/v1/auth/token/", False),
        ("/api/v1/cart/items/", True),
        ("/api/v1/checkout/", True),
        ("/api/v1/social/posts/", True),
    ],
)
def test_deeply_nested_json_is_a_400_without_a_logged_traceback(
    client, user, caplog, path, signed_in
):
    if signed_in:
        client.force_login(user)
    with caplog.at_level(logging.WARNING):
        response = client.post(path, data=_nested(50_000), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == TOO_DEEP
    assert not [record for record in caplog.records if record.exc_info]
