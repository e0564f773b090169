import pytest
from django.urls import reverse

from recsys.models import Click, Impression, ModelVersion
from tests.factories import ProductFactory, UserFactory
from tests.recsys.helpers import stored_run

pytestmark = pytest.mark.django_db


def test_home_slot_loads_the_widgets_with_htmx(shopper_client):
    from django.template.loader import render_to_string

    html = render_to_string("recsys/partials/home_widgets.html")

    assert f'hx-get="{reverse("recsys:widget", args=["for_you"])}"' in html
    assert f'hx-get="{reverse("recsys:widget", args=["trending"])}"' in html
    assert 'hx-trigger="load"' in html


def test_for_you_fragment_shows_cards_with_reasons_and_logs_impressions(shopper_client, user):
    first, second = ProductFactory(name="Teapot"), ProductFactory(name="Mug")
    stored_run(user_lists={user: [[first.pk, 2, [{"k": "trending"}]], [second.pk, 1, []]]})

    response = shopper_client.get(reverse("recsys:widget", args=["for_you"]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Teapot" in body
    assert "Mug" in body
    assert "Trending now" in body
    assert list(
        Impression.objects.order_by("position").values_list(
            "product_id", "position", "widget", "user_id"
        )
    ) == [
        (first.pk, 1, "for_you", user.pk),
        (second.pk, 2, "for_you", user.pk),
    ]


def test_card_links_go_through_the_click_url_which_logs_and_redirects(shopper_client, user):
    product = ProductFactory()
    run = stored_run(user_lists={user: [[product.pk, 1, []]]})
    body = shopper_client.get(reverse("recsys:widget", args=["for_you"])).content.decode()
    start = body.index(reverse("recsys:click"))
    click_url = body[start : body.index('"', start)].replace("&amp;", "&")
    assert f'href="{product.get_absolute_url()}"' not in body

    response = shopper_client.get(click_url)

    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    click = Click.objects.get()
    assert (click.user_id, click.product_id, click.position, click.model_version_id) == (
        user.pk,
        product.pk,
        1,
        run.model_version_id,
    )


def test_a_forged_click_token_is_refused(client, product):
    response = client.get(reverse("recsys:click") + "?t=not-a-token")

    assert response.status_code == 400
    assert Click.objects.count() == 0


def test_similar_fragment_needs_a_valid_product_id(client):
    assert (
        client.get(reverse("recsys:widget", args=["similar"]) + "?product=abc").status_code == 400
    )
    assert (
        client.get(reverse("recsys:widget", args=["similar"]) + "?product=999999").status_code
        == 404
    )


def test_unknown_widget_is_404(client):
    assert client.get(reverse("recsys:widget", args=["nope"])).status_code == 404


def test_similar_fragment_lists_similar_products(client, product):
    other = ProductFactory(name="Cousin")
    stored_run(similar={product: [[other.pk, 0.9, [{"k": "similar_item"}]]]})

    response = client.get(reverse("recsys:widget", args=["similar"]) + f"?product={product.pk}")

    assert "Cousin" in response.content.decode()


def test_friends_fragment_names_the_followees(shopper_client, user):
    from tests.factories.social import FollowFactory, ProfileFactory

    ana = UserFactory(username="ana")
    ProfileFactory(user=ana, share_purchases_default=True)
    FollowFactory(follower=user, followee=ana)
    product = ProductFactory()
    stored_run(friends={user: [[product.pk, 1, [{"k": "followee", "a": "bought", "u": [ana.pk]}]]]})

    body = shopper_client.get(reverse("recsys:widget", args=["friends"])).content.decode()

    assert "Because @ana, whom you follow, bought this" in body


# --- dashboard -------------------------------------------------------------------------------------------


def test_dashboard_is_403_for_a_shopper(shopper_client):
    assert shopper_client.get(reverse("recsys:dashboard")).status_code == 403
    assert (
        shopper_client.post(reverse("recsys:dashboard_action"), {"action": "retrain"}).status_code
        == 403
    )


def test_dashboard_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("recsys:dashboard"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_dashboard_shows_versions_and_svg_charts_to_staff(client):
    staff = UserFactory(username="staffer", is_staff=True)
    client.force_login(staff)
    ModelVersion.objects.create(
        status="ready",
        metrics={
            "model": {"overall": {"precision": 0.31}},
            "popularity": {"overall": {"precision": 0.2}},
        },
        validation_curve=[{"epoch": 1, "value": 0.1}, {"epoch": 2, "value": 0.2}],
        artifact_name="/tmp/x.pkl",
    )

    response = client.get(reverse("recsys:dashboard"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") == 2
    assert "0.310" in body
    assert "<polyline" in body


def test_dashboard_promote_action_makes_the_version_serve(client, tmp_path):
    staff = UserFactory(username="staffer", is_staff=True)
    client.force_login(staff)
    version = ModelVersion.objects.create(status="ready", artifact_name=str(tmp_path / "m.pkl"))

    response = client.post(
        reverse("recsys:dashboard_action"), {"action": "promote", "version": version.pk}
    )

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "serving"


def test_dashboard_rejects_an_unknown_action(client):
    client.force_login(UserFactory(username="staffer", is_staff=True))

    assert client.post(reverse("recsys:dashboard_action"), {"action": "explode"}).status_code == 400


# --- onboarding ------------------------------------------------------------------------------------------


def test_onboarding_stores_categories_and_follows_then_goes_home(shopper_client, user):
    from social.models import Follow, Profile

    product = ProductFactory()
    ana = UserFactory(username="ana")

    response = shopper_client.post(
        reverse("recsys:onboarding"), {"categories": [product.category_id], "people": [ana.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("shop:home")
    assert list(
        Profile.objects.get(user=user).favourite_categories.values_list("pk", flat=True)
    ) == [product.category_id]
    assert Follow.objects.filter(follower=user, followee=ana).exists()


def test_onboarding_with_nothing_picked_shows_an_error(shopper_client):
    response = shopper_client.post(reverse("recsys:onboarding"), {})

    assert response.status_code == 200
    assert "Pick at least one category or one person." in response.content.decode()


def test_onboarding_does_not_suggest_blocked_people(shopper_client, user):
    from tests.factories.social import BlockFactory

    UserFactory(username="visible")
    hidden = UserFactory(username="hidden")
    BlockFactory(blocker=hidden, blocked=user)

    body = shopper_client.get(reverse("recsys:onboarding")).content.decode()

    assert "@visible" in body
    assert "@hidden" not in body


@pytest.mark.parametrize("size", [1, 8])
def test_for_you_fragment_takes_the_same_queries_whatever_the_list_size(
    shopper_client, user, size, django_assert_num_queries
):
    from tests.factories.social import FollowFactory, ProfileFactory

    ana = UserFactory(username="ana")
    ProfileFactory(user=ana, share_purchases_default=True)
    FollowFactory(follower=user, followee=ana)
    products = [ProductFactory() for _ in range(size)]
    facts = [{"k": "followee", "a": "bought", "u": [ana.pk]}, {"k": "similar", "p": products[0].pk}]
    stored_run(user_lists={user: [[p.pk, 1.0, facts] for p in products]})
    shopper_client.get(reverse("recsys:widget", args=["for_you"]))  # warm the session and caches

    # User, profile, list, products, the people followed (names, blocks and purchase sharing in one query),
    # similar product names and the impressions INSERT (the session, the serving run and the active
    # experiment come from the cache; a fragment shows no navigation, so none is read).
    with django_assert_num_queries(7):
        response = shopper_client.get(reverse("recsys:widget", args=["for_you"]))

    assert response.content.decode().count('class="reason"') == size


def test_for_you_slot_stays_empty_for_anonymous_visitors_beside_trending(client):
    product = ProductFactory()
    stored_run(trending=[[product.pk, 1, [{"k": "trending"}]]])

    for_you = client.get(reverse("recsys:widget", args=["for_you"])).content.decode()
    trending = client.get(reverse("recsys:widget", args=["trending"])).content.decode()

    assert product.name not in for_you
    assert product.name in trending


def test_dashboard_shows_the_validation_curve_of_the_chosen_version(client):
    client.force_login(UserFactory(username="staffer", is_staff=True))
    older = ModelVersion.objects.create(
        status="retired", validation_curve=[{"epoch": 1, "value": 0.1}]
    )
    ModelVersion.objects.create(status="ready", validation_curve=[{"epoch": 1, "value": 0.2}])

    body = client.get(reverse("recsys:dashboard") + f"?curve={older.pk}").content.decode()

    assert f"validation curve of version {older.pk}" in body


@pytest.mark.parametrize(
    "model",
    [
        "modelversion",
        "scoringrun",
        "servingpointer",
        "userrecommendations",
        "productrecommendations",
        "experiment",
        "impression",
        "click",
        "conversion",
        "externalid",
    ],
)
def test_every_recommender_model_has_an_admin_list(admin_client, model):
    assert admin_client.get(reverse(f"admin:recsys_{model}_changelist")).status_code == 200


def test_dashboard_shows_which_family_serves_each_group_and_why(client):
    client.force_login(UserFactory(username="staffer", is_staff=True))
    ModelVersion.objects.create(
        status="ready",
        metrics={
            "model": {"overall": {"precision": 0.31}},
            "popularity": {"overall": {"precision": 0.2}},
            "selection": {
                "k": 10,
                "validation_users": 412,
                "light_threshold": 5,
                "min_z": 2.0,
                "candidates": [
                    {
                        "candidate": "ease",
                        "group": "heavy",
                        "precision": 0.2412,
                        "ndcg": 0.3,
                        "users": 300,
                        "gain_z": 4.2,
                        "settings": {},
                    },
                ],
                "choices": [
                    {
                        "group": "heavy",
                        "candidate": "ease",
                        "recipe": [["ease", 1.0]],
                        "reason": "beats popularity by 4.2 SE",
                    },
                ],
                "seconds": {},
            },
        },
        artifact_name="x",
    )

    body = client.get(reverse("recsys:dashboard")).content.decode()

    assert "412 validation shoppers" in body
    assert "beats popularity by 4.2 SE" in body
    assert "0.2412" in body
