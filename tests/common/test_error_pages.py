"""Errors answer in the caller's language: NUL bytes refused at the door (item 4), database faults a 503 with
Retry-After (item 7), and JSON, never an HTML page, for any error under /api/ (item 8)."""

from __future__ import annotations

import logging

import pytest

pytestmark = [pytest.mark.django_db]

NUL_IN_QUERY = {"detail": "Query parameters cannot contain NUL characters."}
NUL_IN_PATH = {"detail": "No page has a NUL character in its address."}
UNAVAILABLE = "The service is briefly unavailable. Please try again in a few seconds."


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/?category=%00",
        "/api/v1/products/?q=shoe%00",
        "/api/v1/social/notifications/?unread=%00",
        "/api/v1/products/?%00=1",
    ],
)
def test_nul_in_an_api_query_is_a_json_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == NUL_IN_QUERY


@pytest.mark.parametrize(
    "url", ["/api/v1/social/profiles/%00/", "/api/v1/social/profiles/%00/posts/"]
)
def test_nul_in_an_api_path_is_a_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == NUL_IN_PATH


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/products/?category=%00", 400, NUL_IN_QUERY["detail"]),
        ("/social/tags/%00/", 404, NUL_IN_PATH["detail"]),
        ("/social/people/%00/", 404, NUL_IN_PATH["detail"]),
    ],
)
def test_nul_on_a_page_is_refused_with_a_plain_message(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/api/v1/products/null%2Cnull/", "/api/v1/no-such-thing/", "/api/v1/orders/x/cancel/y/"]
)
def test_unknown_api_address_is_a_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_page_stays_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.fixture
def fault_urls(settings):
    settings.ROOT_URLCONF = "tests.common.urls_faults"


def test_database_fault_on_a_page_is_a_plain_503_with_retry_after(client, fault_urls, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/faults/page/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert UNAVAILABLE in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert not [record for record in caplog.records if record.exc_info]


def test_database_fault_in_the_api_is_a_json_503_with_retry_after(client, fault_urls, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/api/faults/dead-database/", data={}, content_type="application/json"
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": UNAVAILABLE}
    assert not [record for record in caplog.records if record.exc_info]


def test_a_bug_under_the_api_is_a_json_500(fault_urls):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/api/faults/bug/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


@pytest.mark.parametrize("url", ["/api/v1/cart/", "/api/v1/products/", "/api/v1/social/feed/"])
def test_a_bad_token_is_a_401_with_a_challenge(client, url):
    response = client.get(url, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


def test_no_credentials_stays_a_403(client):
    response = client.get("/api/v1/cart/")
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/products/?q=%00", "/api/v1/products/?q=%00tea"])
def test_nul_in_the_search_box_is_refused_like_any_query_value(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_IN_QUERY["detail"] in response.content.decode()
