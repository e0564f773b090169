"""recsys.services.data: the training input read from the database through the selectors."""

from __future__ import annotations

import pytest

from recsys.services.data import load_dataset, load_training_input
from shop.models import ProductEvent, Review, WishlistItem
from social.models import Follow, Profile
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def record(user, product, kind):
    from django.utils import timezone

    ProductEvent.objects.create(user=user, product=product, kind=kind, created_at=timezone.now())


@pytest.fixture
def shop_activity():
    ana, ben, cleo = (UserFactory(username=n) for n in ("ana", "ben", "cleo"))
    hose, trowel = ProductFactory(), ProductFactory()
    record(ana, hose, "view")
    record(ben, hose, "cart")
    WishlistItem.objects.create(user=cleo, product=trowel)
    Review.objects.create(user=ben, product=trowel, rating=4)
    Follow.objects.create(follower=ana, followee=ben)
    Follow.objects.create(follower=cleo, followee=ana)
    return ana, ben, cleo, hose, trowel


def test_training_input_holds_every_signal(shop_activity):
    ana, ben, cleo, hose, trowel = shop_activity
    data = load_training_input()
    rows = sorted(zip(data.log.user_keys, data.log.item_keys, data.log.kinds, strict=True))
    assert rows == sorted(
        [
            (ana.pk, hose.pk, "view"),
            (ben.pk, hose.pk, "cart"),
            (cleo.pk, trowel.pk, "wishlist"),
            (ben.pk, trowel.pk, "rating"),
        ]
    )
    assert sorted(data.follows) == sorted([(ana.pk, ben.pk), (cleo.pk, ana.pk)])


def test_users_who_opted_out_are_left_out_entirely(shop_activity):
    ana, ben, cleo, hose, trowel = shop_activity
    Profile.objects.create(user=ana, personalise_recommendations=False)
    data = load_training_input()
    assert ana.pk not in set(data.log.user_keys)
    assert all(ana.pk not in pair for pair in data.follows)
    assert ana.pk in data.excluded_user_ids
    dataset = load_dataset()
    assert ana.pk not in set(dataset.user_keys)


def test_deleted_users_are_left_out(shop_activity):
    from social.services import account_delete

    ana, ben, cleo, hose, trowel = shop_activity
    account_delete(user=ben)
    data = load_training_input()
    assert set(data.log.user_keys) == {ana.pk, cleo.pk}
    assert data.follows == [(cleo.pk, ana.pk)]


def test_inactive_accounts_are_left_out(shop_activity):
    ana, ben, cleo, hose, trowel = shop_activity
    ben.is_active = False
    ben.save()
    assert ben.pk not in set(load_training_input().log.user_keys)


def test_dataset_has_item_metadata_features(shop_activity):
    _, _, _, hose, _ = shop_activity
    dataset = load_dataset()
    row = dataset.item_index()[hose.pk]
    names = {dataset.item_feature_names[c] for c in dataset.item_features[row].indices}
    assert f"item:{hose.pk}" in names
    assert f"category:{hose.category.slug}" in names


def test_evaluate_recommender_prints_the_protocol_as_json():
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    users = [UserFactory(username=f"u{n}") for n in range(12)]
    products = [ProductFactory() for _ in range(10)]
    for n, user in enumerate(users):
        for product in products[(n % 2) * 5 : (n % 2) * 5 + 5]:
            ProductEvent.objects.create(
                user=user, product=product, kind="view", created_at=timezone.now()
            )
        Follow.objects.create(follower=user, followee=users[(n + 2) % 12])
    out = StringIO()
    call_command("evaluate_recommender", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert set(figures["warm"]) == {"model", "identity_only", "popularity"}
    assert figures["warm"]["model"]["overall"]["n_users"] == 12
    assert set(figures["warm"]["model"]["overall"]) >= {"precision", "recall", "ndcg", "map", "auc"}
    assert figures["counts"]["cold_users"] == 2


def test_likes_of_posts_that_tag_a_product_are_like_signals(shop_activity):
    from social.models import Like, Post, PostProduct

    ana, ben, cleo, hose, trowel = shop_activity
    post = Post.objects.create(author=ben, body="My new trowel")
    PostProduct.objects.create(post=post, product=trowel)
    Like.objects.create(post=post, user=ana)
    data = load_training_input()
    rows = set(zip(data.log.user_keys, data.log.item_keys, data.log.kinds, strict=True))
    assert (ana.pk, trowel.pk, "like") in rows


def test_favourite_categories_become_user_features(shop_activity):
    ana, ben, cleo, hose, trowel = shop_activity
    profile = Profile.objects.create(user=ana)
    profile.favourite_categories.add(hose.category)
    dataset = load_dataset()
    row = dataset.user_index()[ana.pk]
    names = {dataset.user_feature_names[c] for c in dataset.user_features[row].indices}
    assert f"likes:{hose.category.slug}" in names
    assert f"follows:{ben.pk}" in names
