"""`followees_named`: the people a recommendation's reason may name, in one query."""

from __future__ import annotations

import pytest

from shop.models import User
from social.models import Follow, Profile
from social.selectors import FolloweeName, followees_named
from tests.factories import UserFactory
from tests.factories.social import BlockFactory, FollowFactory

pytestmark = pytest.mark.django_db


def test_names_and_purchase_sharing_of_active_follows(ana, django_assert_num_queries):
    ben, cleo = UserFactory(username="ben"), UserFactory(username="cleo")
    Profile.objects.update_or_create(
        user=ben, defaults={"display_name": "Ben B.", "share_purchases_default": True}
    )
    Profile.objects.update_or_create(user=cleo, defaults={"share_purchases_default": False})
    FollowFactory(follower=ana, followee=ben)
    FollowFactory(follower=ana, followee=cleo)

    with django_assert_num_queries(1):
        named = followees_named(user_id=ana.pk)

    assert named == {
        ben.pk: FolloweeName(name="Ben B.", shares_purchases=True),
        cleo.pk: FolloweeName(name="@cleo", shares_purchases=False),
    }


@pytest.mark.parametrize("case", ["pending", "inactive", "blocked", "blocking", "not followed"])
def test_people_a_reason_must_not_name_are_left_out(ana, case):
    dan = UserFactory(username="dan")
    status = Follow.Status.PENDING if case == "pending" else Follow.Status.ACTIVE
    if case != "not followed":
        FollowFactory(follower=ana, followee=dan, status=status)
    FollowFactory(follower=dan, followee=ana)
    if case == "inactive":
        User.objects.filter(pk=dan.pk).update(is_active=False)
    if case == "blocked":
        BlockFactory(blocker=ana, blocked=dan)
    if case == "blocking":
        BlockFactory(blocker=dan, blocked=ana)

    assert followees_named(user_id=ana.pk) == {}
