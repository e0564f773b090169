from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from social import services
from social.models import Comment, Like, Notification, Post, PostProduct
from tests.factories import ProductFactory
from tests.factories.social import BlockFactory, FollowFactory, PostFactory


def _png(name="p.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_post_with_pictures_and_products(ana, order_for):
    bought, other = ProductFactory(), ProductFactory()
    order_for(ana, [bought])

    post = services.post_create(
        author=ana, body="My new look", images=[_png(), _png()], product_ids=[bought.pk, other.pk]
    )

    assert post.images.count() == 2
    assert all(image.image.name.endswith(".jpg") for image in post.images.all())
    tags = {tag.product_id: tag.verified_purchase for tag in post.product_tags.all()}
    assert tags == {bought.pk: True, other.pk: False}


def test_cancelled_order_gives_no_verified_badge(ana, order_for):
    product = ProductFactory()
    order_for(ana, [product], status="cancelled")

    post = services.post_create(author=ana, body="hm", product_ids=[product.pk])

    assert post.product_tags.get().verified_purchase is False


def test_post_needs_some_content(ana):
    with pytest.raises(ValidationError) as excinfo:
        services.post_create(author=ana, body="   ")

    assert "body" in excinfo.value.message_dict


def test_at_most_six_pictures(ana):
    with pytest.raises(ValidationError) as excinfo:
        services.post_create(author=ana, body="x", images=[_png() for _ in range(10)])

    assert excinfo.value.message_dict["images"] == ["Add at most 9 pictures."]


def test_at_most_five_products(ana):
    products = ProductFactory.create_batch(6)

    with pytest.raises(ValidationError) as excinfo:
        services.post_create(author=ana, body="x", product_ids=[p.pk for p in products])

    assert excinfo.value.message_dict["products"] == ["Tag at most 5 products."]


def test_unknown_product_is_refused(ana):
    with pytest.raises(ValidationError):
        services.post_create(author=ana, body="x", product_ids=[999999])


def test_bad_picture_is_refused_and_nothing_stored(ana):
    bad = SimpleUploadedFile("x.png", b"<svg><script>alert(1)</script></svg>")

    with pytest.raises(ValidationError) as excinfo:
        services.post_create(author=ana, body="x", images=[bad])

    assert "images" in excinfo.value.message_dict
    assert not Post.objects.exists()


def test_author_edits_body_and_products(ana):
    first, second = ProductFactory(), ProductFactory()
    post = services.post_create(author=ana, body="before", product_ids=[first.pk])

    services.post_update(post=post, actor=ana, body="after", product_ids=[second.pk])

    post.refresh_from_db()
    assert post.body == "after"
    assert list(PostProduct.objects.filter(post=post).values_list("product_id", flat=True)) == [
        second.pk
    ]


def test_only_author_edits_or_deletes(ana, ben):
    post = PostFactory(author=ana)

    with pytest.raises(PermissionDenied):
        services.post_update(post=post, actor=ben, body="hacked")
    with pytest.raises(PermissionDenied):
        services.post_delete(post=post, actor=ben)


def test_author_deletes_post_and_its_pictures(ana, django_capture_on_commit_callbacks):
    import os

    post = services.post_create(author=ana, body="bye", images=[_png()])
    path = post.images.get().image.path
    assert os.path.exists(path)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=post, actor=ana)

    assert not Post.objects.exists()
    assert not os.path.exists(path)


def test_mention_notifies_visible_users_only(ana, ben, cleo):
    services.privacy_update(user=ana, is_private=True)
    FollowFactory(follower=ben, followee=ana)

    services.post_create(author=ana, body="hi @ben and @cleo and @nobody")

    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("ben", "mention")
    ]


def test_mention_across_block_does_not_notify(ana, ben):
    BlockFactory(blocker=ben, blocked=ana)

    services.post_create(author=ana, body="hello @ben")

    assert not Notification.objects.filter(recipient=ben).exists()


def test_like_counts_and_notifies_once(ana, ben):
    post = PostFactory(author=ana)

    assert services.like_create(user=ben, post=post) is True
    assert services.like_create(user=ben, post=post) is False

    post.refresh_from_db()
    assert post.like_count == 1
    assert Notification.objects.filter(recipient=ana, kind="like").count() == 1


