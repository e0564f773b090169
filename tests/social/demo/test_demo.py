from __future__ import annotations

import random

from django.db.models import F

from shop.models import OrderLine
from social import demo
from social.models import Comment, Follow, Like, Post, PostProduct
from tests.factories import ProductFactory, UserFactory
from tests.social.conftest import make_order


def test_demo_seed_builds_a_consistent_graph(db):
    users = [UserFactory(username=f"demo{i}") for i in range(12)]
    UserFactory(username="shopper")
    products = ProductFactory.create_batch(5)
    for index, user in enumerate(users):
        make_order(user, [products[index % 5], products[(index + 1) % 5]])

    demo.seed(rng=random.Random(1), small=True, log=lambda message: None)

    assert Follow.objects.count() > 12
    assert not Follow.objects.filter(follower_id=F("followee_id")).exists()
    assert Post.objects.count() >= 12
    # Every tag on a written post is a product its author bought (the badge is true).
    for tag in PostProduct.objects.filter(post__kind="post").select_related("post"):
        assert OrderLine.objects.filter(
            order__user_id=tag.post.author_id, product_id=tag.product_id
        ).exists()
        assert tag.verified_purchase is True
    for post in Post.objects.all():
        assert post.like_count == Like.objects.filter(post=post).count()
        assert post.comment_count == Comment.objects.filter(post=post).count()


def test_demo_posts_have_photos_with_tags_on_them(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PICTURE_CACHE", str(tmp_path / "cache"))
    from social.models import PostImage

    users = [UserFactory(username=f"demo{i}") for i in range(8)]
    UserFactory(username="shopper")
    products = ProductFactory.create_batch(4)
    for index, user in enumerate(users):
        make_order(user, [products[index % 4], products[(index + 1) % 4]])

    demo.seed(rng=random.Random(2), small=True, log=lambda message: None)

    photo_posts = Post.objects.filter(images__isnull=False).distinct()
    assert photo_posts.count() >= 8
    first = PostImage.objects.filter(position=0).first()
    assert (first.width, (tmp_path / "media" / first.image.name).exists()) == (1080, True)
    placed = PostProduct.objects.filter(image__isnull=False)
    assert placed.exists()
    assert all(0 <= tag.x <= 1 and 0 <= tag.y <= 1 for tag in placed)
    assert all(tag.image.post_id == tag.post_id for tag in placed)


def test_demo_group_buy_takes_an_in_stock_size_when_the_first_is_sold_out(db):
    """Members commit to a variant: a product whose first size is sold out gets its group on a size in stock."""
    from decimal import Decimal

    from social.demo.groupbuy import group_buys_seed
    from social.models import GroupBuy, GroupBuyMember
    from tests.factories.variants import variant_product

    UserFactory(username="shopper")
    UserFactory.create_batch(4)
    sold_out_first, variants = variant_product(
        sizes=("S", "M"), stock={"S / Navy": 0, "M / Navy": 30}, group_price=Decimal("9.00")
    )
    stocked = ProductFactory(stock=30, group_price=Decimal("9.00"))

    group_buys_seed(rng=random.Random(3), small=False, log=lambda message: None)

    assert set(GroupBuy.objects.values_list("product_id", flat=True)) == {
        sold_out_first.id,
        stocked.id,
    }
    members = GroupBuyMember.objects.filter(group__product=sold_out_first)
    assert set(members.values_list("variant_id", flat=True)) == {variants["M / Navy"].id}
