"""Signed-in pages: a bounded number of queries whatever the data, and no cached part crossing shoppers.

The pages share rendered parts (post card bodies, the product page's reviews and pictures, the ids of the posts
that tag a product, people you may know): these tests prove that what one shopper sees of their own (CSRF
token, cart badge, liked state, suggestions) never reaches another, and that an edit shows on the next request.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]  # private, unstubbed
from django.test import Client

from common.edge_cache import CSRF_PLACEHOLDER
from shop.models import Product, ProductVariant
from shop.services import cart_add_item, cart_get_or_create, product_save
from social import services
from social.models import Post
from tests.factories import ProductFactory, ReviewFactory, UserFactory
from tests.factories.social import FollowFactory, PostFactory, PostProductFactory

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # a first page sets the CSRF cookie, as in a browser
    return client


def _community(ana, ben, count: int):
    """ben posts `count` posts tagging products; ana follows ben; one product has reviews."""
    FollowFactory(follower=ana, followee=ben)
    products = [ProductFactory(stock=5) for _ in range(3)]
    ReviewFactory(product=products[0], user=UserFactory())
    for index in range(count):
        post = PostFactory(author=ben, body=f"post {index} #linen")
        PostProductFactory(post=post, product=products[index % 3])
    return products


def _page_urls(ana, ben, products) -> dict[str, str]:
    post = Post.objects.filter(author=ben).first()
    assert post is not None
    return {
        "home": "/",
        "feed": "/social/",
        "post": f"/social/posts/{post.pk}/",
        "profile": f"/social/people/{ben.username}/",
        "product": f"/product/{products[0].slug}/",
        "cart": "/cart/",
        "orders": "/orders/",
        "notifications": "/social/notifications/",
    }


# The most queries each page may run for a signed-in shopper, whatever the number of posts, products in the
# cart or reviews (session and user included). Raise a number only with a reason.
MAX_QUERIES = {
    "home": 1,  # the user (the session, the cart badge and the unread count are read from the cache)
    "feed": 3,  # + the card query, the tagged products, the check on cached suggestions
    "post": 4,
    "profile": 7,  # + the account with counts and how the viewer stands (one query), reviews, posts, tags,
    # the photo grid (posts with photos, their photos)
    # + the product with the shopper's wishlist, alert and review state, the posts that tag it (2); the variant
    # picker: the variants, the chosen one's pictures and the shopper's open alert for it
    "product": 8,
    "cart": 5,  # + the chosen variants' own pictures (the cart shows the size/colour picked)
    "orders": 2,
    "notifications": 2,
}


@pytest.mark.parametrize("count", [3, 12])
@pytest.mark.parametrize("page", sorted(MAX_QUERIES))
def test_signed_in_page_query_count_is_bounded(
    page, count, ana, ben, django_assert_max_num_queries
):
    products = _community(ana, ben, count)
    cart = cart_get_or_create(user=ana)
    for product in products:
        cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    client = _signed_in(ana)
    url = _page_urls(ana, ben, products)[page]
    client.get(url)  # warm: shared parts are cached by the first visitor

    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)

    assert response.status_code == 200


def test_shared_post_cards_keep_each_shoppers_own_parts(ana, ben, cleo):
    """ana and ben follow cleo; ana liked her post and has a cart; both read the same cached card body."""
    FollowFactory(follower=ana, followee=cleo)
    FollowFactory(follower=ben, followee=cleo)
    product = ProductFactory(name="Linen Shirt", stock=4)
    post = PostFactory(author=cleo, body="my new shirt")
    PostProductFactory(post=post, product=product)
    services.like_create(user=ana, post=post)
    cart_add_item(cart=cart_get_or_create(user=ana), product_id=product.pk, quantity=2)
    ana_client, ben_client = _signed_in(ana), _signed_in(ben)

    pages = {}
    for name, client in (("ana", ana_client), ("ben", ben_client), ("ana again", ana_client)):
        pages[name] = client.get("/social/").content.decode()

    for name, client in (("ana", ana_client), ("ben", ben_client)):
        html = pages[name]
        assert "Linen Shirt" in html
        assert CSRF_PLACEHOLDER not in html
        secret = client.cookies["csrftoken"].value
        tokens = CSRF_INPUT.findall(html)
        assert len(tokens) >= 2  # the card's add-to-cart form and the like form at least
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert ana_client.cookies["csrftoken"].value != ben_client.cookies["csrftoken"].value
    assert 'aria-pressed="true"' in pages["ana"]
    assert 'aria-pressed="true"' in pages["ana again"]
    assert 'aria-pressed="true"' not in pages["ben"]
    assert 'data-count="2"' in pages["ana"]
    assert 'data-count="0"' in pages["ben"]
    # ben's own post shows him its edit link; ana's view of the same card does not.
    own = PostFactory(author=ben, body="ben writes")
    assert f"/social/posts/{own.pk}/edit/" in ben_client.get("/social/").content.decode()
    FollowFactory(follower=ana, followee=ben)
    assert f"/social/posts/{own.pk}/edit/" not in ana_client.get("/social/").content.decode()


def test_people_you_may_know_is_per_shopper(ana, ben, cleo):
    dan, eve = UserFactory(username="dan"), UserFactory(username="eve")
    FollowFactory(follower=ana, followee=cleo)
    FollowFactory(follower=cleo, followee=dan)
    FollowFactory(follower=ben, followee=eve)
    FollowFactory(follower=eve, followee=cleo)
    ana_client, ben_client = _signed_in(ana), _signed_in(ben)

    def suggested(client) -> set[str]:
        html = client.get("/social/").content.decode()
        panel = html.split('id="pymk-title"')[-1] if 'id="pymk-title"' in html else ""
        return set(re.findall(r"<small>@(\w+)</small>", panel))

    assert suggested(ana_client) == {"dan"}
    assert suggested(ben_client) == {"cleo"}
    assert suggested(ana_client) == {"dan"}  # from the cache now: still ana's own

    # Following a suggestion shows at once: dan leaves ana's suggestions, his posts enter her feed.
    PostFactory(author=dan, body="dan was here")
    services.follow_create(follower=ana, followee=dan)
    assert "dan was here" in ana_client.get("/social/").content.decode()
    assert "dan" not in suggested(ana_client)

    # Opting out of suggestions shows at once for everyone whose list holds the account.
    services.privacy_update(user=cleo, show_in_suggestions=False)
    assert "cleo" not in suggested(ben_client)


def test_edits_show_on_the_next_request_for_everyone(ana, ben, cleo, moderator):
    FollowFactory(follower=ana, followee=cleo)
    FollowFactory(follower=ben, followee=cleo)
    product = ProductFactory(name="Wool Hat", price=Decimal("20.00"), stock=3)
    post = PostFactory(author=cleo, body="first words")
    PostProductFactory(post=post, product=product)
    clients = [_signed_in(ana), _signed_in(ben), Client()]
    product_url = f"/product/{product.slug}/"

    def every_page_shows(text: str) -> bool:
        feeds = [c.get("/social/").content.decode() for c in clients[:2]]
        product_pages = [c.get(product_url).content.decode() for c in clients]
        return all(text in html for html in feeds + product_pages)

    assert every_page_shows("first words")

    services.post_update(post=post, actor=cleo, body="second words")
    assert every_page_shows("second words")

    product.price = Decimal("25.00")
    product_save(product=product)
    assert every_page_shows("25.00")

    Product.objects.filter(pk=product.pk).update(stock=0)
    ProductVariant.objects.filter(product_id=product.pk).update(stock=0)
    for client in clients:
        html = client.get(product_url).content.decode()
        assert "Sold out" in html

    # A new post tagging the product shows on its page for everyone.
    services.post_create(author=cleo, body="another look", product_ids=[product.pk])
    assert every_page_shows("another look")

    services.moderation_act(
        moderator=moderator,
        content_type_id=ContentType.objects.get_for_model(Post).id,
        object_id=post.pk,
        kind="hide",
        note="off topic",
    )
    for client in clients[:2]:
        assert "second words" not in client.get("/social/").content.decode()
    for client in clients:
        assert "second words" not in client.get(product_url).content.decode()


def test_a_moderator_hiding_a_review_updates_the_shared_product_page(ana, moderator):
    product = ProductFactory(stock=3)
    review = ReviewFactory(product=product, user=UserFactory(), body="rude words", rating=1)
    from shop.services import product_rating_refresh

    product_rating_refresh(product_id=product.pk)
    client = _signed_in(ana)
    assert "rude words" in client.get(f"/product/{product.slug}/").content.decode()

    services.moderation_act(
        moderator=moderator,
        content_type_id=ContentType.objects.get_for_model(review).id,
        object_id=review.pk,
        kind="hide",
        note="abuse",
    )

    html = client.get(f"/product/{product.slug}/").content.decode()
    assert "rude words" not in html
    assert "No reviews yet" in html


def test_suggestions_computed_ahead_are_what_the_feed_reads(
    ana, cleo, django_assert_max_num_queries
):
    from django.utils import timezone

    from social.selectors import people_you_may_know_cached

    dan = UserFactory(username="dan")
    FollowFactory(follower=ana, followee=cleo)
    FollowFactory(follower=cleo, followee=dan)
    ana.last_login = timezone.now()
    ana.save(update_fields=["last_login"])

    assert services.suggestions_refresh() >= 1

    with django_assert_max_num_queries(
        1
    ):  # the read-time check only: nothing computed in the request
        suggestions = people_you_may_know_cached(user=ana, limit=3)
    assert [item.user.username for item in suggestions] == ["dan"]


def test_the_shared_blank_review_form_carries_each_pages_action_and_token(ana, ben):
    first, second = ProductFactory(stock=2), ProductFactory(stock=2)
    ReviewFactory(product=second, user=ben, title="ben's own words")
    ana_client, ben_client = _signed_in(ana), _signed_in(ben)

    ana_first = ana_client.get(f"/product/{first.slug}/").content.decode()
    ana_second = ana_client.get(f"/product/{second.slug}/").content.decode()
    ben_second = ben_client.get(f"/product/{second.slug}/").content.decode()

    assert f'action="/product/{first.slug}/review/"' in ana_first
    assert f'action="/product/{second.slug}/review/"' in ana_second
    assert "/__socialshop_review_action__/" not in ana_second
    for html, client in ((ana_second, ana_client), (ben_second, ben_client)):
        assert CSRF_PLACEHOLDER not in html
        tokens = {_unmask_cipher_token(t) for t in CSRF_INPUT.findall(html)}
        assert tokens == {client.cookies["csrftoken"].value}
    assert 'value="ben&#x27;s own words"' in ben_second  # his own review prefilled, never shared
    assert "Delete my review" in ben_second
    assert "Delete my review" not in ana_second
