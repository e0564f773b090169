from __future__ import annotations

import pytest

from social.models import Block, Comment, Follow, Like, Mute, Notification, Post, Profile
from tests.factories import UserFactory
from tests.factories.social import CommentFactory, PostFactory


@pytest.mark.parametrize("model", [Profile, Follow, Block, Mute, Post, Comment, Like, Notification])
def test_admin_changelist_renders(client, db, model):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    CommentFactory(post=PostFactory(body="<script>alert(1)</script>"))

    response = client.get(f"/admin/social/{model._meta.model_name}/")

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_admin_post_change_page(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    post = PostFactory()

    assert client.get(f"/admin/social/post/{post.pk}/change/").status_code == 200
