"""Moderation pages: report form, the queue (moderators only), actions and the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from shop.models import Review
from social.models import ModerationAction, Profile, Report
from social.services import report_create
from tests.factories.community import make_review

pytestmark = pytest.mark.django_db

QUEUE_URLS = ["social:moderation_queue", "social:moderation_log"]


def report_url(target, app_label="shop", model_name="review"):
    return reverse(
        "social:report",
        kwargs={"app_label": app_label, "model_name": model_name, "object_id": target.pk},
    )


@pytest.mark.parametrize("who", ["anonymous", "shopper", "moderator"])
@pytest.mark.parametrize("url_name", QUEUE_URLS)
def test_queue_pages_authorization_matrix(client, user, moderator, who, url_name):
    if who != "anonymous":
        client.force_login(user if who == "shopper" else moderator)
    response = client.get(reverse(url_name))
    assert response.status_code == (200 if who == "moderator" else 403)


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_act_page_forbidden_for_non_moderators(client, user, who):
    review = make_review()
    if who == "shopper":
        client.force_login(user)
    response = client.post(
        reverse("social:moderation_act"),
        {
            "content_type_id": ContentType.objects.get_for_model(Review).id,
            "object_id": review.id,
            "kind": "hide",
            "note": "x",
        },
    )
    assert response.status_code == 403
    assert Review.objects.get(id=review.id).is_hidden is False


def test_queue_shows_preview_escaped(client, moderator, user):
    review = make_review(body="<script>alert('x')</script>")
    report_create(reporter=user, target=review, reason="spam", note="<b>bold</b>")
    client.force_login(moderator)
    html = client.get(reverse("social:moderation_queue")).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_queue_query_count_is_fixed(client, moderator, user, django_assert_max_num_queries):
    for _ in range(5):
        report_create(reporter=user, target=make_review(), reason="spam")
    client.force_login(moderator)
    client.get(reverse("social:moderation_queue"))  # warm the content-type cache
    with django_assert_max_num_queries(12):
        response = client.get(reverse("social:moderation_queue"))
    assert response.content.decode().count('class="moderation-item"') == 5


def test_moderator_hides_from_the_queue(client, moderator, user):
    review = make_review()
    report_create(reporter=user, target=review, reason="spam")
    client.force_login(moderator)
    response = client.post(
        reverse("social:moderation_act"),
        {
            "content_type_id": ContentType.objects.get_for_model(Review).id,
            "object_id": review.id,
            "kind": "hide",
            "note": "Spam",
        },
    )
    assert response.status_code == 302
    assert Review.objects.get(id=review.id).is_hidden is True
    assert ModerationAction.objects.get().kind == "hide"


def test_moderator_action_over_htmx_returns_a_fragment(client, moderator, user):
    review = make_review()
    report_create(reporter=user, target=review, reason="spam")
    client.force_login(moderator)
    response = client.post(
        reverse("social:moderation_act"),
        {
            "content_type_id": ContentType.objects.get_for_model(Review).id,
            "object_id": review.id,
            "kind": "dismiss",
            "note": "fine",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Done: dismiss reports (1 reports resolved)." in response.content.decode()


def test_moderator_action_without_note_is_400_with_message(client, moderator):
    review = make_review()
    client.force_login(moderator)
    response = client.post(
        reverse("social:moderation_act"),
        {
            "content_type_id": ContentType.objects.get_for_model(Review).id,
            "object_id": review.id,
            "kind": "hide",
            "note": "",
        },
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_suspend_in_the_past_is_400_with_message(client, moderator, other_user):
    client.force_login(moderator)
    response = client.post(
        reverse("social:moderation_act"),
        {
            "content_type_id": ContentType.objects.get_for_model(other_user).id,
            "object_id": other_user.id,
            "kind": "suspend",
            "note": "x",
            "suspended_until": "2020-01-01T10:00",
        },
    )
    assert response.status_code == 400
    assert "The suspension must end in the future." in response.content.decode()


def test_suspended_users_are_listed_for_unsuspend(client, moderator, other_user):
    Profile.objects.create(user=other_user, suspended_until=timezone.now() + timedelta(days=1))
    client.force_login(moderator)
    html = client.get(reverse("social:moderation_queue")).content.decode()
    assert f"@{other_user.username}" in html
    assert 'value="unsuspend"' in html


def test_report_page_get_and_post(client, user):
    review = make_review()
    client.force_login(user)
    assert client.get(report_url(review)).status_code == 200
    response = client.post(report_url(review), {"reason": "spam", "note": "ads", "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert Report.objects.get().target == review


def test_report_page_ignores_offsite_next(client, user):
    client.force_login(user)
    response = client.post(
        report_url(make_review()), {"reason": "spam", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("shop:home")


def test_report_page_without_reason_is_400(client, user):
    client.force_login(user)
    response = client.post(report_url(make_review()), {"note": "hm"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_report_page_unknown_target_is_404(client, user):
    client.force_login(user)
    url = reverse(
        "social:report", kwargs={"app_label": "auth", "model_name": "group", "object_id": 1}
    )
    assert client.get(url).status_code == 404


def test_report_page_requires_login(client):
    response = client.get(report_url(make_review()))
    assert response.status_code == 302


def test_report_page_rate_limited_is_429(client, user, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "report": "1/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client.force_login(user)
    client.post(report_url(make_review()), {"reason": "spam"})
    response = client.post(report_url(make_review()), {"reason": "spam"})
    assert response.status_code == 429
    assert "You have sent many reports recently" in response.content.decode()


def test_audit_log_admin_is_read_only(client, moderator):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456")
    review = make_review()
    report_create(reporter=moderator, target=review, reason="spam")
    from social.services import moderation_act

    action = moderation_act(
        moderator=admin_user,
        content_type_id=ContentType.objects.get_for_model(Review).id,
        object_id=review.id,
        kind="hide",
        note="<i>spam</i>",
    )
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:social_moderationaction_changelist"))
    assert changelist.status_code == 200
    change = client.get(reverse("admin:social_moderationaction_change", args=[action.id]))
    assert change.status_code == 200
    assert 'name="note"' not in change.content.decode()
    assert client.get(reverse("admin:social_moderationaction_add")).status_code == 403
    delete = client.post(
        reverse("admin:social_moderationaction_delete", args=[action.id]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert ModerationAction.objects.filter(id=action.id).exists()


@pytest.mark.parametrize("model", ["groupbuy", "groupbuymember", "report", "moderationaction"])
def test_admin_changelists_load(client, model):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456")
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:social_{model}_changelist")).status_code == 200


def test_post_page_offers_report_links_to_others_only(client, user, other_user):
    from social.models import Comment, Post

    post = Post.objects.create(author=other_user, body="hello")
    comment = Comment.objects.create(post=post, author=user, body="mine")
    client.force_login(user)
    html = client.get(reverse("social:post", args=[post.pk])).content.decode()
    assert reverse("social:report", args=["social", "post", post.pk]) in html
    assert reverse("social:report", args=["social", "comment", comment.pk]) not in html


def test_profile_offers_a_report_link(client, user, other_user):
    client.force_login(user)
    html = client.get(reverse("social:profile", args=[other_user.username])).content.decode()
    assert reverse("social:report", args=["shop", "user", other_user.pk]) in html


def test_nav_links_to_shop_together_and_queue_for_staff(client, moderator):
    client.force_login(moderator)
    html = client.get(reverse("social:groupbuy_list")).content.decode()
    assert reverse("social:moderation_queue") in html
