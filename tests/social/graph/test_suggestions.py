from __future__ import annotations

from social import selectors, services
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.factories.social import BlockFactory, FollowFactory


def _by_name(suggestions):
    return {s.user.username: s.reasons for s in suggestions}


def test_followed_by_people_i_follow_with_reason(ana, ben, cleo):
    dan = UserFactory(username="dan")
    target = UserFactory(username="target")
    for friend in (ben, cleo, dan):
        FollowFactory(follower=ana, followee=friend)
        FollowFactory(follower=friend, followee=target)

    suggestions = selectors.people_you_may_know(user=ana)

    assert _by_name(suggestions)["target"] == ["Followed by @ben and 2 others"]
    assert suggestions[0].user.username == "target"


def test_bought_the_same_things(ana, ben, order_for):
    products = ProductFactory.create_batch(2)
    order_for(ana, products)
    order_for(ben, products)

    assert _by_name(selectors.people_you_may_know(user=ana)) == {
        "ben": ["Bought 2 of the same things"]
    }


def test_same_favourite_categories(ana, ben):
    category = CategoryFactory()
    services.profile_get_or_create(user=ana).favourite_categories.add(category)
    services.profile_get_or_create(user=ben).favourite_categories.add(category)

    assert _by_name(selectors.people_you_may_know(user=ana)) == {
        "ben": ["Likes the same categories"]
    }


def test_excludes_followed_blocked_and_opted_out(ana, ben, cleo):
    category = CategoryFactory()
    dan = UserFactory(username="dan")
    eve = UserFactory(username="eve")
    for person in (ana, ben, cleo, dan, eve):
        services.profile_get_or_create(user=person).favourite_categories.add(category)
    FollowFactory(follower=ana, followee=ben)
    BlockFactory(blocker=cleo, blocked=ana)
    services.privacy_update(user=dan, show_in_suggestions=False)

    assert list(_by_name(selectors.people_you_may_know(user=ana))) == ["eve"]


def test_no_signals_no_suggestions(ana):
    assert selectors.people_you_may_know(user=ana) == []
