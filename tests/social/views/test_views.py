from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from social import services
from social.models import Follow, Notification, Post
from tests.factories import ProductFactory, UserFactory
from tests.factories.social import FollowFactory, PostFactory, PostProductFactory


@pytest.fixture
def ana_client(client, ana):
    client.force_login(ana)
    return client


def test_feed_requires_login(client, db):
    response = client.get("/social/")

    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_feed_page_renders_posts_with_tagged_products(ana_client, ana, ben):
    FollowFactory(follower=ana, followee=ben)
    product = ProductFactory(name="Linen Shirt", stock=3)
    from shop.models import ProductImage

    ProductImage.objects.create(product=product, image="products/shirt.jpg", alt_text="A shirt")
    post = PostFactory(author=ben, body="<b>summer</b> #linen with @ana https://example.com")
    PostProductFactory(post=post, product=product, verified_purchase=True)

    html = ana_client.get("/social/").content.decode()

    assert "&lt;b&gt;summer&lt;/b&gt;" in html
    assert '<a href="/social/tags/linen/" class="hashtag">#linen</a>' in html
    assert 'rel="nofollow noopener"' in html
    assert "Linen Shirt" in html
    assert "Verified purchase" in html
    assert '<img src="/media/products/shirt.jpg" alt="A shirt"' in html
    assert f'name="product_id" value="{product.pk}"' in html
    assert 'action="/cart/add/"' in html
    assert "data-new-posts" in html


def test_feed_load_more_returns_fragment(ana_client, ana, ben, settings):
    settings.SOCIAL_FEED_PAGE_SIZE = 1
    FollowFactory(follower=ana, followee=ben)
    older = PostFactory(author=ben, body="older post")
    PostFactory(author=ben, body="newer post")
    first = ana_client.get("/social/").content.decode()
    assert "newer post" in first
    assert "older post" not in first
    cursor = first.split("?cursor=")[1].split('"')[0]

    fragment = ana_client.get(f"/social/?cursor={cursor}", HTTP_HX_REQUEST="true")

    assert fragment.status_code == 200
    assert "older post" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert f'id="post-{older.pk}"' in fragment.content.decode()


def test_feed_with_bad_cursor_is_400(ana_client):
    assert ana_client.get("/social/?cursor=%%%").status_code == 400


def test_profile_page_public(client, ana, ben):
    PostFactory(author=ben, body="public hello")
    FollowFactory(follower=ana, followee=ben)

    html = client.get("/social/people/ben/").content.decode()

    assert "public hello" in html
    assert "data-follower-count>1<" in html


def test_private_profile_page_hides_posts_from_strangers(ana_client, ben):
    services.privacy_update(user=ben, is_private=True)
    PostFactory(author=ben, body="only for friends")

    html = ana_client.get("/social/people/ben/").content.decode()

    assert "only for friends" not in html
    assert "This profile is private." in html


def test_private_post_page_is_404_for_strangers(ana_client, ben):
    services.privacy_update(user=ben, is_private=True)
    post = PostFactory(author=ben)

    assert ana_client.get(f"/social/posts/{post.pk}/").status_code == 404


def test_unknown_profile_is_404(client, db):
    assert client.get("/social/people/nobody/").status_code == 404


def test_follow_button_with_htmx(ana_client, ben):
    response = ana_client.post("/social/people/ben/follow/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Unfollow" in response.content.decode()
    assert Follow.objects.filter(followee=ben).exists()


def test_follow_rate_limit_is_a_message(ana_client, settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"follow": "1/hour"},
    }
    UserFactory(username="x1")
    UserFactory(username="x2")
    ana_client.post("/social/people/x1/follow/")

    response = ana_client.post("/social/people/x2/follow/", HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    assert response.content.decode().startswith("You are doing that too often.")


def test_post_create_page(ana_client, ana):
    product = ProductFactory(name="Canvas Bag")

    form = ana_client.get(f"/social/posts/new/?product={product.pk}").content.decode()
    assert "Canvas Bag" in form
    response = ana_client.post(
        "/social/posts/new/", {"body": "my bag #eco", "products": [product.pk]}
    )

    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/social/posts/{post.pk}/"
    assert list(post.products.values_list("name", flat=True)) == ["Canvas Bag"]


def test_post_create_rate_limit_is_a_form_error(ana_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"post_create": "1/hour"},
    }
    ana_client.post("/social/posts/new/", {"body": "one"})

    response = ana_client.post("/social/posts/new/", {"body": "two"})

    assert response.status_code == 200
    assert "You are doing that too often." in response.content.decode()
    assert Post.objects.count() == 1


