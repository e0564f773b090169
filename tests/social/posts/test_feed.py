from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from social import selectors, services
from social.models import Follow
from tests.factories import ProductFactory, UserFactory
from tests.factories.social import (
    BlockFactory,
    FollowFactory,
    MuteFactory,
    PostFactory,
    PostProductFactory,
)


def _ids(page):
    return [post.pk for post in page.items]


def test_feed_shows_followees_and_own_posts_newest_first(ana, ben, cleo):
    FollowFactory(follower=ana, followee=ben)
    now = timezone.now()
    old = PostFactory(author=ben, created_at=now - timedelta(hours=2))
    mine = PostFactory(author=ana, created_at=now - timedelta(hours=1))
    new = PostFactory(author=ben, created_at=now)
    PostFactory(author=cleo, created_at=now)  # not followed

    page = selectors.feed_for_user(user=ana)

    assert _ids(page) == [new.pk, mine.pk, old.pk]
    assert page.next_cursor is None


def test_feed_includes_shared_purchases_and_reviews(ana, ben, order_for):
    from shop.models import Review

    FollowFactory(follower=ana, followee=ben)
    product = ProductFactory()
    purchase = services.purchase_share(order=order_for(ben, [product]))
    review = services.review_share(
        review=Review.objects.create(product=product, user=ben, rating=5, body="great")
    )

    assert set(_ids(selectors.feed_for_user(user=ana))) == {purchase.pk, review.pk}


def test_muted_and_blocked_never_appear(ana, ben, cleo):
    FollowFactory(follower=ana, followee=ben)
    FollowFactory(follower=ana, followee=cleo)
    MuteFactory(muter=ana, muted=ben)
    BlockFactory(blocker=cleo, blocked=ana)
    PostFactory(author=ben)
    PostFactory(author=cleo)

    assert selectors.feed_for_user(user=ana).items == []


def test_pending_follow_does_not_show_private_posts(ana, ben):
    services.privacy_update(user=ben, is_private=True)
    FollowFactory(follower=ana, followee=ben, status=Follow.Status.PENDING)
    PostFactory(author=ben)

    assert selectors.feed_for_user(user=ana).items == []


def test_approved_follower_sees_private_posts(ana, ben):
    services.privacy_update(user=ben, is_private=True)
    FollowFactory(follower=ana, followee=ben)
    post = PostFactory(author=ben)

    assert _ids(selectors.feed_for_user(user=ana)) == [post.pk]


def test_hidden_posts_never_appear(ana, ben):
    FollowFactory(follower=ana, followee=ben)
    PostFactory(author=ben, is_hidden=True)

    assert selectors.feed_for_user(user=ana).items == []


def test_cursor_pagination_is_stable_while_new_posts_arrive(ana, ben):
    FollowFactory(follower=ana, followee=ben)
    start = timezone.now() - timedelta(days=1)
    posts = [PostFactory(author=ben, created_at=start + timedelta(minutes=i)) for i in range(7)]
    # Two posts with the same timestamp: the id breaks the tie.
    twin = PostFactory(author=ben, created_at=posts[3].created_at)

    first = selectors.feed_for_user(user=ana, page_size=3)
    PostFactory(author=ben)  # arrives while reading
    PostFactory(author=ben)
    second = selectors.feed_for_user(user=ana, cursor=first.next_cursor, page_size=3)
    third = selectors.feed_for_user(user=ana, cursor=second.next_cursor, page_size=3)

    seen = _ids(first) + _ids(second) + _ids(third)
    expected = [
        p.pk for p in sorted([*posts, twin], key=lambda p: (p.created_at, p.pk), reverse=True)
    ]
    assert seen == expected
    assert third.next_cursor is None


def test_invalid_cursor_is_a_validation_error(ana):
    with pytest.raises(ValidationError):
        selectors.feed_for_user(user=ana, cursor="not-a-cursor!!")


def _fill_feed(viewer, count, *, with_images=False):
    from social.models import PostImage

    authors = [UserFactory() for _ in range(3)]
    for author in authors:
        FollowFactory(follower=viewer, followee=author)
    for i in range(count):
        post = PostFactory(author=authors[i % 3])
        PostProductFactory(post=post)
        if with_images:
            PostImage.objects.create(post=post, image=f"posts/{i}.jpg", alt_text="pic")
        services.like_create(user=viewer, post=post)


# posts (with the id subquery) + tagged products with their first picture, and the post pictures only when a post
# on the page has any: the same number whatever the page size.
@pytest.mark.parametrize(
    ("page_size", "with_images", "queries"),
    [(2, False, 2), (10, False, 2), (2, True, 3), (10, True, 3)],
)
def test_feed_query_count_is_fixed(ana, page_size, with_images, queries, django_assert_num_queries):
    _fill_feed(ana, 12, with_images=with_images)

    with django_assert_num_queries(queries):
        page = selectors.feed_for_user(user=ana, page_size=page_size)
        for post in page.items:
            assert post.liked_by_me is True
            assert [tag.product.name for tag in post.product_tags.all()]
            assert len(post.images.all()) == (1 if with_images else 0)
            assert post.author.username

    assert len(page.items) == page_size


def test_feed_page_query_count_does_not_grow_with_items(ana, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ana)
    _fill_feed(ana, 2)
    client.get("/social/")  # warm site-wide caches (navigation) so only the feed is compared
    with CaptureQueriesContext(connection) as small:
        assert client.get("/social/").status_code == 200
    _fill_feed(ana, 15)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/social/")

    assert response.status_code == 200
    assert response.content.count(b'class="post-card"') == 17
    assert len(large.captured_queries) == len(small.captured_queries)
