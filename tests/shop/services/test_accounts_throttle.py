from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shop.models import LoginFailure
from shop.services import login_throttle_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("shop:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail_times(client, username, n, ip="10.0.0.1"):
    for _ in range(n):
        response = login(client, username, "wrong-password", ip=ip)
        assert response.status_code == 400


def test_a_wrong_password_is_a_form_error_and_recorded(client, user):
    response = login(client, "shopper1", "nope")
    assert response.status_code == 400
    assert "enter a correct username and password" in response.content.decode()
    assert LoginFailure.objects.filter(username="shopper1", ip_address="10.0.0.1").count() == 1


def test_too_many_failures_for_an_account_block_even_the_right_password(client, user):
    fail_times(client, "shopper1", 3, ip="10.0.0.1")
    response = login(client, "shopper1", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 400
    assert "Too many failed attempts. Try again in 10 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_block_message_is_the_same_for_an_unknown_account(client, user):
    fail_times(client, "shopper1", 3)
    fail_times(client, "nobody-here", 3, ip="10.0.0.9")
    known = login(client, "shopper1", "x", ip="10.0.0.5").content.decode()
    unknown = login(client, "nobody-here", "x", ip="10.0.0.6").content.decode()
    message = "Too many failed attempts. Try again in 10 minutes."
    assert message in known
    assert message in unknown


def test_too_many_failures_from_one_address_block_other_accounts(client, user):
    for name in ("a1", "a2", "a3"):
        login(client, name, "wrong", ip="10.9.9.9")
    response = login(client, "shopper1", PASSWORD, ip="10.9.9.9")
    assert "Too many failed attempts" in response.content.decode()
    assert login(client, "shopper1", PASSWORD, ip="10.1.1.1").status_code == 302


def test_failures_outside_the_window_do_not_count(client, user):
    fail_times(client, "shopper1", 3)
    LoginFailure.objects.update(created_at=timezone.now() - timedelta(seconds=601))
    assert login(client, "shopper1", PASSWORD).status_code == 302


def test_throttle_counts_usernames_case_insensitively(user):
    for _ in range(3):
        LoginFailure.objects.create(username="shopper1", ip_address=None)
    assert login_throttle_minutes(username="SHOPPER1", ip_address=None) == 10


def test_a_success_clears_the_accounts_failures(client, user):
    fail_times(client, "shopper1", 2)
    assert login(client, "shopper1", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="shopper1").exists()


def test_api_token_is_throttled_like_login(api_client, user):
    for _ in range(3):
        api_client.post(
            "/api/v1/auth/token/", {"username": "shopper1", "password": "bad"}, format="json"
        )
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "shopper1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed attempts. Try again in 10 minutes."}


def test_recording_a_failure_prunes_rows_older_than_an_hour(client):
    LoginFailure.objects.create(username="old", ip_address="10.0.0.3")
    LoginFailure.objects.update(created_at=timezone.now() - timedelta(hours=2))
    login(client, "someone", "wrong")
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone"]
