"""recsys answers social's explore hook with the shopper's "for you" list by rank."""

from __future__ import annotations

from recsys.services import product_affinity_for_user, serving
from social.hooks import explore_product_affinity
from social.models import Profile
from tests.factories import ProductFactory, UserFactory


def test_recsys_answers_the_explore_hook():
    assert product_affinity_for_user in list(explore_product_affinity)


def test_affinity_follows_the_for_you_rank(db, monkeypatch):
    user = UserFactory()
    first, second = ProductFactory(), ProductFactory()

    class Item:
        def __init__(self, product):
            self.product = product

    monkeypatch.setattr(
        serving, "recommendations_for_user", lambda **kwargs: [Item(first), Item(second)]
    )
    assert product_affinity_for_user(user) == {first.pk: 1.0, second.pk: 0.5}


def test_no_affinity_for_a_shopper_who_opted_out(db):
    user = UserFactory()
    Profile.objects.update_or_create(user=user, defaults={"personalise_recommendations": False})
    assert product_affinity_for_user(user) == {}