def test_post_create_bad_picture_is_a_form_error(ana_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile(
        "evil.png", b"<html><script>x</script></html>", content_type="image/png"
    )

    response = ana_client.post("/social/posts/new/", {"body": "pic", "images": [bad]})

    assert response.status_code == 200
    assert "This file is not a picture we accept." in response.content.decode()
    assert not Post.objects.exists()


def test_like_with_htmx_returns_button(ana_client, ben):
    post = PostFactory(author=ben)

    response = ana_client.post(f"/social/posts/{post.pk}/like/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert "1 like" in html


def test_comment_and_reply_on_post_page(ana_client, ana, ben):
    post = PostFactory(author=ben)

    response = ana_client.post(f"/social/posts/{post.pk}/comments/", {"body": "<i>cool</i>"})
    comment_id = post.comments.get().pk
    ana_client.post(f"/social/posts/{post.pk}/comments/", {"body": "reply", "parent": comment_id})
    html = ana_client.get(f"/social/posts/{post.pk}/").content.decode()

    assert response.status_code == 302
    assert "&lt;i&gt;cool&lt;/i&gt;" in html
    assert 'class="comment reply"' in html
    assert "2 comments" in html


def test_empty_comment_is_a_form_error(ana_client, ben):
    post = PostFactory(author=ben)

    response = ana_client.post(f"/social/posts/{post.pk}/comments/", {"body": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_notifications_page_and_mark_all_read(ana_client, ana, ben):
    services.follow_create(follower=ben, followee=ana)

    page = ana_client.get("/social/notifications/").content.decode()
    assert "@ben started following you." in page
    assert 'data-notification-badge data-count="1"' in page
    ana_client.post("/social/notifications/read-all/")

    assert not Notification.objects.filter(recipient=ana, read_at__isnull=True).exists()


def test_notification_read_redirects_to_its_page(ana_client, ana, ben):
    services.follow_create(follower=ben, followee=ana)
    notification = Notification.objects.get(recipient=ana)

    response = ana_client.post(f"/social/notifications/{notification.pk}/read/")

    assert response["Location"] == "/social/people/ben/"


def test_notification_messages_are_escaped(ana_client, ana):
    services.notification_create(recipient_id=ana.pk, kind="support", message="<script>x</script>")

    html = ana_client.get("/social/notifications/").content.decode()

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_privacy_page_saves_flags(ana_client, ana):
    response = ana_client.post(
        "/social/privacy/", {"is_private": "on", "show_in_suggestions": "on"}
    )

    profile = services.profile_get_or_create(user=ana)
    assert response.status_code == 302
    assert (
        profile.is_private,
        profile.show_in_suggestions,
        profile.personalise_recommendations,
    ) == (
        True,
        True,
        False,
    )


def test_profile_edit_with_avatar(ana_client, ana):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (30, 30)).save(buffer, format="PNG")

    response = ana_client.post(
        "/social/profile/edit/",
        {
            "display_name": "Ana!",
            "bio": "hi",
            "avatar": SimpleUploadedFile("a.png", buffer.getvalue()),
        },
    )

    assert response.status_code == 302
    assert services.profile_get_or_create(user=ana).avatar.name.startswith("avatars/")


def _render(template: str, **context) -> str:
    request = RequestFactory().get("/")
    request.user = context.pop("user")
    return Template(template).render(Context({"request": request, "user": request.user, **context}))


def test_product_posts_slot(ana, ben):
    product = ProductFactory()
    services.post_create(author=ben, body="worth it", product_ids=[product.pk])

    html = _render('{% include "social/partials/product_posts.html" %}', user=ana, product=product)

    assert "What people say" in html
    assert "worth it" in html


def test_share_order_slot_and_share(ana_client, ana, order_for):
    order = order_for(ana, [ProductFactory()])

    html = _render('{% include "social/partials/share_order.html" %}', user=ana, order=order)
    assert f'action="/social/orders/{order.number}/share/"' in html
    response = ana_client.post(f"/social/orders/{order.number}/share/")

    post = Post.objects.get(order=order)
    assert response["Location"] == f"/social/posts/{post.pk}/"


def test_cannot_share_someone_elses_order(ana_client, ben, order_for):
    order = order_for(ben, [ProductFactory()])

    assert ana_client.post(f"/social/orders/{order.number}/share/").status_code == 404


def test_suggestions_page_shows_reasons(ana_client, ana, ben, cleo):
    FollowFactory(follower=ana, followee=ben)
    FollowFactory(follower=ben, followee=cleo)

    html = ana_client.get("/social/suggestions/").content.decode()

    assert "Followed by @ben" in html
    assert "@cleo" in html


def test_following_yourself_is_a_400_message(ana_client):
    response = ana_client.post("/social/people/ana/follow/", HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert response.content.decode() == "You cannot follow yourself."


def test_blocked_follow_is_a_403_message(ana_client, ana, ben):
    from tests.factories.social import BlockFactory

    BlockFactory(blocker=ben, blocked=ana)

    response = ana_client.post("/social/people/ben/follow/", HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert response.content.decode() == "You cannot follow this account."
