"""Shoppers turn non-essential mail off on the privacy page (and through the API); order mail stays on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shop.hooks import optional_email_allowed
from social.models import Profile

pytestmark = pytest.mark.django_db


def test_the_privacy_page_offers_and_saves_the_email_setting(shopper_client, user):
    page = shopper_client.get(reverse("social:privacy")).content.decode()
    assert 'name="email_optional"' in page
    assert optional_email_allowed.fire(user) == [True]

    response = shopper_client.post(reverse("social:privacy"), {"show_in_suggestions": "on"})
    assert response.status_code == 302
    assert Profile.objects.get(user=user).email_optional is False
    assert optional_email_allowed.fire(user) == [False]


def test_the_privacy_api_reads_and_writes_the_email_setting(shopper_api, user):
    response = shopper_api.patch(
        "/api/v1/social/privacy/", {"email_optional": False}, format="json"
    )
    assert response.json()["email_optional"] is False
    assert Profile.objects.get(user=user).email_optional is False
