"""The product page's posts block is rendered once per product and shared: what each viewer gets from the
shared copy (liked state, own actions, blocks, private accounts) and every edit showing on the next request."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.test import RequestFactory

from shop.services.catalog import product_update
from shop.services.stock import stock_decrement
from social import services
from social.models import Post
from social.services.product_posts import product_posts_scope
from tests.factories import ProductFactory, UserFactory
from tests.factories.social import FollowFactory

pytestmark = pytest.mark.django_db


def _page(user, product, *, csrf: str = "tok") -> str:
    request = RequestFactory().get(f"/p/{product.slug}/?x=1")
    request.user = user
    template = Template('{% include "social/partials/product_posts.html" %}')
    return template.render(
        Context({"request": request, "user": user, "product": product, "csrf_token": csrf})
    )


@pytest.fixture
def product():
    return ProductFactory(stock=5)


@pytest.fixture
def ana():
    return UserFactory(username="ana")


@pytest.fixture
def ben():
    return UserFactory(username="ben")


@pytest.fixture
def cleo():
    return UserFactory(username="cleo")


def _post(author, product, body="worth it"):
    return services.post_create(author=author, body=body, product_ids=[product.pk])


def test_each_shopper_sees_only_their_own_liked_state(ana, ben, cleo, product):
    post = _post(cleo, product)
    services.like_create(user=ana, post=post)

    ana_html = _page(ana, product)
    ben_html = _page(ben, product)

    assert 'aria-pressed="true"' in ana_html
    assert 'aria-pressed="true"' not in ben_html
    assert 'aria-pressed="false"' in ben_html


def test_only_the_author_gets_edit_and_delete(ana, ben, product):
    post = _post(ana, product)

    ana_html = _page(ana, product)
    ben_html = _page(ben, product)

    assert f"/social/posts/{post.pk}/delete/" in ana_html
    assert f"/social/posts/{post.pk}/delete/" not in ben_html


def test_each_response_gets_its_own_csrf_token_and_no_placeholder(ana, ben, product):
    _post(ana, product)

    first = _page(ana, product, csrf="first-token")
    second = _page(ben, product, csrf="second-token")

    assert "first-token" in first
    assert "first-token" not in second
    assert "second-token" in second
    assert "__socialshop" not in first + second


def test_a_blocked_viewer_never_sees_the_blockers_posts(ana, ben, cleo, product):
    _post(cleo, product, body="cleo says")
    assert "cleo says" in _page(ana, product)  # the shared block is now cached

    services.block_create(blocker=cleo, blocked=ben)

    assert "cleo says" not in _page(ben, product)
    assert "cleo says" in _page(ana, product)


def test_a_viewer_who_blocked_the_author_does_not_see_the_posts(ana, ben, cleo, product):
    _post(cleo, product, body="cleo says")
    _page(ana, product)

    services.block_create(blocker=ben, blocked=cleo)

    assert "cleo says" not in _page(ben, product)


def test_a_private_accounts_posts_show_only_to_approved_followers(ana, ben, cleo, product):
    services.privacy_update(user=cleo, is_private=True)
    FollowFactory(follower=ana, followee=cleo)
    _post(cleo, product, body="for my followers")

    assert "for my followers" in _page(ana, product)
    assert "for my followers" not in _page(ben, product)
    assert "for my followers" in _page(cleo, product)


def test_a_visitor_does_not_see_a_private_accounts_posts(ana, cleo, product):
    from django.contrib.auth.models import AnonymousUser

    services.privacy_update(user=cleo, is_private=True)
    FollowFactory(follower=ana, followee=cleo)
    _post(cleo, product, body="for my followers")
    _page(ana, product)

    assert "for my followers" not in _page(AnonymousUser(), product)


def test_going_private_hides_the_posts_from_non_followers_at_once(ana, cleo, product):
    _post(cleo, product, body="soon private")
    assert "soon private" in _page(ana, product)

    services.privacy_update(user=cleo, is_private=True)

    assert "soon private" not in _page(ana, product)


def test_an_edited_post_shows_on_the_next_request(ana, ben, product):
    post = _post(ana, product, body="before")
    assert "before" in _page(ben, product)

    services.post_update(post=post, actor=ana, body="after")

    assert "after" in _page(ben, product)


def test_a_new_post_shows_on_the_next_request(ana, ben, product):
    _post(ana, product, body="first")
    _page(ben, product)

    _post(ana, product, body="second")

    assert "second" in _page(ben, product)


def test_a_deleted_post_goes_on_the_next_request(ana, ben, product):
    post = _post(ana, product, body="gone soon")
    _page(ben, product)

    services.post_delete(post=post, actor=ana)

    assert "gone soon" not in _page(ben, product)


def test_a_post_hidden_by_a_moderator_goes_on_the_next_request(ana, ben, moderator, product):
    post = _post(ana, product, body="bad words")
    _page(ben, product)

    services.moderation_act(
        moderator=moderator,
        content_type_id=ContentType.objects.get_for_model(Post).pk,
        object_id=post.pk,
        kind="hide",
        note="rude",
    )

    assert "bad words" not in _page(ben, product)


def test_a_like_count_shows_on_the_next_request_for_everyone(ana, ben, cleo, product):
    post = _post(ana, product)
    assert "0 likes" in _page(ben, product)

    services.like_create(user=cleo, post=post)

    assert "1 like<" in _page(ben, product)


def test_a_comment_count_shows_on_the_next_request(ana, ben, product):
    post = _post(ana, product)
    _page(ben, product)

    services.comment_create(author=ben, post=post, body="nice")

    assert "1 comment<" in _page(ben, product)


def test_the_authors_new_name_shows_on_the_next_request(ana, ben, product):
    _post(ana, product)
    _page(ben, product)

    services.profile_update(user=ana, display_name="Ana Renamed", bio="")

    assert "Ana Renamed" in _page(ben, product)


def test_a_tagged_products_stock_running_out_shows_on_the_next_request(ana, ben, product):
    other = ProductFactory(stock=1, name="Last one")
    services.post_create(author=ana, body="both", product_ids=[product.pk, other.pk])
    assert _page(ben, product).count("Add to cart") == 2

    assert stock_decrement(product_id=other.pk, quantity=1)

    assert _page(ben, product).count("Add to cart") == 1


def test_a_tagged_products_new_price_shows_on_the_next_request(ana, ben, product):
    _post(ana, product)
    _page(ben, product)

    product_update(product=product, price="123.45")

    assert "123.45" in _page(ben, product)


def test_the_block_is_cached_under_the_products_generation(
    ana, ben, product, django_assert_num_queries
):
    _post(ana, product)
    _page(ana, product)

    # Shared block from the cache: only the viewer's one query (blocks, follows, likes).
    with django_assert_num_queries(1):
        _page(ben, product)


def test_the_generation_is_per_product(ana, product):
    from common.generations import generation_token

    other = ProductFactory()
    before = generation_token(product_posts_scope(other.pk))

    _post(ana, product)

    assert generation_token(product_posts_scope(other.pk)) == before


def test_an_edited_shared_review_shows_on_the_next_request(ana, ben, product):
    from shop.services.catalog import review_save

    review = review_save(user=ana, product=product, rating=4, title="Good")
    services.review_share(review=review)
    assert "Good" in _page(ben, product)

    review_save(user=ana, product=product, rating=2, title="Worse after a month")

    assert "Worse after a month" in _page(ben, product)


def test_an_approved_follower_sees_the_private_post_from_the_shared_copy(ana, ben, cleo, product):
    services.privacy_update(user=cleo, is_private=True)
    FollowFactory(follower=ana, followee=cleo)
    _post(cleo, product, body="for my followers")
    assert "for my followers" not in _page(ben, product)

    services.follow_create(follower=ben, followee=cleo)
    services.follow_request_approve(followee=cleo, follower_id=ben.pk)

    assert "for my followers" in _page(ben, product)


def test_a_restocked_tagged_product_can_be_added_again_on_the_next_request(ana, ben, product):
    from shop.services.stock import stock_restore

    other = ProductFactory(stock=1)
    services.post_create(author=ana, body="both", product_ids=[product.pk, other.pk])
    stock_decrement(product_id=other.pk, quantity=1)
    assert _page(ben, product).count("Add to cart") == 1

    stock_restore(product_id=other.pk, quantity=3)

    assert _page(ben, product).count("Add to cart") == 2
