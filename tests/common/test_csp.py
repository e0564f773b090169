"""The Content-Security-Policy header (issue 12, item 9); tests/live/test_csp_browser.py runs pages under it."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db]


@pytest.mark.parametrize("url", ["/", "/products/", "/api/v1/products/", "/no-such-page/"])
def test_every_response_carries_the_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_api_docs_allow_swagger_ui_inline_styles_but_no_inline_scripts(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy
    assert "<script>" not in response.content.decode()


def test_favicon_ico_leads_to_the_logo_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".ico")
    assert "img/favicon" in response["Location"]
