"""Profiles and privacy settings; the follow graph (follows, follow requests, blocks, mutes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.uploads import clean_image_upload
from shop.models import User
from social.hooks import follow_graph_changed
from social.models import Block, Follow, Mute, Notification, Profile
from social.selectors.people import (
    SUGGESTIONS_CACHE_SECONDS,
    SUGGESTIONS_SPARE,
    people_you_may_know,
    people_you_may_know_cache_key,
    people_you_may_know_slot,
)
from social.services.notifications import notification_create
from social.services.pictures import avatar_file_names, avatar_renditions_queue
from social.services.product_posts import product_posts_bump_for_author

__all__ = [
    "AVATAR_MAX_SIDE",
    "PRIVACY_FIELDS",
    "block_create",
    "block_delete",
    "favourite_categories_set",
    "follow_create",
    "follow_delete",
    "follow_request_approve",
    "follow_request_decline",
    "mute_create",
    "mute_delete",
    "privacy_update",
    "profile_get_or_create",
    "profile_save",
    "profile_update",
    "suggestions_refresh",
]

AVATAR_MAX_SIDE = 512
PRIVACY_FIELDS = (
    "is_private",
    "share_purchases_default",
    "personalise_recommendations",
    "show_in_suggestions",
    "show_wishlist",
    "email_optional",
    "answer_questions",
)


def profile_get_or_create(*, user: User) -> Profile:
    try:
        return user.profile
    except Profile.DoesNotExist:
        pass
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def profile_update(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    avatar: Any = None,
    remove_avatar: bool = False,
) -> Profile:
    profile = profile_get_or_create(user=user)
    if display_name is not None:
        display_name = display_name.strip()
        if len(display_name) > 80:
            raise ValidationError({"display_name": _("At most 80 characters.")})
        profile.display_name = display_name
    if bio is not None:
        if len(bio) > 1000:
            raise ValidationError({"bio": _("At most 1000 characters.")})
        profile.bio = bio.strip()
    if avatar is not None:
        try:
            cleaned = clean_image_upload(avatar, max_side=AVATAR_MAX_SIDE)
        except ValidationError as error:
            raise ValidationError({"avatar": error.messages}) from None
        profile.avatar.save(cleaned.name, cleaned, save=False)
    elif remove_avatar:
        profile.avatar = ""
    return profile_save(profile=profile)


def profile_save(*, profile: Profile) -> Profile:
    """Store a profile (the edit page through `profile_update`, or admin). When its avatar file changed, the
    recorded renditions are emptied (the new picture shows as its original until its own are made), the new
    ones are queued and the old file and its renditions are deleted after commit."""
    # The stored row, not this instance: the renditions task records the sides with an UPDATE.
    stored = (
        Profile.objects.filter(pk=profile.pk).values_list("avatar", "avatar_renditions").first()
        if profile.pk
        else None
    )
    old_avatar, old_sides = (stored[0] or "", list(stored[1] or ())) if stored else ("", [])
    new_avatar = profile.avatar.name if profile.avatar else ""
    if new_avatar != old_avatar:
        profile.avatar_renditions = []
        profile.avatar_formats = []
    profile.save()
    product_posts_bump_for_author(profile.user_id)
    if new_avatar and new_avatar != old_avatar:
        avatar_renditions_queue(profile_id=profile.pk)
    if old_avatar and old_avatar != new_avatar:
        storage = profile.avatar.storage
        transaction.on_commit(lambda: _avatar_files_delete(storage, old_avatar, old_sides))
    return profile


def _avatar_files_delete(storage: Storage, name: str, sides: list[int]) -> None:
    """Delete a replaced avatar and its renditions, unless another profile still shows the same file (demo
    people share composed avatars)."""
    if Profile.objects.filter(avatar=name).exists():
        return
    for file_name in avatar_file_names(name=name, sides=sides):
        storage.delete(file_name)


def privacy_update(*, user: User, **flags: bool) -> Profile:
    """Change privacy flags. Going public approves every pending follow request."""
    unknown = set(flags) - set(PRIVACY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown setting: %(name)s") % {"name": ", ".join(sorted(unknown))})
    profile = profile_get_or_create(user=user)
    was_private = profile.is_private
    for name, value in flags.items():
        setattr(profile, name, bool(value))
    with transaction.atomic():
        profile.save(update_fields=list(flags) or None)
        product_posts_bump_for_author(user.pk)
        if was_private and not profile.is_private:
            Follow.objects.filter(followee=user, status=Follow.Status.PENDING).update(
                status=Follow.Status.ACTIVE
            )
    return profile


def _suggestions_forget(*user_ids: int) -> None:
    """These shoppers' follow graph changed: their cached "people you may know" is recomputed on next read."""
    cache.delete_many([people_you_may_know_cache_key(user_id) for user_id in user_ids])


