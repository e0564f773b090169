from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from social import selectors, services
from social.models import Block, Follow, Mute, Notification
from tests.factories import UserFactory
from tests.factories.social import BlockFactory, FollowFactory


def test_follow_public_profile_is_active_and_notifies(ana, ben):
    follow = services.follow_create(follower=ana, followee=ben)

    assert follow.status == Follow.Status.ACTIVE
    notification = Notification.objects.get(recipient=ben)
    assert notification.kind == Notification.Kind.FOLLOW
    assert notification.message == "@ana started following you."
    assert notification.url == "/social/people/ana/"


def test_follow_private_profile_creates_request(ana, ben):
    services.privacy_update(user=ben, is_private=True)

    follow = services.follow_create(follower=ana, followee=ben)

    assert follow.status == Follow.Status.PENDING
    assert Notification.objects.get(recipient=ben).kind == Notification.Kind.FOLLOW_REQUEST
    assert selectors.followee_ids(user_id=ana.pk) == []


def test_follow_twice_is_idempotent(ana, ben):
    services.follow_create(follower=ana, followee=ben)
    services.follow_create(follower=ana, followee=ben)

    assert Follow.objects.count() == 1
    assert Notification.objects.count() == 1


def test_follow_self_is_refused(ana):
    with pytest.raises(ValidationError):
        services.follow_create(follower=ana, followee=ana)


def test_approve_request_activates_and_notifies(ana, ben):
    services.privacy_update(user=ben, is_private=True)
    services.follow_create(follower=ana, followee=ben)

    services.follow_request_approve(followee=ben, follower_id=ana.pk)

    assert Follow.objects.get(follower=ana, followee=ben).status == Follow.Status.ACTIVE
    assert Notification.objects.get(recipient=ana).message == "@ben approved your follow request."


def test_decline_request_removes_it(ana, ben):
    services.privacy_update(user=ben, is_private=True)
    services.follow_create(follower=ana, followee=ben)

    services.follow_request_decline(followee=ben, follower_id=ana.pk)

    assert not Follow.objects.exists()


def test_approving_a_missing_request_is_an_error(ana, ben):
    with pytest.raises(ValidationError):
        services.follow_request_approve(followee=ben, follower_id=ana.pk)


def test_going_public_approves_pending_requests(ana, ben):
    services.privacy_update(user=ben, is_private=True)
    services.follow_create(follower=ana, followee=ben)

    services.privacy_update(user=ben, is_private=False)

    assert selectors.followee_ids(user_id=ana.pk) == [ben.pk]


def test_unfollow(ana, ben):
    FollowFactory(follower=ana, followee=ben)

    assert services.follow_delete(follower=ana, followee=ben) is True
    assert not Follow.objects.exists()


def test_block_removes_follows_both_ways(ana, ben):
    FollowFactory(follower=ana, followee=ben)
    FollowFactory(follower=ben, followee=ana)

    services.block_create(blocker=ana, blocked=ben)

    assert not Follow.objects.exists()
    assert Block.objects.filter(blocker=ana, blocked=ben).exists()


@pytest.mark.parametrize("direction", ["blocked_by_target", "blocked_target"])
def test_blocked_pair_cannot_follow(ana, ben, direction):
    if direction == "blocked_by_target":
        BlockFactory(blocker=ben, blocked=ana)
    else:
        BlockFactory(blocker=ana, blocked=ben)

    with pytest.raises(PermissionDenied):
        services.follow_create(follower=ana, followee=ben)


def test_mute_is_silent(ana, ben):
    services.mute_create(muter=ana, muted=ben)

    assert Mute.objects.filter(muter=ana, muted=ben).exists()
    assert not Notification.objects.exists()


def test_profile_page_hides_private_content_from_non_followers(ana, ben):
    services.privacy_update(user=ben, is_private=True)

    page = selectors.profile_page(viewer=ana, username="ben")

    assert page.can_see_content is False


def test_profile_page_404_for_blocked_viewer(ana, ben):
    from django.http import Http404

    BlockFactory(blocker=ben, blocked=ana)

    with pytest.raises(Http404):
        selectors.profile_page(viewer=ana, username="ben")


def test_profile_counts(ana, ben, cleo):
    FollowFactory(follower=ana, followee=ben)
    FollowFactory(follower=cleo, followee=ben)
    FollowFactory(follower=ben, followee=ana)
    FollowFactory(follower=UserFactory(), followee=ben, status=Follow.Status.PENDING)

    page = selectors.profile_page(viewer=None, username="ben")

    assert (page.follower_count, page.following_count) == (2, 1)


def test_profile_update_stores_resized_avatar(ana):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (1000, 800), "blue").save(buffer, format="PNG")

    profile = services.profile_update(
        user=ana,
        display_name="Ana B",
        bio="Shoes.",
        avatar=SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png"),
    )

    profile.refresh_from_db()
    assert profile.display_name == "Ana B"
    with Image.open(profile.avatar.path) as stored:
        assert stored.size == (512, 410)
    assert profile.avatar.name.startswith("avatars/")
    assert "me" not in profile.avatar.name


def test_profile_update_refuses_non_image_avatar(ana):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(
            user=ana,
            avatar=SimpleUploadedFile("me.png", b"<html></html>", content_type="image/png"),
        )

    assert "avatar" in excinfo.value.message_dict


def test_unknown_privacy_setting_is_refused(ana):
    with pytest.raises(ValidationError):
        services.privacy_update(user=ana, is_staff=True)


def test_follow_graph_changes_fire_the_hook(ana, ben, monkeypatch):
    from social.hooks import follow_graph_changed

    fired: list[int] = []
    monkeypatch.setattr(follow_graph_changed, "_receivers", [*follow_graph_changed, fired.append])

    services.follow_create(follower=ana, followee=ben)
    services.follow_delete(follower=ana, followee=ben)

    assert fired == [ana.pk, ana.pk]
