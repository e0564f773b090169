"""Small avatars beside names in comments and follow lists: decorative (`alt=""`, the name is next to them),
and read with the rows (the profile is selected with each author), so the query count does not grow per row."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from social.models import Profile
from tests.factories import UserFactory
from tests.factories.social import CommentFactory, FollowFactory, PostFactory

pytestmark = pytest.mark.django_db

# The page computes the suggestions itself (graph, purchases, categories, the people with their profiles).
SUGGESTIONS_PAGE_QUERIES = 9
AVATAR = re.compile(r'<img src="/media/avatars/(\w+)\.png" alt="" width="(\d+)" height="\d+"')


def _with_avatar(username: str):
    person = UserFactory(username=username)
    Profile.objects.update_or_create(user=person, defaults={"avatar": f"avatars/{username}.png"})
    return person


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("count", [2, 8])
def test_comments_show_each_authors_avatar_in_a_fixed_number_of_queries(
    ana, count, django_assert_max_num_queries
):
    post = PostFactory(author=ana)
    authors = [_with_avatar(f"c{index}") for index in range(count)]
    for author in authors:
        CommentFactory(post=post, author=author)
    client = _signed_in(ana)
    url = f"/social/posts/{post.pk}/"
    client.get(url)  # shared parts are cached by the first visit

    with django_assert_max_num_queries(4):  # MAX_QUERIES["post"] in test_signed_in_pages.py
        html = client.get(url).content.decode()

    assert [(name, int(width)) for name, width in AVATAR.findall(html)] == [
        (author.username, 24) for author in authors
    ]


@pytest.mark.parametrize("count", [2, 8])
def test_follow_lists_show_avatars_in_a_fixed_number_of_queries(
    ana, ben, count, django_assert_num_queries
):
    followers = [_with_avatar(f"f{index}") for index in range(count)]
    for follower in followers:
        FollowFactory(follower=follower, followee=ben)
    FollowFactory(follower=ben, followee=followers[0])
    client = _signed_in(ana)
    client.get(f"/social/people/{ben.username}/followers/")

    with django_assert_num_queries(4):
        followers_html = client.get(f"/social/people/{ben.username}/followers/").content.decode()
    following_html = client.get(f"/social/people/{ben.username}/following/").content.decode()

    assert AVATAR.findall(followers_html) == [(f.username, "32") for f in followers]
    assert AVATAR.findall(following_html) == [(followers[0].username, "32")]


@pytest.mark.parametrize("count", [2, 8])
def test_people_you_may_know_cards_show_avatars_without_a_query_per_card(
    ana, ben, count, django_assert_num_queries
):
    """Everyone ben follows is suggested to ana (followed by someone she follows), with their face."""
    FollowFactory(follower=ana, followee=ben)
    suggested = [_with_avatar(f"s{index}") for index in range(count)]
    for person in suggested:
        FollowFactory(follower=ben, followee=person)
    client = _signed_in(ana)
    client.get("/social/suggestions/")  # shared parts are cached by the first visit

    with django_assert_num_queries(SUGGESTIONS_PAGE_QUERIES):
        html = client.get("/social/suggestions/").content.decode()

    assert sorted(AVATAR.findall(html)) == [(person.username, "40") for person in suggested]
