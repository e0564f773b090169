"""Moderation REST API: reports (429 beyond the limit), queue and actions for moderators only."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from shop.models import Review
from social.models import ModerationAction, Report
from social.services import report_create
from tests.factories import UserFactory
from tests.factories.community import make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_api(api_client, moderator):
    api_client.force_authenticate(moderator)
    return api_client


def test_report_create_returns_201(shopper_api):
    review = make_review()
    response = shopper_api.post(
        "/api/v1/social/reports/",
        {"target_type": "shop.review", "target_id": review.id, "reason": "spam", "note": "ads"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("target_type", "object_id", "reason", "note", "status")} == {
        "target_type": "shop.review",
        "object_id": review.id,
        "reason": "spam",
        "note": "ads",
        "status": "open",
    }


def test_report_a_user(shopper_api, other_user):
    response = shopper_api.post(
        "/api/v1/social/reports/",
        {"target_type": "shop.user", "target_id": other_user.id, "reason": "abuse"},
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "status_code"),
    [
        ({"target_type": "shop.review", "target_id": 999999, "reason": "spam"}, 404),
        ({"target_type": "auth.group", "target_id": 1, "reason": "spam"}, 404),
        ({"target_type": "nonsense", "target_id": 1, "reason": "spam"}, 400),
        ({"target_type": "shop.review", "target_id": 1, "reason": "boring"}, 400),
    ],
)
def test_report_bad_input_is_4xx(shopper_api, payload, status_code):
    make_review()
    response = shopper_api.post("/api/v1/social/reports/", payload, format="json")
    assert response.status_code == status_code
    assert Report.objects.count() == 0


def test_report_requires_login(api_client):
    review = make_review()
    response = api_client.post(
        "/api/v1/social/reports/",
        {"target_type": "shop.review", "target_id": review.id, "reason": "spam"},
        format="json",
    )
    assert response.status_code == 403


def test_report_beyond_rate_limit_is_429(shopper_api, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "report": "1/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    reviews = [make_review(), make_review()]
    statuses = [
        shopper_api.post(
            "/api/v1/social/reports/",
            {"target_type": "shop.review", "target_id": review.id, "reason": "spam"},
            format="json",
        ).status_code
        for review in reviews
    ]
    assert statuses == [201, 429]


def test_report_scope_counts_every_report_and_answers_429(shopper_api, settings):
    # The one limiter (common.ratelimit) counts repeated reports on one target too, as the API throttle did.
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "report": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    review = make_review()
    payload = {"target_type": "shop.review", "target_id": review.id, "reason": "spam"}
    statuses = [
        shopper_api.post("/api/v1/social/reports/", payload, format="json").status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]


@pytest.mark.parametrize("who", ["anonymous", "shopper", "moderator"])
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/v1/social/moderation/queue/"), ("get", "/api/v1/social/moderation/actions/")],
)
def test_queue_and_log_authorization_matrix(api_client, user, moderator, who, method, url):
    if who != "anonymous":
        api_client.force_authenticate(user if who == "shopper" else moderator)
    response = getattr(api_client, method)(url)
    assert response.status_code == (200 if who == "moderator" else 403)


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_actions_forbidden_for_non_moderators(api_client, user, who):
    review = make_review()
    if who == "shopper":
        api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/social/moderation/actions/",
        {"target_type": "shop.review", "target_id": review.id, "kind": "hide", "note": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert Review.objects.get(id=review.id).is_hidden is False


def test_queue_lists_grouped_reports(moderator_api, user, other_user):
    review = make_review(body="<script>alert(1)</script>")
    report_create(reporter=user, target=review, reason="spam")
    report_create(reporter=other_user, target=review, reason="spam", note="again")
    response = moderator_api.get("/api/v1/social/moderation/queue/")
    [item] = response.json()
    assert (item["target_type"], item["object_id"], item["report_count"]) == (
        "shop.review",
        review.id,
        2,
    )
    assert (item["reasons"], item["notes"], item["owner"]) == (
        {"spam": 2},
        ["again"],
        review.user.username,
    )


def test_moderator_hides_content_and_the_log_shows_it(moderator_api, user, moderator):
    review = make_review()
    report_create(reporter=user, target=review, reason="spam")
    response = moderator_api.post(
        "/api/v1/social/moderation/actions/",
        {"target_type": "shop.review", "target_id": review.id, "kind": "hide", "note": "spam"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["reports_resolved"]) == ("hide", 1)
    assert Review.objects.get(id=review.id).is_hidden is True
    log = moderator_api.get("/api/v1/social/moderation/actions/").json()
    assert [(row["moderator"], row["kind"], row["note"]) for row in log] == [
        (moderator.username, "hide", "spam")
    ]


def test_suspend_without_date_is_400(moderator_api):
    target = UserFactory()
    response = moderator_api.post(
        "/api/v1/social/moderation/actions/",
        {"target_type": "shop.user", "target_id": target.id, "kind": "suspend", "note": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"suspended_until": ["Say until when the account is suspended."]}
    assert ModerationAction.objects.count() == 0


def test_action_on_unknown_type_is_404(moderator_api):
    response = moderator_api.post(
        "/api/v1/social/moderation/actions/",
        {"target_type": "shop.nothing", "target_id": 1, "kind": "hide", "note": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_suspended_user_report_is_403(shopper_api, user, moderator):
    from datetime import timedelta

    from django.utils import timezone

    from social.services import moderation_act

    moderation_act(
        moderator=moderator,
        content_type_id=ContentType.objects.get_for_model(user).id,
        object_id=user.id,
        kind="suspend",
        note="cool off",
        suspended_until=timezone.now() + timedelta(days=1),
    )
    review = make_review()
    response = shopper_api.post(
        "/api/v1/social/reports/",
        {"target_type": "shop.review", "target_id": review.id, "reason": "spam"},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Your account is suspended."},
    )


def test_reporting_a_private_post_one_cannot_see_is_404(shopper_api, other_user):
    from social.models import Post, Profile

    Profile.objects.update_or_create(user=other_user, defaults={"is_private": True})
    post = Post.objects.create(author=other_user, body="only for followers")
    response = shopper_api.post(
        "/api/v1/social/reports/",
        {"target_type": "social.post", "target_id": post.id, "reason": "spam"},
        format="json",
    )
    assert response.status_code == 404
    assert Report.objects.count() == 0
