"""The API feed lists each post's own photos (in their order, with size and alt text) and none for a post
without photos."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from social.models import PostImage
from tests.factories import UserFactory
from tests.factories.social import PostFactory

pytestmark = pytest.mark.django_db


def test_feed_posts_list_their_photos_in_order():
    user = UserFactory()
    post = PostFactory(author=user)
    PostImage.objects.create(
        post=post, image="posts/b.jpg", alt_text="Back", position=1, width=4, height=3
    )
    PostImage.objects.create(
        post=post, image="posts/a.jpg", alt_text="Front", position=0, width=4, height=3
    )
    PostFactory(author=user)  # no photos
    client = APIClient()
    client.force_authenticate(user)
    results = client.get("/api/v1/social/feed/").json()["results"]
    by_id = {item["id"]: item for item in results}
    photos = by_id[post.pk]["images"]
    assert [(p["alt"], p["position"], p["width"]) for p in photos] == [
        ("Front", 0, 4),
        ("Back", 1, 4),
    ]
    assert photos[0]["url"].endswith("posts/a.jpg")
    assert [item["images"] for item in results if item["id"] != post.pk] == [[]]
