from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from social import services
from social.models import Follow, Notification, Post
from tests.factories import ProductFactory, UserFactory
from tests.factories.social import BlockFactory, FollowFactory, PostFactory

# --- authorization matrix -----------------------------------------------------------------------------------
# Author "ben" has a private profile with one post. Viewers: anonymous, approved follower, non-follower,
# blocked (ben blocked them). Only ben himself and the follower may see the post, its comments and his content.

VIEWERS = ["anonymous", "follower", "non_follower", "blocked"]


@pytest.fixture
def private_world(ben):
    services.privacy_update(user=ben, is_private=True)
    post = PostFactory(author=ben, body="private thoughts")
    follower = UserFactory(username="fan")
    FollowFactory(follower=follower, followee=ben)
    services.comment_create(author=follower, post=post, body="me too")
    stranger = UserFactory(username="stranger")
    blocked = UserFactory(username="troll")
    BlockFactory(blocker=ben, blocked=blocked)
    return {
        "post": post,
        "anonymous": None,
        "follower": follower,
        "non_follower": stranger,
        "blocked": blocked,
    }


def _client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


EXPECTED_POST_STATUS = {"anonymous": 404, "follower": 200, "non_follower": 404, "blocked": 404}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_private_post_detail_matrix(private_world, viewer):
    post = private_world["post"]

    response = _client(private_world[viewer]).get(f"/api/v1/social/posts/{post.pk}/")

    assert response.status_code == EXPECTED_POST_STATUS[viewer]
    if response.status_code == 200:
        assert response.json()["body"] == "private thoughts"
    else:
        assert "private thoughts" not in response.content.decode()


@pytest.mark.parametrize("viewer", VIEWERS)
def test_private_post_comments_matrix(private_world, viewer):
    post = private_world["post"]

    response = _client(private_world[viewer]).get(f"/api/v1/social/posts/{post.pk}/comments/")

    assert response.status_code == EXPECTED_POST_STATUS[viewer]
    if response.status_code == 200:
        assert [c["body"] for c in response.json()] == ["me too"]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("anonymous", 403), ("follower", 201), ("non_follower", 404), ("blocked", 404)],
)
def test_private_post_comment_create_matrix(private_world, viewer, expected):
    post = private_world["post"]

    response = _client(private_world[viewer]).post(
        f"/api/v1/social/posts/{post.pk}/comments/", {"body": "hello"}, format="json"
    )

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("anonymous", 403), ("follower", 200), ("non_follower", 404), ("blocked", 404)],
)
def test_private_post_like_matrix(private_world, viewer, expected):
    post = private_world["post"]

    response = _client(private_world[viewer]).post(f"/api/v1/social/posts/{post.pk}/like/")

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("viewer", "status_code", "posts"),
    [
        ("anonymous", 200, []),
        ("follower", 200, ["private thoughts"]),
        ("non_follower", 200, []),
        ("blocked", 404, None),
    ],
)
def test_private_profile_posts_matrix(private_world, viewer, status_code, posts):
    response = _client(private_world[viewer]).get("/api/v1/social/profiles/ben/posts/")

    assert response.status_code == status_code
    if posts is not None:
        assert [p["body"] for p in response.json()["results"]] == posts


@pytest.mark.parametrize(
    ("viewer", "status_code", "can_see"),
    [
        ("anonymous", 200, False),
        ("follower", 200, True),
        ("non_follower", 200, False),
        ("blocked", 404, None),
    ],
)
def test_private_profile_matrix(private_world, viewer, status_code, can_see):
    response = _client(private_world[viewer]).get("/api/v1/social/profiles/ben/")

    assert response.status_code == status_code
    if can_see is not None:
        body = response.json()
        assert body["can_see_content"] is can_see
        assert body["follower_count"] == 1


@pytest.mark.parametrize(
    ("viewer", "status_code"),
    [("anonymous", 403), ("follower", 200), ("non_follower", 403), ("blocked", 404)],
)
def test_private_followers_list_matrix(private_world, viewer, status_code):
    response = _client(private_world[viewer]).get("/api/v1/social/profiles/ben/followers/")

    assert response.status_code == status_code


