"""Factories for the social graph and posts."""

from __future__ import annotations

import factory

from social.models import Block, Comment, Follow, Mute, Post, PostProduct, Profile
from tests.factories import ProductFactory, UserFactory

__all__ = [
    "BlockFactory",
    "CommentFactory",
    "FollowFactory",
    "MuteFactory",
    "PostFactory",
    "PostProductFactory",
    "ProfileFactory",
]


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)
    status = Follow.Status.ACTIVE


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)


class MuteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mute

    muter = factory.SubFactory(UserFactory)
    muted = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Post number {n}")


class PostProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostProduct

    post = factory.SubFactory(PostFactory)
    product = factory.SubFactory(ProductFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    body = "Nice!"