def test_unlike_decrements(ana, ben):
    post = PostFactory(author=ana)
    services.like_create(user=ben, post=post)

    services.like_delete(user=ben, post=post)

    post.refresh_from_db()
    assert post.like_count == 0
    assert not Like.objects.exists()


def test_cannot_like_invisible_post(ana, ben):
    services.privacy_update(user=ana, is_private=True)
    post = PostFactory(author=ana)

    with pytest.raises(PermissionDenied):
        services.like_create(user=ben, post=post)


def test_comment_and_reply_notify(ana, ben, cleo):
    post = PostFactory(author=ana)

    top = services.comment_create(author=ben, post=post, body="Where from?")
    reply = services.comment_create(author=cleo, post=post, body="same q", parent_id=top.pk)

    post.refresh_from_db()
    assert post.comment_count == 2
    assert reply.parent_id == top.pk
    assert sorted(Notification.objects.values_list("recipient__username", "kind")) == [
        ("ana", "comment"),
        ("ana", "comment"),
        ("ben", "reply"),
    ]


def test_reply_to_reply_stays_one_level(ana, ben, cleo):
    post = PostFactory(author=ana)
    top = services.comment_create(author=ben, post=post, body="1")
    reply = services.comment_create(author=cleo, post=post, body="2", parent_id=top.pk)

    nested = services.comment_create(author=ana, post=post, body="3", parent_id=reply.pk)

    assert nested.parent_id == top.pk


def test_comment_mentions_notify(ana, ben, cleo):
    post = PostFactory(author=ana)

    services.comment_create(author=ben, post=post, body="@cleo look at this")

    assert Notification.objects.filter(recipient=cleo, kind="mention").count() == 1


def test_blocked_user_cannot_comment(ana, ben):
    post = PostFactory(author=ana)
    BlockFactory(blocker=ana, blocked=ben)

    with pytest.raises(PermissionDenied):
        services.comment_create(author=ben, post=post, body="hi")


def test_empty_comment_is_refused(ana, ben):
    post = PostFactory(author=ana)

    with pytest.raises(ValidationError):
        services.comment_create(author=ben, post=post, body="  ")


def test_comment_delete_by_post_author_removes_replies(ana, ben, cleo):
    post = PostFactory(author=ana)
    top = services.comment_create(author=ben, post=post, body="1")
    services.comment_create(author=cleo, post=post, body="2", parent_id=top.pk)

    services.comment_delete(comment=top, actor=ana)

    post.refresh_from_db()
    assert post.comment_count == 0
    assert not Comment.objects.exists()


def test_stranger_cannot_delete_comment(ana, ben, cleo):
    comment = services.comment_create(author=ben, post=PostFactory(author=ana), body="1")

    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, actor=cleo)


def test_purchase_share_is_idempotent_and_tags_products(ana, order_for):
    products = ProductFactory.create_batch(2)
    order = order_for(ana, products)

    post = services.purchase_share(order=order)
    again = services.purchase_share(order=order)

    assert post.pk == again.pk
    assert post.kind == Post.Kind.PURCHASE
    assert [(t.product_id, t.verified_purchase) for t in post.product_tags.all()] == [
        (products[0].pk, True),
        (products[1].pk, True),
    ]


def test_cancelled_order_is_not_shared(ana, order_for):
    order = order_for(ana, [ProductFactory()], status="cancelled")

    assert services.purchase_share(order=order) is None


def test_review_share(ana):
    from shop.models import Review

    product = ProductFactory()
    review = Review.objects.create(
        product=product, user=ana, rating=4, body="Good", verified_purchase=True
    )

    post = services.review_share(review=review)

    assert post.kind == Post.Kind.REVIEW
    assert post.product_tags.get().verified_purchase is True
    assert services.review_share(review=review).pk == post.pk


def test_suspended_user_cannot_post(ana):
    from datetime import timedelta

    from django.utils import timezone

    profile = services.profile_get_or_create(user=ana)
    profile.suspended_until = timezone.now() + timedelta(days=1)
    profile.save()
    ana.refresh_from_db()

    with pytest.raises(PermissionDenied):
        services.post_create(author=ana, body="x")
