"""The explore grid: only posts with photos, ranked for the shopper, under the feed's privacy rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from social import selectors
from social.hooks import explore_product_affinity
from social.models import Post, Profile
from social.services import PhotoTag
from tests.factories import ProductFactory, UserFactory
from tests.factories.social import BlockFactory, FollowFactory, MuteFactory, PostFactory


def _ids(viewer, **kwargs):
    return [post.pk for post in selectors.explore_page(viewer=viewer, **kwargs).items]


def test_only_posts_with_photos_and_not_my_own(ana, ben, photo_post):
    with_photo = photo_post(ben)
    PostFactory(author=ben)  # text only
    photo_post(ana)
    assert _ids(ana) == [with_photo.pk]


def test_private_authors_show_to_approved_followers_only(ana, ben, cleo, photo_post):
    Profile.objects.update_or_create(user=ben, defaults={"is_private": True})
    post = photo_post(ben)
    FollowFactory(follower=cleo, followee=ben)
    assert _ids(ana) == []
    assert _ids(cleo) == [post.pk]


@pytest.mark.parametrize("direction", ["i_block", "they_block"])
def test_blocks_hide_posts_both_ways(ana, ben, photo_post, direction):
    photo_post(ben)
    if direction == "i_block":
        BlockFactory(blocker=ana, blocked=ben)
    else:
        BlockFactory(blocker=ben, blocked=ana)
    assert _ids(ana) == []


def test_a_block_after_ranking_applies_on_the_next_page(ana, ben, photo_post):
    photo_post(ben)
    assert len(_ids(ana)) == 1  # ranked and cached
    BlockFactory(blocker=ben, blocked=ana)
    assert _ids(ana) == []


def test_muted_authors_are_left_out(ana, ben, photo_post):
    photo_post(ben)
    MuteFactory(muter=ana, muted=ben)
    assert _ids(ana) == []


def test_anonymous_visitors_see_public_posts(ben, cleo, photo_post):
    from django.contrib.auth.models import AnonymousUser

    Profile.objects.update_or_create(user=cleo, defaults={"is_private": True})
    public = photo_post(ben)
    photo_post(cleo)
    assert _ids(AnonymousUser()) == [public.pk]


def test_people_i_follow_rank_above_fresher_strangers(ana, ben, cleo, photo_post):
    followed = photo_post(ben)
    Post.objects.filter(pk=followed.pk).update(created_at=timezone.now() - timedelta(days=2))
    stranger = photo_post(cleo)
    FollowFactory(follower=ana, followee=ben)
    assert _ids(ana) == [followed.pk, stranger.pk]


def test_posts_tagging_products_the_recommender_likes_rank_first(
    ana, ben, cleo, photo_post, monkeypatch
):
    liked_product, other_product = ProductFactory(), ProductFactory()
    liked = photo_post(ben, tags=[PhotoTag(product_id=liked_product.pk, photo=0, x=0.5, y=0.5)])
    Post.objects.filter(pk=liked.pk).update(created_at=timezone.now() - timedelta(days=3))
    fresh = photo_post(cleo, tags=[PhotoTag(product_id=other_product.pk)])

    def affinity(user):
        return {liked_product.pk: 1.0} if user.pk == ana.pk else {}

    monkeypatch.setattr(explore_product_affinity, "_receivers", [affinity])
    assert _ids(ana) == [liked.pk, fresh.pk]


def test_fresh_first_when_nothing_else_differs(ana, ben, cleo, photo_post):
    old = photo_post(ben)
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    new = photo_post(cleo)
    assert _ids(ana) == [new.pk, old.pk]


def test_pages_follow_one_ranking_without_repeats(ana, photo_post):
    authors = [UserFactory() for _ in range(5)]
    for author in authors:
        photo_post(author)
    first = selectors.explore_page(viewer=ana, page=1, page_size=2)
    second = selectors.explore_page(viewer=ana, page=2, page_size=2)
    third = selectors.explore_page(viewer=ana, page=3, page_size=2)
    seen = [p.pk for page in (first, second, third) for p in page.items]
    assert (len(seen), len(set(seen))) == (5, 5)
    assert (first.next_page, second.next_page, third.next_page) == (2, 3, None)


def test_a_page_costs_a_fixed_number_of_queries(ana, photo_post, django_assert_num_queries):
    for _ in range(6):
        photo_post(UserFactory(), photos=2)
    selectors.explore_rank(viewer=ana)  # ranked (cached) as the first page does
    with django_assert_num_queries(3):
        page = selectors.explore_page(viewer=ana, page_size=6)
        assert len(page.items) == 6
