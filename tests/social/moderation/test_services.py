"""Moderation services and selectors: reports (merge, rate limit, bad input), the queue, moderator actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shop.models import Review
from social.models import Comment, ModerationAction, Notification, Post, Profile, Report
from social.selectors import (
    moderation_queue,
    user_is_moderator,
    user_is_suspended,
)
from social.services import ModerationError, moderation_act, report_create
from tests.factories import ProductFactory, UserFactory
from tests.factories.community import make_review

pytestmark = pytest.mark.django_db


def act(moderator, target, kind, note="Checked.", **kwargs):
    return moderation_act(
        moderator=moderator,
        content_type_id=ContentType.objects.get_for_model(target).id,
        object_id=target.pk,
        kind=kind,
        note=note,
        **kwargs,
    )


def make_post(author=None, body="Buy followers cheap!!!"):
    return Post.objects.create(author=author or UserFactory(), body=body)


def make_comment(author=None, body="You are an idiot"):
    return Comment.objects.create(post=make_post(), author=author or UserFactory(), body=body)


def test_moderators_group_exists_with_moderation_permissions():
    codenames = set(
        Group.objects.get(name="moderators").permissions.values_list("codename", flat=True)
    )
    assert {"view_report", "change_report", "view_moderationaction"} <= codenames


def test_user_is_moderator_for_group_members_and_superusers(moderator, user):
    superuser = UserFactory(is_superuser=True)
    assert (user_is_moderator(moderator), user_is_moderator(superuser)) == (True, True)
    assert user_is_moderator(user) is False


def test_user_is_suspended_only_while_suspension_runs(user):
    Profile.objects.create(user=user, suspended_until=timezone.now() + timedelta(hours=1))
    assert user_is_suspended(user) is True
    Profile.objects.filter(user=user).update(suspended_until=timezone.now() - timedelta(hours=1))
    assert user_is_suspended(user) is False


@pytest.mark.parametrize("make_target", [make_review, make_post, make_comment, UserFactory])
def test_report_create_stores_a_generic_report(user, make_target):
    target = make_target()
    report = report_create(reporter=user, target=target, reason="spam", note="ads")
    assert (report.target, report.reason, report.status, report.note) == (
        target,
        "spam",
        "open",
        "ads",
    )


def test_duplicate_open_report_is_merged(user):
    review = make_review()
    first = report_create(reporter=user, target=review, reason="spam", note="ads")
    second = report_create(reporter=user, target=review, reason="abuse", note="and rude")
    assert first.id == second.id
    assert Report.objects.count() == 1
    assert (second.reason, second.note) == ("abuse", "ads\nand rude")


def test_reports_by_different_reporters_are_separate(user, other_user):
    review = make_review()
    report_create(reporter=user, target=review, reason="spam")
    report_create(reporter=other_user, target=review, reason="spam")
    assert Report.objects.count() == 2


def test_report_rate_limit_refuses_beyond_the_setting(user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "report": "2/hour",
        },
    }
    report_create(reporter=user, target=make_review(), reason="spam")
    report_create(reporter=user, target=make_review(), reason="spam")
    with pytest.raises(ModerationError, match="many reports") as caught:
        report_create(reporter=user, target=make_review(), reason="spam")
    assert caught.value.code == "rate_limited"
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [("nonsense", "", "Choose a reason"), ("spam", "x" * 2001, "too long")],
)
def test_report_rejects_bad_input(user, reason, note, message):
    with pytest.raises(ModerationError, match=message):
        report_create(reporter=user, target=make_review(), reason=reason, note=note)


def test_report_rejects_models_without_is_hidden(user):
    with pytest.raises(ModerationError, match="cannot be reported"):
        report_create(reporter=user, target=Group.objects.create(name="x"), reason="spam")


def test_report_own_content_is_refused(user):
    with pytest.raises(ModerationError, match="your own"):
        report_create(reporter=user, target=make_review(user=user), reason="spam")


def test_suspended_user_cannot_report(user):
    Profile.objects.create(user=user, suspended_until=timezone.now() + timedelta(days=1))
    with pytest.raises(ModerationError, match="suspended"):
        report_create(reporter=user, target=make_review(), reason="spam")


def test_queue_groups_open_reports_by_target_oldest_first(user, other_user):
    older, newer = make_review(body="<b>old</b>"), make_post(body="new")
    report_create(reporter=user, target=older, reason="spam")
    report_create(reporter=other_user, target=older, reason="abuse", note="mean")
    report_create(reporter=user, target=newer, reason="other")
    queue = moderation_queue()
    assert [(item.target, item.report_count) for item in queue] == [(older, 2), (newer, 1)]
    assert queue[0].preview == "Bad · <b>old</b>"
    assert sorted(queue[0].reasons) == [("abuse", "abuse or harassment", 1), ("spam", "spam", 1)]
    assert queue[0].notes == ["mean"]
    assert queue[0].owner == older.user


def test_queue_query_count_does_not_grow_with_reports(user, django_assert_max_num_queries):
    for _ in range(3):
        report_create(reporter=user, target=make_review(), reason="spam")
    for _ in range(3):
        report_create(reporter=user, target=make_post(), reason="spam")
    # grouped reports, reports, reviews+authors, posts+authors, suspensions (content types are cached)
    with django_assert_max_num_queries(7):
        items = moderation_queue()
        [item.preview for item in items]
    assert len(items) == 6


def test_queue_leaves_out_resolved_reports(user, moderator):
    review = make_review()
    report_create(reporter=user, target=review, reason="spam")
    act(moderator, review, "dismiss")
    assert moderation_queue() == []


def test_hide_flips_is_hidden_resolves_reports_and_logs(user, moderator):
    review = make_review()
    report = report_create(reporter=user, target=review, reason="spam")
    action = act(moderator, review, "hide", note="Spam link")
    assert Review.objects.get(id=review.id).is_hidden is True
    report.refresh_from_db()
    assert (report.status, report.action) == ("actioned", action)
    assert (action.moderator, action.kind, action.note, action.reports_resolved) == (
        moderator,
        "hide",
        "Spam link",
        1,
    )
    assert action.target == review


def test_hiding_a_review_takes_it_out_of_the_product_rating(user, moderator):
    from shop.services import review_save

    product = ProductFactory()
    kept = review_save(user=UserFactory(), product=product, rating=5, title="", body="Great.")
    spam = review_save(user=UserFactory(), product=product, rating=1, title="", body="Spam!")
    report_create(reporter=user, target=spam, reason="spam")
    act(moderator, spam, "hide")
    product.refresh_from_db()
    assert (product.rating_count, product.rating_avg) == (1, kept.rating)


def test_restore_unhides_content(moderator):
    post = make_post()
    Post.objects.filter(id=post.id).update(is_hidden=True)
    act(moderator, post, "restore")
    assert Post.objects.get(id=post.id).is_hidden is False


def test_reporters_are_told_the_outcome(user, other_user, moderator):
    comment = make_comment()
    report_create(reporter=user, target=comment, reason="abuse")
    report_create(reporter=other_user, target=comment, reason="abuse")
    act(moderator, comment, "hide")
    told = Notification.objects.filter(
        kind="moderation", message__contains="the content was removed"
    )
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([user.id, other_user.id])


def test_warn_notifies_the_author(user, moderator):
    post = make_post()
    report_create(reporter=user, target=post, reason="spam")
    act(moderator, post, "warn", note="No ads please")
    note = Notification.objects.get(recipient=post.author)
    assert note.message == "A moderator sent you a warning: No ads please"


def test_suspend_sets_profile_and_blocks_reporting(user, moderator):
    until = timezone.now() + timedelta(days=3)
    action = act(moderator, user, "suspend", note="Harassment", suspended_until=until)
    assert Profile.objects.get(user=user).suspended_until == until
    assert action.suspended_until == until
    assert user_is_suspended(user) is True


def test_suspend_via_content_targets_its_author(moderator):
    review = make_review()
    act(moderator, review, "suspend", suspended_until=timezone.now() + timedelta(days=1))
    assert user_is_suspended(review.user) is True


def test_unsuspend_lifts_suspension(user, moderator):
    Profile.objects.create(user=user, suspended_until=timezone.now() + timedelta(days=1))
    act(moderator, user, "unsuspend")
    assert user_is_suspended(user) is False
    assert ModerationAction.objects.get().kind == "unsuspend"


@pytest.mark.parametrize(
    ("kind", "extra", "message"),
    [
        ("suspend", {}, "until when"),
        ("suspend", {"suspended_until": -1}, "in the future"),
        ("explode", {}, "Choose an action"),
        ("hide", {"target": "user"}, "Only content"),
        ("dismiss", {}, "no open reports"),
    ],
)
def test_act_rejects_bad_input(moderator, kind, extra, message):
    target = UserFactory() if extra.pop("target", None) == "user" else make_review()
    if "suspended_until" in extra:
        extra["suspended_until"] = timezone.now() + timedelta(days=extra["suspended_until"])
    with pytest.raises(ModerationError, match=message):
        act(moderator, target, kind, **extra)
    assert ModerationAction.objects.count() == 0


def test_act_requires_a_note(moderator):
    with pytest.raises(ModerationError, match="note"):
        act(moderator, make_review(), "hide", note="  ")


def test_act_by_non_moderator_is_forbidden(user):
    with pytest.raises(PermissionDenied):
        act(user, make_review(), "hide")
    assert ModerationAction.objects.count() == 0


def test_reports_on_deleted_target_can_be_dismissed(user, moderator):
    post = make_post()
    report_create(reporter=user, target=post, reason="spam")
    content_type_id, object_id = ContentType.objects.get_for_model(post).id, post.id
    post.delete()
    assert moderation_queue()[0].preview == "(deleted)"
    with pytest.raises(ModerationError, match="no longer exists"):
        moderation_act(
            moderator=moderator,
            content_type_id=content_type_id,
            object_id=object_id,
            kind="hide",
            note="x",
        )
    moderation_act(
        moderator=moderator,
        content_type_id=content_type_id,
        object_id=object_id,
        kind="dismiss",
        note="gone",
    )
    assert Report.objects.get().status == "dismissed"


def test_suspended_user_cannot_post_or_comment(user, moderator):
    from social.services import comment_create, post_create

    post = make_post()
    act(moderator, user, "suspend", suspended_until=timezone.now() + timedelta(days=1))
    user.refresh_from_db()
    with pytest.raises(PermissionDenied, match="suspended"):
        post_create(author=user, body="hello")
    with pytest.raises(PermissionDenied, match="suspended"):
        comment_create(author=user, post=post, body="hi")


def test_support_chat_message_can_be_reported_and_hidden(user, other_user, moderator):
    from support.models import Conversation, Message

    conversation = Conversation.objects.create(user=other_user)
    message = Message.objects.create(
        conversation=conversation,
        seq=1,
        author=other_user,
        author_key=f"user:{other_user.id}",
        role="shopper",
        body="rude words",
    )
    report_create(reporter=user, target=message, reason="abuse")
    assert moderation_queue()[0].owner == other_user
    act(moderator, message, "hide")
    assert Message.objects.get(id=message.id).is_hidden is True


def test_reportable_kinds_are_social_shop_and_registered_ones():
    from social.selectors import reportable_model_registry

    assert sorted(reportable_model_registry()) == [
        "shop.answer",
        "shop.question",
        "shop.review",
        "shop.user",
        "social.comment",
        "social.post",
        "support.message",  # registered by support through the reportable_models hook
    ]
