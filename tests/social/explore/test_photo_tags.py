"""Posts with up to 9 ordered photos with alt texts, and product tags placed on a photo."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from social import services
from social.models import PostImage, PostProduct
from social.services import PhotoTag
from tests.factories import ProductFactory
from tests.social.explore.conftest import png


def test_nine_photos_are_kept_in_order_with_their_alt_texts(ana):
    alts = [f"photo {n}" for n in range(9)]
    post = services.post_create(author=ana, images=[png() for _ in range(9)], image_alt_texts=alts)
    images = list(post.images.order_by("position"))
    assert [image.alt_text for image in images] == alts
    assert [image.position for image in images] == list(range(9))
    assert (images[0].width, images[0].height) == (40, 30)


def test_a_tag_is_placed_on_its_photo(ana):
    product = ProductFactory()
    post = services.post_create(
        author=ana,
        images=[png(), png()],
        tags=[PhotoTag(product_id=product.pk, photo=1, x=0.25, y=0.75)],
    )
    tag = PostProduct.objects.get(post=post)
    second = post.images.get(position=1)
    assert (tag.product_id, tag.image_id, tag.x, tag.y) == (product.pk, second.pk, 0.25, 0.75)


@pytest.mark.parametrize(
    ("x", "y"), [(-0.01, 0.5), (0.5, 1.01), (1.5, 0.2), (float("nan"), 0.5), (0.1, float("inf"))]
)
def test_a_tag_outside_the_photo_is_refused_and_nothing_is_stored(ana, x, y):
    product = ProductFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.post_create(
            author=ana, images=[png()], tags=[PhotoTag(product_id=product.pk, photo=0, x=x, y=y)]
        )
    assert excinfo.value.message_dict["tags"] == [
        "A tag must lie on its photo: x and y are fractions from 0 to 1."
    ]
    assert not PostImage.objects.exists()


def test_a_tag_on_a_photo_the_post_lacks_is_refused(ana):
    product = ProductFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.post_create(
            author=ana,
            images=[png()],
            tags=[PhotoTag(product_id=product.pk, photo=2, x=0.1, y=0.1)],
        )
    assert excinfo.value.message_dict["tags"] == ["A tag is on photo 3, but the post has 1 photos."]


@pytest.mark.parametrize("published", [False, None])
def test_a_tag_on_an_unpublished_or_unknown_product_is_refused(ana, published):
    product_id = ProductFactory(is_active=False).pk if published is False else 987654
    with pytest.raises(ValidationError) as excinfo:
        services.post_create(
            author=ana,
            images=[png()],
            tags=[PhotoTag(product_id=product_id, photo=0, x=0.5, y=0.5)],
        )
    assert excinfo.value.message_dict["tags"] == [
        f"Product {product_id} does not exist or is not on sale."
    ]


def test_tags_parse_refuses_malformed_input():
    with pytest.raises(ValidationError) as excinfo:
        services.photo_tags_parse('[{"product_id": 1, "photo": 0, "x": "left", "y": 0.5}]')
    assert excinfo.value.message_dict["tags"] == [
        "A placed tag needs a photo number and x and y between 0 and 1."
    ]


def test_tags_parse_reads_json_text():
    assert services.photo_tags_parse('[{"product_id": 3, "photo": 0, "x": 0.5, "y": 1}]') == [
        PhotoTag(product_id=3, photo=0, x=0.5, y=1.0)
    ]


def test_tags_set_replaces_places_and_keeps_the_verified_badge(ana, order_for):
    bought, other = ProductFactory(), ProductFactory()
    order_for(ana, [bought])
    post = services.post_create(author=ana, images=[png()], product_ids=[bought.pk, other.pk])
    services.post_tags_set(
        post=post, actor=ana, tags=[PhotoTag(product_id=bought.pk, photo=0, x=0.4, y=0.6)]
    )
    tags = list(PostProduct.objects.filter(post=post))
    assert [(t.product_id, t.x, t.y, t.verified_purchase) for t in tags] == [
        (bought.pk, 0.4, 0.6, True)
    ]


def test_removing_a_photo_unplaces_its_tags(ana):
    product = ProductFactory()
    post = services.post_create(
        author=ana, images=[png()], tags=[PhotoTag(product_id=product.pk, photo=0, x=0.5, y=0.5)]
    )
    services.post_update(post=post, actor=ana, remove_image_ids=[post.images.get().pk])
    tag = PostProduct.objects.get(post=post)
    assert (tag.image_id, tag.x, tag.y) == (None, None, None)


def test_deleting_a_post_with_placed_tags_works(ana):
    product = ProductFactory()
    post = services.post_create(
        author=ana, images=[png()], tags=[PhotoTag(product_id=product.pk, photo=0, x=0.5, y=0.5)]
    )
    services.post_delete(post=post, actor=ana)
    assert not PostProduct.objects.exists()