def suggestions_refresh(*, active_within: timedelta = timedelta(days=7), limit: int = 3) -> int:
    """Compute ahead the feed panel's "people you may know" of every shopper signed in recently (in the
    site's default language), so the page only reads it; returns how many shoppers were refreshed."""
    since = timezone.now() - active_within
    refreshed = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in User.objects.filter(is_active=True, last_login__gte=since).iterator():
            key = people_you_may_know_cache_key(user.pk)
            suggestions = people_you_may_know(user=user, limit=limit + SUGGESTIONS_SPARE)
            entry = cache.get(key) or {}
            entry[people_you_may_know_slot(limit)] = suggestions
            cache.set(key, entry, SUGGESTIONS_CACHE_SECONDS)
            refreshed += 1
    return refreshed


def _is_blocked_pair(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def follow_create(*, follower: User, followee: User) -> Follow:
    """Follow someone; a private profile gets a follow request to approve instead. Idempotent."""
    if follower.pk == followee.pk:
        raise ValidationError(_("You cannot follow yourself."))
    if not followee.is_active:
        raise ValidationError(_("This account is not available."))
    if _is_blocked_pair(follower.pk, followee.pk):
        raise PermissionDenied(_("You cannot follow this account."))
    existing = Follow.objects.filter(follower=follower, followee=followee).first()
    if existing:
        return existing
    private = profile_get_or_create(user=followee).is_private
    status = Follow.Status.PENDING if private else Follow.Status.ACTIVE
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=follower, followee=followee, status=status)
    except IntegrityError:  # a concurrent double click created it first
        return Follow.objects.get(follower=follower, followee=followee)
    _suggestions_forget(follower.pk)
    follow_graph_changed.fire(follower.pk)  # the recommender re-scores on request
    name = follower.get_username()
    if private:
        notification_create(
            recipient_id=followee.pk,
            kind=Notification.Kind.FOLLOW_REQUEST,
            message=_("@%(name)s asked to follow you.") % {"name": name},
            url=_follow_requests_url(),
            actor_id=follower.pk,
        )
    else:
        notification_create(
            recipient_id=followee.pk,
            kind=Notification.Kind.FOLLOW,
            message=_("@%(name)s started following you.") % {"name": name},
            url=_profile_url(name),
            actor_id=follower.pk,
        )
    return follow


def follow_delete(*, follower: User, followee: User) -> bool:
    """Unfollow, or withdraw a pending request. Returns whether anything was removed."""
    deleted, _rows = Follow.objects.filter(follower=follower, followee=followee).delete()
    _suggestions_forget(follower.pk)
    follow_graph_changed.fire(follower.pk)  # the recommender re-scores on request
    return bool(deleted)


def follow_request_approve(*, followee: User, follower_id: int) -> Follow:
    follow = Follow.objects.filter(
        followee=followee, follower_id=follower_id, status=Follow.Status.PENDING
    ).first()
    if follow is None:
        raise ValidationError(_("There is no pending request from this account."))
    follow.status = Follow.Status.ACTIVE
    follow.save(update_fields=["status"])
    _suggestions_forget(follower_id)
    follow_graph_changed.fire(follower_id)  # the recommender re-scores on request
    notification_create(
        recipient_id=follower_id,
        kind=Notification.Kind.FOLLOW,
        message=_("@%(name)s approved your follow request.") % {"name": followee.get_username()},
        url=_profile_url(followee.get_username()),
        actor_id=followee.pk,
    )
    return follow


def follow_request_decline(*, followee: User, follower_id: int) -> None:
    deleted, _rows = Follow.objects.filter(
        followee=followee, follower_id=follower_id, status=Follow.Status.PENDING
    ).delete()
    if not deleted:
        raise ValidationError(_("There is no pending request from this account."))
    _suggestions_forget(follower_id)


def block_create(*, blocker: User, blocked: User) -> Block:
    """Block: ends follows both ways; from now on neither sees the other's content."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."))
    with transaction.atomic():
        block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        Follow.objects.filter(
            Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
        ).delete()
    _suggestions_forget(blocker.pk, blocked.pk)
    return block


def block_delete(*, blocker: User, blocked: User) -> bool:
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    _suggestions_forget(blocker.pk, blocked.pk)
    return bool(deleted)


def mute_create(*, muter: User, muted: User) -> Mute:
    if muter.pk == muted.pk:
        raise ValidationError(_("You cannot mute yourself."))
    mute, _created = Mute.objects.get_or_create(muter=muter, muted=muted)
    return mute


def mute_delete(*, muter: User, muted: User) -> bool:
    deleted, _rows = Mute.objects.filter(muter=muter, muted=muted).delete()
    return bool(deleted)


def _profile_url(username: str) -> str:
    from django.urls import reverse

    return reverse("social:profile", kwargs={"username": username})


def _follow_requests_url() -> str:
    from django.urls import reverse

    return reverse("social:follow_requests")


def favourite_categories_set(*, user: User, category_ids: list[int]) -> Profile:
    """The shopper's favourite categories (picked at onboarding): replaced by `category_ids`."""
    profile = profile_get_or_create(user=user)
    profile.favourite_categories.set(category_ids)
    return profile
