"""API tokens: issue, sign out, password changes (API, page, reset link), account deletion and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from shop import services
from shop.models import ApiToken
from social.services import account_delete
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-horse-battery-77"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def token_for(api_client, username="shopper1", password=DEFAULT_PASSWORD) -> str:
    response = api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def cart_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/cart/").status_code


def test_each_sign_in_gets_a_new_working_token_and_only_its_digest_is_stored(api_client, user):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": "shopper1", "password": DEFAULT_PASSWORD},
        format="json",
    )
    assert response.json() == {"token": response.json()["token"], "expires_at": None}
    first = response.json()["token"]
    second = token_for(api_client)
    assert first != second
    assert (cart_status(first), cart_status(second)) == (200, 200)
    stored = set(ApiToken.objects.filter(user=user).values_list("digest", flat=True))
    assert first not in stored
    assert len(stored) == 2


def test_delete_revokes_the_callers_token_only_and_asking_again_gives_a_new_one(api_client, user):
    phone, laptop = token_for(api_client), token_for(api_client)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {phone}")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert (cart_status(phone), cart_status(laptop)) == (401, 200)
    refused = client.get("/api/v1/cart/")
    assert refused.json() == {"detail": "Invalid token."}
    assert refused["WWW-Authenticate"] == "Token"
    again = token_for(api_client)
    assert again not in {phone, laptop}
    assert cart_status(again) == 200


def test_delete_without_a_token_is_401(api_client, user):
    response = api_client.delete("/api/v1/auth/token/")
    assert response.status_code == 401
    api_client.force_login(user)  # a browser session has no token to revoke
    assert api_client.delete("/api/v1/auth/token/").status_code == 401


def test_api_password_change_retires_every_token_and_answers_a_new_one(api_client, user):
    old_phone, old_laptop = token_for(api_client), token_for(api_client)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old_phone}")
    response = client.post(
        "/api/v1/auth/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    fresh = response.json()["token"]
    assert (cart_status(old_phone), cart_status(old_laptop), cart_status(fresh)) == (401, 401, 200)
    assert ApiToken.objects.filter(user=user).count() == 1
    assert token_for(APIClient(), password=NEW_PASSWORD) != fresh


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"old_password": "wrong", "new_password": NEW_PASSWORD},
            {"old_password": ["Your old password was entered incorrectly."]},
        ),
        (
            {"old_password": DEFAULT_PASSWORD, "new_password": "123"},
            {
                "new_password": [
                    "This password is too short. It must contain at least 8 characters.",
                    "This password is too common.",
                    "This password is entirely numeric.",
                ]
            },
        ),
        ({"old_password": DEFAULT_PASSWORD}, {"new_password": ["This field is required."]}),
    ],
)
def test_api_password_change_refusals_are_field_errors_and_keep_the_token(
    api_client, user, body, errors
):
    token = token_for(api_client)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post("/api/v1/auth/password/", body, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert cart_status(token) == 200


def test_password_change_page_retires_api_tokens(api_client, client, user):
    token = token_for(api_client)
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert cart_status(token) == 401
    assert cart_status(token_for(api_client, password=NEW_PASSWORD)) == 200


def test_password_reset_link_retires_api_tokens(api_client, client, user):
    token = token_for(api_client)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = f"/accounts/password/reset/{uid}/{default_token_generator.make_token(user)}/"
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert cart_status(token) == 401


def test_account_deletion_retires_its_tokens(api_client, user):
    token = token_for(api_client)
    account_delete(user=user)
    assert cart_status(token) == 401
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_401_and_a_new_one_works(api_client, user, settings):
    settings.API_TOKEN_TTL_SECONDS = 3600
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": "shopper1", "password": DEFAULT_PASSWORD},
        format="json",
    )
    token = response.json()["token"]
    assert response.json()["expires_at"] is not None
    assert cart_status(token) == 200
    ApiToken.objects.update(created_at=timezone.now() - timedelta(seconds=3601))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    refused = client.get("/api/v1/cart/")
    assert (refused.status_code, refused.json()) == (
        401,
        {"detail": "The token has expired; ask for a new one."},
    )
    assert cart_status(token_for(api_client)) == 200


def test_only_the_newest_sign_ins_are_kept(user):
    keys = [
        services.api_token_issue(user=user).key for _ in range(services.API_TOKENS_PER_USER + 2)
    ]
    assert ApiToken.objects.filter(user=user).count() == services.API_TOKENS_PER_USER
    assert services.api_token_authenticate(key=keys[-1]).user == user
    with pytest.raises(services.ApiTokenRejected):
        services.api_token_authenticate(key=keys[0])


def test_an_inactive_account_cannot_use_its_token(user):
    key = services.api_token_issue(user=user).key
    user.is_active = False
    user.save()
    with pytest.raises(services.ApiTokenRejected, match="inactive"):
        services.api_token_authenticate(key=key)


def test_the_support_api_takes_the_same_tokens(api_client, user):
    token = token_for(api_client)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/support/conversations/current/").status_code in (200, 404)
    client.delete("/api/v1/auth/token/")
    assert client.get("/api/v1/support/conversations/current/").status_code == 401
