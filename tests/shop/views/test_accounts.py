import pytest
from django.core import mail
from django.urls import include, path, reverse
from django.utils import translation

from shop.models import Address
from tests.factories.commerce import AddressFactory, address_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def test_login_page_renders(client):
    response = client.get(reverse("shop:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_signup_logs_in_and_goes_to_onboarding(client):
    response = client.post(
        reverse("shop:signup"),
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-unusual-pass-42",
            "password2": "a-long-unusual-pass-42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("recsys:onboarding")
    assert client.get(reverse("shop:account")).status_code == 200


# A URLconf without the recommender's pages, for the signup fallback below.
urlpatterns = [path("", include("shop.urls"))]


def test_signup_goes_to_the_account_page_when_there_is_no_onboarding(client, settings):
    settings.ROOT_URLCONF = __name__
    response = client.post(
        reverse("shop:signup"),
        {
            "username": "newbie2",
            "email": "newbie2@example.com",
            "password1": "a-long-unusual-pass-42",
            "password2": "a-long-unusual-pass-42",
        },
    )
    assert response["Location"] == reverse("shop:account")


def test_signup_with_mismatched_passwords_is_a_form_error(client):
    response = client.post(
        reverse("shop:signup"),
        {"username": "x1", "email": "x@example.com", "password1": "aaaa-bbbb-1", "password2": "zz"},
    )
    assert response.status_code == 400
    assert "didn’t match" in response.content.decode()


def test_logout_is_a_post(shopper_client):
    assert shopper_client.get(reverse("shop:logout")).status_code == 405
    assert shopper_client.post(reverse("shop:logout")).status_code == 302
    assert "_auth_user_id" not in shopper_client.session


def test_password_reset_sends_a_console_email_with_a_working_link(client, user, settings):
    settings.SITE_URL = "https://shop.example"
    response = client.post(reverse("shop:password_reset"), {"email": user.email})
    assert response["Location"] == reverse("shop:password_reset_done")
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    # The link is absolute on the public site address (SITE_URL), like every other mail's links.
    path = link.split("https://shop.example", 1)[1]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert path in mail.outbox[0].alternatives[0][0]
    confirm = client.get(path, follow=True)
    assert "new_password1" in confirm.content.decode()


def test_password_change_works(shopper_client, user):
    response = shopper_client.post(
        reverse("shop:password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-long-pass-77",
            "new_password2": "another-long-pass-77",
        },
    )
    assert response["Location"] == reverse("shop:password_change_done")
    user.refresh_from_db()
    assert user.check_password("another-long-pass-77")


def test_account_page_lists_addresses(shopper_client, user):
    AddressFactory(user=user, city="Leipzig")
    response = shopper_client.get(reverse("shop:account"))
    assert "Leipzig" in response.content.decode()


def test_address_add_makes_the_first_address_default(shopper_client, user):
    response = shopper_client.post(reverse("shop:address_add"), address_data(city="Köln"))
    assert response.status_code == 302
    assert list(user.addresses.values_list("city", "is_default")) == [("Köln", True)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("city", ""),
        ("country", "Germany"),
        ("city", "x" * 101),
        ("full_name", "a\x00b"),
        ("line1", "bell\x07"),
    ],
)
def test_address_add_refuses_bad_input(shopper_client, user, field, value):
    response = shopper_client.post(reverse("shop:address_add"), address_data(**{field: value}))
    assert response.status_code == 400
    assert not Address.objects.exists()


def test_address_edit_and_default_and_delete(shopper_client, user):
    first = AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user)
    shopper_client.post(reverse("shop:address_edit", args=[second.id]), address_data(city="Bonn"))
    shopper_client.post(reverse("shop:address_default", args=[second.id]))
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.city, second.is_default, first.is_default) == ("Bonn", True, False)
    shopper_client.post(reverse("shop:address_delete", args=[second.id]))
    first.refresh_from_db()
    assert first.is_default is True
    assert list(user.addresses.all()) == [first]


def test_another_shoppers_address_is_404_everywhere(shopper_client, other_user):
    address = AddressFactory(user=other_user)
    urls = [
        reverse(name, args=[address.id])
        for name in ("shop:address_edit", "shop:address_delete", "shop:address_default")
    ]
    assert shopper_client.get(urls[0]).status_code == 404
    assert [shopper_client.post(url).status_code for url in urls] == [404, 404, 404]
    assert Address.objects.filter(id=address.id, user=other_user).exists()


def test_language_switcher_renders_the_cart_in_chinese(client):
    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("shop:cart")}, follow=True
    )
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "购物车" in body
    assert "您的购物车是空的。" in body
    assert ">登录<" in body


@pytest.mark.parametrize("email", ["shopper1@example.com", "  SHOPPER1@Example.COM "])
def test_signup_refuses_an_email_address_another_account_has(client, user, email):
    user.email = "shopper1@example.com"
    user.save()
    response = client.post(
        reverse("shop:signup"),
        {
            "username": "copycat",
            "email": email,
            "password1": "a-long-unusual-pass-42",
            "password2": "a-long-unusual-pass-42",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "An account with this email address already exists." in page
    assert "shopper1</" not in page  # the other account is not named
    assert response.context["form"].errors == {
        "email": [
            "An account with this email address already exists. Sign in, or reset your password."
        ]
    }