def test_blocked_user_cannot_follow(private_world):
    response = _client(private_world["blocked"]).post("/api/v1/social/profiles/ben/follow/")

    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot follow this account."}


def test_public_post_visible_to_anonymous_but_not_to_blocked(ana, ben):
    post = PostFactory(author=ana, body="hello world")
    BlockFactory(blocker=ana, blocked=ben)

    assert _client(None).get(f"/api/v1/social/posts/{post.pk}/").status_code == 200
    assert _client(ben).get(f"/api/v1/social/posts/{post.pk}/").status_code == 404


def test_blocker_content_hidden_in_blocked_users_feed_and_comments(ana, ben, cleo):
    post = PostFactory(author=cleo)
    services.comment_create(author=ana, post=post, body="from ana")
    BlockFactory(blocker=ana, blocked=ben)

    response = _client(ben).get(f"/api/v1/social/posts/{post.pk}/comments/")

    assert response.json() == []


# --- endpoints ----------------------------------------------------------------------------------------------


def test_create_post_with_products_and_read_it_back(ana, order_for):
    product = ProductFactory(name="Red Shoes")
    order_for(ana, [product])

    response = _client(ana).post(
        "/api/v1/social/posts/",
        {"body": "new #shoes via @ben", "product_ids": [product.pk]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["body"] == "new #shoes via @ben"
    assert body["products"] == [
        {
            "id": product.pk,
            "name": "Red Shoes",
            "url": f"/product/{product.slug}/",
            "price": "19.90",
            "verified_purchase": True,
            "photo_id": None,
            "x": None,
            "y": None,
        }
    ]
    assert body["author"]["username"] == "ana"


def test_create_post_with_image_multipart(ana):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="JPEG")
    buffer.name = "x.jpg"
    buffer.seek(0)

    response = _client(ana).post(
        "/api/v1/social/posts/", {"body": "pic", "images": [buffer]}, format="multipart"
    )

    assert response.status_code == 201
    assert len(response.json()["images"]) == 1


def test_create_post_with_bad_image_is_400_with_message(ana):
    from io import BytesIO

    bad = BytesIO(b"<html>hi</html>")
    bad.name = "x.png"

    response = _client(ana).post(
        "/api/v1/social/posts/", {"body": "pic", "images": [bad]}, format="multipart"
    )

    assert response.status_code == 400
    assert "JPEG, PNG, WebP or GIF" in str(response.json()["images"])


def test_empty_post_is_400(ana):
    response = _client(ana).post("/api/v1/social/posts/", {"body": ""}, format="json")

    assert response.status_code == 400
    assert response.json() == {"body": ["Write something, add a picture or tag a product."]}


def test_anonymous_cannot_post():
    assert (
        _client(None).post("/api/v1/social/posts/", {"body": "x"}, format="json").status_code == 403
    )


def test_edit_and_delete_own_post(ana, ben):
    post = PostFactory(author=ana)

    assert (
        _client(ben)
        .patch(f"/api/v1/social/posts/{post.pk}/", {"body": "x"}, format="json")
        .status_code
        == 403
    )
    response = _client(ana).patch(
        f"/api/v1/social/posts/{post.pk}/", {"body": "edited"}, format="json"
    )
    assert response.json()["body"] == "edited"
    assert _client(ana).delete(f"/api/v1/social/posts/{post.pk}/").status_code == 204
    assert not Post.objects.exists()


def test_feed_api_cursor(ana, ben, settings):
    settings.SOCIAL_FEED_PAGE_SIZE = 2
    FollowFactory(follower=ana, followee=ben)
    posts = [PostFactory(author=ben) for _ in range(3)]
    client = _client(ana)

    first = client.get("/api/v1/social/feed/").json()
    second = client.get("/api/v1/social/feed/", {"cursor": first["next_cursor"]}).json()

    assert [p["id"] for p in first["results"] + second["results"]] == [
        p.pk for p in reversed(posts)
    ]
    assert second["next_cursor"] is None


def test_feed_api_bad_cursor_is_400(ana):
    response = _client(ana).get("/api/v1/social/feed/", {"cursor": "@@@"})

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid cursor."}


def test_follow_unfollow_and_requests(ana, ben):
    services.privacy_update(user=ben, is_private=True)

    assert _client(ana).post("/api/v1/social/profiles/ben/follow/").json() == {"status": "pending"}
    requests = _client(ben).get("/api/v1/social/follow-requests/").json()
    assert [r["follower"]["username"] for r in requests] == ["ana"]
    assert _client(ben).post(f"/api/v1/social/follow-requests/{ana.pk}/approve/").status_code == 204
    assert Follow.objects.get(follower=ana).status == "active"
    assert _client(ana).delete("/api/v1/social/profiles/ben/follow/").status_code == 204
    assert not Follow.objects.exists()


def test_block_and_mute_endpoints(ana, ben):
    client = _client(ana)

    assert client.post("/api/v1/social/profiles/ben/block/").status_code == 204
    assert client.post("/api/v1/social/profiles/ben/mute/").status_code == 204
    assert client.get("/api/v1/social/blocks/").json() == {"blocked": ["ben"], "muted": ["ben"]}
    assert client.delete("/api/v1/social/profiles/ben/block/").status_code == 204
    assert client.get("/api/v1/social/blocks/").json() == {"blocked": [], "muted": ["ben"]}


def test_like_and_comment_endpoints(ana, ben):
    post = PostFactory(author=ana)
    client = _client(ben)

    assert client.post(f"/api/v1/social/posts/{post.pk}/like/").json() == {
        "liked": True,
        "like_count": 1,
    }
    top = client.post(f"/api/v1/social/posts/{post.pk}/comments/", {"body": "hi"}, format="json")
    reply = client.post(
        f"/api/v1/social/posts/{post.pk}/comments/",
        {"body": "again", "parent": top.json()["id"]},
        format="json",
    )
    threads = client.get(f"/api/v1/social/posts/{post.pk}/comments/").json()

    assert reply.status_code == 201
    assert [(t["body"], [r["body"] for r in t["replies"]]) for t in threads] == [("hi", ["again"])]
    assert client.delete(f"/api/v1/social/posts/{post.pk}/like/").status_code == 204


def test_notifications_list_and_mark_read(ana, ben):
    services.follow_create(follower=ben, followee=ana)
    client = _client(ana)

    listing = client.get("/api/v1/social/notifications/").json()
    notification_id = listing["results"][0]["id"]
    assert listing["unread"] == 1
    assert listing["results"][0]["message"] == "@ben started following you."
    assert client.post(f"/api/v1/social/notifications/{notification_id}/read/").status_code == 204
    assert client.get("/api/v1/social/notifications/").json()["unread"] == 0


def test_cannot_mark_someone_elses_notification(ana, ben):
    services.follow_create(follower=ana, followee=ben)
    notification = Notification.objects.get(recipient=ben)

    response = _client(ana).post(f"/api/v1/social/notifications/{notification.pk}/read/")

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_privacy_settings_api(ana):
    client = _client(ana)

    response = client.patch(
        "/api/v1/social/privacy/",
        {"personalise_recommendations": False, "show_in_suggestions": False},
        format="json",
    )

    assert response.json() == {
        "is_private": False,
        "share_purchases_default": False,
        "personalise_recommendations": False,
        "show_in_suggestions": False,
        "show_wishlist": False,
        "email_optional": True,
        "answer_questions": True,
    }


def test_post_rate_limit_gives_429_with_message(ana, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "post_create": "2/hour",
        },
    }
    client = _client(ana)
    for i in range(2):
        assert (
            client.post("/api/v1/social/posts/", {"body": f"p{i}"}, format="json").status_code
            == 201
        )

    response = client.post("/api/v1/social/posts/", {"body": "p3"}, format="json")

    assert response.status_code == 429
    assert response.json()["detail"].startswith("You are doing that too often.")
    assert Post.objects.count() == 2


