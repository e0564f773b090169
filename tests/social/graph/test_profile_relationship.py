"""The profile page reads how the viewer stands towards the account in its one account query; it must say what
`relationship_between` says."""

from __future__ import annotations

import pytest

from social.models import Follow
from social.selectors import profile_page, relationship_between
from tests.factories import UserFactory
from tests.factories.social import BlockFactory, FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "state", ["stranger", "following", "requested", "follows me", "i blocked", "muted", "self"]
)
def test_profile_page_relationship_matches_the_selector(ana, state):
    ben = UserFactory(username="ben")
    target = ana if state == "self" else ben
    if state == "following":
        FollowFactory(follower=ana, followee=ben)
    if state == "requested":
        FollowFactory(follower=ana, followee=ben, status=Follow.Status.PENDING)
    if state == "follows me":
        FollowFactory(follower=ben, followee=ana)
    if state == "i blocked":
        BlockFactory(blocker=ana, blocked=ben)
    if state == "muted":
        MuteFactory(muter=ana, muted=ben)

    page = profile_page(viewer=ana, username=target.username)

    assert page.relationship == relationship_between(viewer=ana, target=target)


def test_follower_counts_count_active_follows_only(ana):
    ben, cleo = UserFactory(username="ben"), UserFactory(username="cleo")
    FollowFactory(follower=ben, followee=ana)
    FollowFactory(follower=cleo, followee=ana, status=Follow.Status.PENDING)
    FollowFactory(follower=ana, followee=cleo)

    page = profile_page(viewer=None, username=ana.username)

    assert (page.follower_count, page.following_count) == (1, 1)


def test_an_account_that_blocked_the_viewer_is_not_found(ana):
    from django.http import Http404

    ben = UserFactory(username="ben")
    BlockFactory(blocker=ben, blocked=ana)

    with pytest.raises(Http404):
        profile_page(viewer=ana, username="ben")
