"""Account deletion: personal data and content go, orders stay (anonymised) for accounting.

Deleting the user row cascades to the profile, follows, blocks, mutes, posts (with pictures), likes, comments,
notifications, reviews, product questions (with their answers), answers, wishlist, cart, addresses and product
events (helpful votes are withdrawn first, so the answers' counts stay true); `Order.user` is SET_NULL and the shipping
name and street are blanked. Sessions are deleted so every browser is signed out, and `account.closed` goes to
group `user.<id>` after commit so open websockets close. The recommender's next training no longer sees the user
because the rows are gone.
"""

from __future__ import annotations

import logging
from importlib import import_module

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import Order, Review, User
from shop.services.qa import answer_votes_withdraw
from social.hooks import account_erasing
from social.models import PostImage, Profile
from social.services.groupbuy import group_buy_release_user
from social.services.notifications import user_group_name
from social.services.pictures import avatar_file_names, post_image_file_names
from social.services.product_posts import product_posts_bump_for_author

__all__ = ["account_delete", "account_delete_with_password"]

logger = logging.getLogger(__name__)

ANONYMISED_NAME = "deleted account"


def _session_keys_for(user_id: int) -> list[str]:
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            data = session.get_decoded()
        except Exception:  # noqa: BLE001 - a corrupt session belongs to nobody
            continue
        if str(data.get("_auth_user_id")) == str(user_id):
            keys.append(session.session_key)
    return keys


def _stored_files(user: User) -> list[tuple[object, str]]:
    files: list[tuple[object, str]] = []
    profile = Profile.objects.filter(user=user).first()
    # Demo people share composed avatar files: a file another profile still shows stays.
    if (
        profile
        and profile.avatar
        and not Profile.objects.filter(avatar=profile.avatar.name).exclude(pk=profile.pk).exists()
    ):
        files.extend(
            (profile.avatar.storage, name)
            for name in avatar_file_names(
                name=profile.avatar.name, sides=profile.avatar_renditions or ()
            )
        )
    for image in PostImage.objects.filter(post__author=user):
        files.extend((image.image.storage, name) for name in post_image_file_names(image))
    for review in Review.objects.filter(user=user).exclude(photo=""):
        files.append((review.photo.storage, review.photo.name))
    return files


def account_delete(*, user: User) -> None:
    user_id = user.pk
    files = _stored_files(user)
    with transaction.atomic():
        # Seats in unfinished group buys would otherwise vanish with the user row, keeping their stock
        # reserved and their payments authorised: give them back first.
        group_buy_release_user(user=user)
        answer_votes_withdraw(user=user)
        Order.objects.filter(user_id=user_id).update(
            user=None,
            ship_name=ANONYMISED_NAME,
            ship_line1="",
            ship_line2="",
            ship_postal_code="",
            share_to_followers=False,
        )
        # Through the session engine, so a cached copy (cached_db) goes with the row.
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for session_key in _session_keys_for(user_id):
            store(session_key=session_key).delete()
        # Higher apps remove or anonymise what they keep about the account (inside this transaction).
        account_erasing.fire(user)
        product_posts_bump_for_author(user_id)
        # Token auth for the API goes with the user row (CASCADE), like everything else personal.
        try:
            user.delete()
        except ProtectedError:
            raise ValidationError(
                _("This account still has records that cannot be removed yet; contact support.")
            ) from None

        def after_commit() -> None:
            for storage, name in files:
                try:
                    storage.delete(name)  # type: ignore[attr-defined]
                except OSError:
                    logger.warning("could not delete %s", name, exc_info=True)
            layer = get_channel_layer()
            if layer is None:
                return
            try:
                async_to_sync(layer.group_send)(
                    user_group_name(user_id), {"type": "account.closed"}
                )
            except Exception:  # noqa: BLE001 - sockets also fail auth on their next reconnect
                logger.warning("account.closed push failed for %s", user_id, exc_info=True)

        transaction.on_commit(after_commit)


def account_delete_with_password(*, user: User, password: str) -> None:
    """The account page's path: the current password confirms the deletion."""
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    account_delete(user=user)