def test_comment_rate_limit_gives_429(ana, ben, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "comment_create": "1/minute",
        },
    }
    post = PostFactory(author=ana)
    client = _client(ben)
    client.post(f"/api/v1/social/posts/{post.pk}/comments/", {"body": "1"}, format="json")

    response = client.post(
        f"/api/v1/social/posts/{post.pk}/comments/", {"body": "2"}, format="json"
    )

    assert response.status_code == 429


def test_follow_rate_limit_gives_429(ana, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "follow": "1/hour",
        },
    }
    UserFactory(username="u1")
    UserFactory(username="u2")
    client = _client(ana)
    assert client.post("/api/v1/social/profiles/u1/follow/").status_code == 201

    assert client.post("/api/v1/social/profiles/u2/follow/").status_code == 429


def test_schema_lists_social_endpoints(client):
    response = client.get("/api/schema/")

    text = response.content.decode()
    assert response.status_code == 200
    for endpoint in [
        "/api/v1/social/feed/",
        "/api/v1/social/posts/{id}/comments/",
        "/api/v1/social/profiles/{username}/follow/",
        "/api/v1/social/notifications/read-all/",
        "/api/v1/social/export/",
        "/api/v1/social/account/delete/",
        "/api/v1/social/suggestions/",
        "/api/v1/social/privacy/",
    ]:
        assert endpoint in text


