import pytest

from recsys import selectors, services
from recsys.models import ServingPointer
from recsys.services import serving
from social.models import Follow, Profile
from tests.factories import ProductFactory, UserFactory
from tests.factories.social import BlockFactory, FollowFactory, ProfileFactory
from tests.recsys.helpers import stored_run

pytestmark = pytest.mark.django_db


def test_for_you_reads_the_stored_list_in_rank_order(user):
    first, second = ProductFactory(), ProductFactory()
    stored_run(user_lists={user: [[second.pk, 2.0, []], [first.pk, 1.0, []]]})

    items = serving.recommendations_for_user(user=user, k=10)

    assert [item.product for item in items] == [second, first]
    assert [item.position for item in items] == [1, 2]


def test_lists_switch_at_once_when_the_pointer_flips(user):
    old_product, new_product = ProductFactory(), ProductFactory()
    old_run = stored_run(user_lists={user: [[old_product.pk, 1.0, []]]})
    new_run = stored_run(user_lists={user: [[new_product.pk, 1.0, []]]}, flip=False)

    before = serving.recommendations_for_user(user=user)
    services.serving_pointer_flip(run=new_run)
    after = serving.recommendations_for_user(user=user)

    assert [item.product for item in before] == [old_product]
    assert [item.product for item in after] == [new_product]
    assert ServingPointer.objects.get().run_id == new_run.pk != old_run.pk


def test_sold_out_and_inactive_products_are_dropped_at_request_time(user):
    sold_out = ProductFactory(stock=0)
    hidden = ProductFactory(is_active=False)
    fine = ProductFactory()
    stored_run(user_lists={user: [[sold_out.pk, 3, []], [hidden.pk, 2, []], [fine.pk, 1, []]]})

    assert [item.product for item in serving.recommendations_for_user(user=user)] == [fine]


def test_opted_out_shopper_gets_the_trending_list_not_their_own(user):
    personal, popular = ProductFactory(), ProductFactory()
    stored_run(
        user_lists={user: [[personal.pk, 1.0, []]]},
        trending=[[popular.pk, 5.0, [{"k": "trending"}]]],
    )
    ProfileFactory(user=user, personalise_recommendations=False)

    items = serving.recommendations_for_user(user=user)

    assert [item.product for item in items] == [popular]
    assert items[0].reason == "Trending now"


def test_opted_out_shopper_gets_no_friends_list(user):
    product = ProductFactory()
    stored_run(friends={user: [[product.pk, 1.0, []]]})
    ProfileFactory(user=user, personalise_recommendations=False)

    assert serving.recommendations_for_user(user=user, widget="friends") == []


def test_anonymous_visitor_gets_trending():
    from django.contrib.auth.models import AnonymousUser

    product = ProductFactory()
    stored_run(trending=[[product.pk, 1.0, [{"k": "trending"}]]])

    items = serving.recommendations_for_user(user=AnonymousUser())

    assert [item.product for item in items] == [product]


def _followee_fact(*users, action="bought"):
    return [{"k": "followee", "a": action, "u": [u.pk for u in users]}]


def test_reason_names_a_followee_who_shares_purchases(user):
    ana = UserFactory(username="ana")
    ProfileFactory(user=ana, share_purchases_default=True)
    FollowFactory(follower=user, followee=ana)
    product = ProductFactory()
    stored_run(user_lists={user: [[product.pk, 1.0, _followee_fact(ana)]]})

    [item] = serving.recommendations_for_user(user=user)

    assert item.reason == "Because @ana, whom you follow, bought this"
    assert item.reason_kind == "followee"


@pytest.mark.parametrize(
    "setup",
    ["not_followed", "blocked_by_them", "blocked_by_me", "pending_private", "purchases_private"],
)
def test_reason_never_names_someone_the_shopper_cannot_see(user, setup):
    ana = UserFactory(username="ana")
    ProfileFactory(
        user=ana,
        share_purchases_default=setup != "purchases_private",
        is_private=setup == "pending_private",
    )
    if setup != "not_followed":
        status = Follow.Status.PENDING if setup == "pending_private" else Follow.Status.ACTIVE
        FollowFactory(follower=user, followee=ana, status=status)
    if setup == "blocked_by_them":
        BlockFactory(blocker=ana, blocked=user)
    if setup == "blocked_by_me":
        BlockFactory(blocker=user, blocked=ana)
    product = ProductFactory()
    stored_run(user_lists={user: [[product.pk, 1.0, [*_followee_fact(ana), {"k": "trending"}]]]})

    [item] = serving.recommendations_for_user(user=user)

    assert "ana" not in item.reason
    assert item.reason == "Trending now"


def test_liked_reason_names_a_followee_even_when_purchases_are_private(user):
    ana = UserFactory(username="ana")
    Profile.objects.create(user=ana, display_name="Ana B.", share_purchases_default=False)
    FollowFactory(follower=user, followee=ana)
    product = ProductFactory()
    facts = [*_followee_fact(ana), *_followee_fact(ana, action="liked")]
    stored_run(user_lists={user: [[product.pk, 1.0, facts]]})

    [item] = serving.recommendations_for_user(user=user)

    assert item.reason == "Because Ana B., whom you follow, liked this"


def test_similar_and_category_reasons_name_the_item_and_category(user):
    viewed = ProductFactory(name="Blue kettle")
    product = ProductFactory()
    other = ProductFactory()
    stored_run(
        user_lists={
            user: [
                [product.pk, 2.0, [{"k": "similar", "p": viewed.pk}]],
                [other.pk, 1.0, [{"k": "category", "c": other.category_id}]],
            ]
        }
    )

    first, second = serving.recommendations_for_user(user=user)

    assert first.reason == "Similar to Blue kettle, which you looked at"
    assert second.reason == f"From {other.category.name}, one of your favourite categories"


def test_reading_a_list_takes_a_fixed_number_of_queries(user, django_assert_max_num_queries):
    ana = UserFactory(username="ana")
    ProfileFactory(user=ana, share_purchases_default=True)
    FollowFactory(follower=user, followee=ana)
    products = [ProductFactory() for _ in range(10)]
    stored_run(user_lists={user: [[p.pk, 1.0, _followee_fact(ana)] for p in products]})
    user = type(user).objects.get(pk=user.pk)

    with django_assert_max_num_queries(14):
        items = serving.recommendations_for_user(user=user, k=10)

    assert len(items) == 10


def test_similar_products_excludes_the_product_itself(product):
    other = ProductFactory()
    stored_run(similar={product: [[product.pk, 1.0, []], [other.pk, 0.9, [{"k": "similar_item"}]]]})

    assert [item.product for item in serving.similar_products(product=product)] == [other]


def test_trending_falls_back_to_best_sellers_before_any_scoring():
    slow = ProductFactory(sold_count=1)
    fast = ProductFactory(sold_count=50)

    assert [item.product for item in serving.trending_products(k=2)] == [fast, slow]


def test_wilson_interval_matches_the_textbook_value():
    low, high = selectors.wilson_interval(10, 100)

    assert (round(low, 4), round(high, 4)) == (0.0552, 0.1744)
    assert selectors.wilson_interval(0, 0) == (0.0, 0.0)
