"""Query parameters parsed by common.api: a bad value is a 400 naming the parameter (issue 12, item 8)."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from common.api import query_bool, query_int


def _request(query: str) -> Request:
    return Request(APIRequestFactory().get(f"/api/v1/x/?{query}"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", False),
        ("unread=", False),
        ("unread=1", True),
        ("unread=TRUE", True),
        ("unread=no", False),
    ],
)
def test_query_bool_reads_true_and_false_words(query, expected):
    assert query_bool(_request(query), "unread") is expected


@pytest.mark.parametrize("value", ["null", "2", "maybe", "%00"])
def test_query_bool_refuses_anything_else(value):
    with pytest.raises(ValidationError) as error:
        query_bool(_request(f"unread={value}"), "unread")
    assert error.value.detail == {"unread": ["Must be true or false."]}


def test_query_int_reads_numbers_and_refuses_text_and_small_ones():
    assert query_int(_request("after_id=7"), "after_id", default=0) == 7
    assert query_int(_request(""), "after_id", default=0) == 0
    with pytest.raises(ValidationError) as error:
        query_int(_request("after_id=x"), "after_id", default=0)
    assert error.value.detail == {"after_id": ["A whole number is required."]}
    with pytest.raises(ValidationError) as error:
        query_int(_request("page=0"), "page", default=1, minimum=1)
    assert error.value.detail == {"page": ["Must be at least 1."]}