@pytest.mark.parametrize("value", ["null", "maybe", "2"])
def test_a_boolean_query_value_that_is_not_true_or_false_is_a_400(ana, value):
    response = _client(ana).get(f"/api/v1/social/notifications/?unread={value}")
    assert (response.status_code, response.json()) == (
        400,
        {"unread": ["Must be a valid boolean."]},
    )


@pytest.mark.parametrize(("value", "count"), [("true", 1), ("1", 1), ("false", 2), ("", 2)])
def test_unread_filters_notifications(ana, ben, value, count):
    services.follow_create(follower=ben, followee=ana)
    client = _client(ana)
    client.post("/api/v1/social/notifications/read-all/")
    services.follow_delete(follower=ben, followee=ana)
    services.follow_create(follower=ben, followee=ana)
    listing = client.get(f"/api/v1/social/notifications/?unread={value}").json()
    assert len(listing["results"]) == count


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
def test_a_group_buy_page_below_1_or_not_a_number_is_a_400(api_client, page):
    response = api_client.get(f"/api/v1/social/group-buys/?page={page}")
    assert (response.status_code, response.json()) == (
        400,
        {"page": ["Page must be a whole number from 1."]},
    )


@pytest.mark.parametrize("value", [0, 1, "true", None])
def test_privacy_switches_take_json_booleans_only(ana, value):
    response = _client(ana).patch(
        "/api/v1/social/privacy/", {"show_wishlist": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["show_wishlist"]


@pytest.mark.parametrize("product_ids", [[94781215712257572792696832], [-5], [0]])
def test_product_ids_out_of_the_id_range_are_a_400_not_a_crash(ana, product_ids):
    post = PostFactory(author=ana)
    client = _client(ana)
    edited = client.patch(
        f"/api/v1/social/posts/{post.pk}/", {"product_ids": product_ids}, format="json"
    )
    created = client.post("/api/v1/social/posts/", {"product_ids": product_ids}, format="json")
    assert (edited.status_code, created.status_code) == (400, 400)
    assert list(edited.json()) == ["product_ids"]


def test_a_comment_parent_out_of_the_id_range_is_a_400(ana):
    post = PostFactory(author=ana)
    response = _client(ana).post(
        f"/api/v1/social/posts/{post.pk}/comments/",
        {"body": "hi", "parent": 2**70},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["parent"])


def test_schema_says_a_membership_order_number_is_null_until_the_group_completes():
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schemas["GroupBuyMembership"]["properties"]["order_number"]["nullable"] is True
