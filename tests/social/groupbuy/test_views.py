"""Group-buy pages: list, open form, group page with progress, join and leave with form errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from social.models import GroupBuy, GroupBuyMember
from tests.factories import ProductFactory
from tests.factories.community import APPROVE_CARD, group_product, make_group

pytestmark = pytest.mark.django_db

ADDRESS = {
    "full_name": "Ana Example",
    "line1": "Hauptstr. 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
    "quantity": "1",
}


def open_form(**changes):
    deadline = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return {
        **ADDRESS,
        "target_size": "3",
        "deadline": deadline,
        "payment_provider": "test_card",
        "card_number": APPROVE_CARD,
        **changes,
    }


def test_list_shows_open_groups(client):
    group = make_group()
    response = client.get(reverse("social:groupbuy_list"))
    assert response.status_code == 200
    assert group.get_absolute_url() in response.content.decode()


def test_open_form_creates_group_and_redirects(shopper_client):
    product = group_product()
    response = shopper_client.post(
        reverse("social:groupbuy_start", args=[product.slug]), open_form()
    )
    group = GroupBuy.objects.get()
    assert (response.status_code, response["Location"]) == (302, group.get_absolute_url())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_size": "0"}, "Ensure this value is greater than or equal to 2."),
        ({"target_size": "1000"}, "Ensure this value is less than or equal to 10."),
        ({"deadline": "2020-01-01T10:00"}, "The deadline is in the past."),
        ({"deadline": "soon"}, "Enter a valid date/time."),
        ({"card_number": "4000 0000 0000 0002"}, "Your card was declined."),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_open_form_shows_errors(shopper_client, changes, message):
    product = group_product()
    response = shopper_client.post(
        reverse("social:groupbuy_start", args=[product.slug]), open_form(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert GroupBuy.objects.count() == 0


def test_open_form_for_product_without_group_price_shows_error(shopper_client):
    product = ProductFactory(group_price=None)
    response = shopper_client.post(
        reverse("social:groupbuy_start", args=[product.slug]), open_form()
    )
    assert response.status_code == 400
    assert "This product has no group price." in response.content.decode()


def test_group_page_shows_progress_and_join_form(shopper_client):
    group = make_group(target_size=3)
    html = shopper_client.get(group.get_absolute_url()).content.decode()
    assert "1 of 3 people" in html
    assert reverse("social:groupbuy_join", args=[group.id]) in html
    assert 'hx-trigger="every 10s"' in html


def test_progress_fragment(client):
    group = make_group(target_size=4)
    response = client.get(reverse("social:groupbuy_progress", args=[group.id]))
    assert response.status_code == 200
    assert "1 of 4 people" in response.content.decode()


def test_join_and_leave_from_the_page(shopper_client, user):
    group = make_group()
    joined = shopper_client.post(
        reverse("social:groupbuy_join", args=[group.id]), {**ADDRESS, "payment_provider": "cod"}
    )
    assert joined.status_code == 302
    assert GroupBuyMember.objects.get(user=user).status == "active"
    left = shopper_client.post(reverse("social:groupbuy_leave", args=[group.id]))
    assert left.status_code == 302
    assert GroupBuyMember.objects.get(user=user).status == "left"


def test_join_twice_shows_error(shopper_client, user):
    group = make_group()
    url = reverse("social:groupbuy_join", args=[group.id])
    shopper_client.post(url, {**ADDRESS, "payment_provider": "cod"})
    response = shopper_client.post(url, {**ADDRESS, "payment_provider": "cod"})
    assert response.status_code == 400
    assert "You have already joined this group." in response.content.decode()


def test_join_expired_group_shows_error(shopper_client):
    group = make_group()
    GroupBuy.objects.filter(id=group.id).update(deadline=timezone.now() - timedelta(minutes=1))
    response = shopper_client.post(
        reverse("social:groupbuy_join", args=[group.id]), {**ADDRESS, "payment_provider": "cod"}
    )
    assert response.status_code == 400
    assert "This group buy has expired." in response.content.decode()


def test_join_requires_login(client):
    group = make_group()
    response = client.post(reverse("social:groupbuy_join", args=[group.id]), ADDRESS)
    assert response.status_code == 302
    assert GroupBuy.objects.get(id=group.id).member_count == 1


def test_missing_group_is_404(client):
    assert client.get(reverse("social:groupbuy_detail", args=[999999])).status_code == 404


def test_list_filters_by_product(client):
    wanted = make_group()
    make_group()
    response = client.get(reverse("social:groupbuy_list"), {"product": wanted.product_id})
    html = response.content.decode()
    assert wanted.get_absolute_url() in html
    assert html.count('class="groupbuy-card"') == 1


def test_list_with_bad_product_is_400(client):
    response = client.get(reverse("social:groupbuy_list"), {"product": "abc"})
    assert (response.status_code, response.content.decode()) == (
        400,
        "The product must be a number.",
    )


def test_product_page_offers_shop_together(client):
    product = group_product(group_price="9.99")
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Shop together and pay 9.99 each." in html
    assert reverse("social:groupbuy_start", args=[product.slug]) in html
