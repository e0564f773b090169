"""A message sent from a product page carries that product to the assistant (a hint, validated)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from support.models import Message
from support.services import page_product_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]


@pytest.fixture
def shopper(user):
    client = APIClient()
    client.force_login(user)
    return client


def send(client, conversation, **extra):
    return client.post(
        reverse("support-api:messages", kwargs={"conversation_id": conversation.id}),
        {"client_id": "c1", "body": "Is it waterproof?", **extra},
        format="json",
    )


def test_the_page_product_reaches_the_assistant(
    shopper, conversation, product, fake_assistant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(shopper, conversation, product_id=product.id)

    assert response.status_code == 201
    _text, context = fake_assistant[0]
    assert context.product_id == product.id


def test_without_a_page_product_the_assistant_gets_none(
    shopper, conversation, fake_assistant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(shopper, conversation)

    _text, context = fake_assistant[0]
    assert context.product_id is None


def test_a_product_id_that_is_not_a_number_is_400_and_stores_nothing(shopper, conversation):
    response = send(shopper, conversation, product_id="shoes")

    assert response.status_code == 400
    assert "product_id" in response.json()
    assert not Message.objects.filter(conversation=conversation, role="shopper").exists()


@pytest.mark.parametrize("value", [0, -3, True, "7", None, 2.5])
def test_only_a_positive_whole_number_becomes_the_page_product(value):
    assert page_product_payload(value) == {}


def test_a_positive_whole_number_becomes_the_page_product():
    assert page_product_payload(7) == {"page_product_id": 7}
