"""Posts, shares, likes and comments. Each write stores rows first and pushes live events after commit.

Tagged products get their verified-purchase badge from order history when the tag is saved. @mentions notify
only people who may see the post (never across a block, never a non-follower of a private author).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.images import get_image_dimensions
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import clean_image_upload
from shop.models import Order, Product, Review, User
from shop.selectors import purchased_product_ids
from social.models import Block, Comment, Follow, Like, Notification, Post, PostImage, PostProduct
from social.selectors.posts import post_can_view
from social.selectors.text import extract_mentions
from social.services.notifications import notification_create
from social.services.pictures import post_image_file_names, post_image_renditions_queue
from social.services.product_posts import product_posts_bump, product_posts_bump_for_posts

__all__ = [
    "MAX_POST_IMAGES",
    "MAX_POST_PRODUCTS",
    "PhotoTag",
    "photo_tags_parse",
    "post_tags_set",
    "comment_create",
    "comment_delete",
    "feed_group_name",
    "like_create",
    "like_delete",
    "post_create",
    "post_delete",
    "post_update",
    "purchase_share",
    "review_share",
]

logger = logging.getLogger(__name__)

MAX_POST_IMAGES = 9
MAX_POST_PRODUCTS = 5
MAX_POST_LENGTH = 2000
MAX_COMMENT_LENGTH = 1000
POST_IMAGE_MAX_SIDE = 1600
# Live "new posts" badges go to at most this many followers per post; the rest see it on their next load.
FEED_PUSH_LIMIT = 5000


def feed_group_name(user_id: int) -> str:
    """Channel group of one user's feed sockets (kept apart from `user.<id>` so chat sockets never get feed
    events they do not handle)."""
    return f"feed.{user_id}"


def _ensure_not_suspended(user: User) -> None:
    profile = getattr(user, "profile", None)
    until = getattr(profile, "suspended_until", None)
    if until and until > timezone.now():
        raise PermissionDenied(
            _("Your account is suspended until %(date)s.") % {"date": until.strftime("%Y-%m-%d")}
        )


def _clean_body(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if len(body) > MAX_POST_LENGTH:
        raise ValidationError({"body": _("At most %(n)s characters.") % {"n": MAX_POST_LENGTH}})
    if required and not body:
        raise ValidationError({"body": _("Write something, add a picture or tag a product.")})
    return body


def _clean_product_ids(product_ids: Iterable[int | str]) -> list[int]:
    ids: list[int] = []
    for raw in product_ids:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({"products": _("Unknown product.")}) from None
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_POST_PRODUCTS:
        raise ValidationError(
            {"products": _("Tag at most %(n)s products.") % {"n": MAX_POST_PRODUCTS}}
        )
    found = set(Product.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationError({"products": _("Unknown product.")})
    return ids


@dataclass(frozen=True)
class PhotoTag:
    """A product tagged in a post; placed on photo number `photo` (from 0) at (x, y), fractions of the photo's
    width and height from its top-left corner, or not placed (all three None)."""

    product_id: int
    photo: int | None = None
    x: float | None = None
    y: float | None = None


def _tag_error(message: str) -> ValidationError:
    return ValidationError({"tags": message})


def photo_tags_parse(raw: object) -> list[PhotoTag]:
    """Tags from request data: a list (or its JSON text, as a form or multipart field sends it) of objects
    {"product_id", "photo", "x", "y"}. Raises ValidationError on the `tags` field for anything else."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise _tag_error(_("Tags must be a JSON list.")) from None
    if not isinstance(raw, list):
        raise _tag_error(_("Tags must be a list."))
    if len(raw) > MAX_POST_PRODUCTS:
        raise _tag_error(_("Tag at most %(n)s products.") % {"n": MAX_POST_PRODUCTS})
    tags = []
    for item in raw:
        if not isinstance(item, dict):
            raise _tag_error(_("Each tag is an object with product_id, photo, x and y."))
        product_id, photo, x, y = (item.get(key) for key in ("product_id", "photo", "x", "y"))
        if isinstance(product_id, bool) or not isinstance(product_id, int) or product_id < 1:
            raise _tag_error(_("Each tag needs the id of a product."))
        if photo is None and x is None and y is None:
            tags.append(PhotoTag(product_id=product_id))
            continue
        if (
            isinstance(photo, bool)
            or not isinstance(photo, int)
            or photo < 0
            or isinstance(x, bool)
            or isinstance(y, bool)
            or not isinstance(x, int | float)
            or not isinstance(y, int | float)
        ):
            raise _tag_error(_("A placed tag needs a photo number and x and y between 0 and 1."))
        tags.append(PhotoTag(product_id=product_id, photo=photo, x=float(x), y=float(y)))
    return tags


def _clean_photo_tags(tags: Sequence[PhotoTag], *, photo_count: int) -> None:
    """Each placed tag lies inside an existing photo; each product is tagged once."""
    seen: set[int] = set()
    for tag in tags:
        if tag.product_id in seen:
            raise _tag_error(_("Each product can be tagged once per post."))
        seen.add(tag.product_id)
        if tag.photo is None:
            continue
        if tag.photo >= photo_count:
            raise _tag_error(
                _("A tag is on photo %(n)s, but the post has %(count)s photos.")
                % {"n": tag.photo + 1, "count": photo_count}
            )
        for value in (tag.x, tag.y):
            if value is None or not math.isfinite(value) or not 0 <= value <= 1:
                raise _tag_error(
                    _("A tag must lie on its photo: x and y are fractions from 0 to 1.")
                )


def _clean_tag_products(tags: Sequence[PhotoTag]) -> list[int]:
    """The tagged products' ids, in order; every one must exist and be on sale."""
    ids = [tag.product_id for tag in tags]
    found = set(Product.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    missing = [product_id for product_id in ids if product_id not in found]
    if missing:
        raise _tag_error(_("Product %(id)s does not exist or is not on sale.") % {"id": missing[0]})
    return ids


def _product_posts_forget(product_ids: Iterable[int]) -> None:
    """These products' "what people say" blocks changed: their shared copies go stale."""
    product_posts_bump(product_ids)


Placement = tuple[int, float, float]  # (PostImage id, x, y)


def _set_product_tags(
    post: Post, product_ids: list[int], placements: dict[int, Placement] | None = None
) -> None:
    """Make the post's tags exactly `product_ids` (in order). With `placements`, each tag's place on a photo
    is set from it (a product not in it is not placed); without, places are left as they are."""
    bought = (
        purchased_product_ids(user_id=post.author_id, product_ids=product_ids)
        if product_ids
        else set()
    )
    removed = list(
        PostProduct.objects.filter(post=post)
        .exclude(product_id__in=product_ids)
        .values_list("product_id", flat=True)
    )
    PostProduct.objects.filter(post=post).exclude(product_id__in=product_ids).delete()
    _product_posts_forget([*removed, *product_ids])
    existing = {tag.product_id: tag for tag in PostProduct.objects.filter(post=post)}
    for position, product_id in enumerate(product_ids):
        tag = existing.get(product_id) or PostProduct(post=post, product_id=product_id)
        tag.position = position
        tag.verified_purchase = product_id in bought
        if placements is not None:
            image_id, x, y = placements.get(product_id, (None, None, None))
            tag.image_id, tag.x, tag.y = image_id, x, y
        tag.save()


def _notify_mentions(*, text: str, actor: User, post: Post, skip_ids: set[int]) -> None:
    names = extract_mentions(text)
    if not names:
        return
    mentioned = User.objects.filter(username__in=names, is_active=True).exclude(
        pk__in={actor.pk, *skip_ids}
    )
    for user in mentioned:
        if _blocked_pair(actor.pk, user.pk) or not post_can_view(viewer=user, post=post):
            continue
        notification_create(
            recipient_id=user.pk,
            kind=Notification.Kind.MENTION,
            message=_("@%(name)s mentioned you.") % {"name": actor.get_username()},
            url=post.get_absolute_url(),
            actor_id=actor.pk,
        )


def _blocked_pair(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def _push_new_post(post: Post) -> None:
    """Tell the author's followers' open feed pages that a new item arrived (after commit)."""
    post_id, author_id = post.pk, post.author_id
    author_name = post.author.get_username()

    def push() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        follower_ids = list(
            Follow.objects.filter(followee_id=author_id, status=Follow.Status.ACTIVE).values_list(
                "follower_id", flat=True
            )[:FEED_PUSH_LIMIT]
        )
        event = {"type": "feed.post", "post_id": post_id, "author": author_name}
        try:
            for follower_id in follower_ids:
                async_to_sync(layer.group_send)(feed_group_name(follower_id), event)
        except Exception:  # noqa: BLE001 - the post is stored; the badge is a convenience.
            logger.warning("feed push failed for post %s", post_id, exc_info=True)

    transaction.on_commit(push)


def post_create(
    *,
    author: User,
    body: str = "",
    images: Sequence[Any] = (),
    product_ids: Iterable[int | str] = (),
    image_alt_texts: Sequence[str] = (),
    tags: Sequence[PhotoTag] = (),
) -> Post:
    """Publish a post: text, up to MAX_POST_IMAGES photos (in order, each with its alt text) and tagged
    products, given as `product_ids` (not placed) or as `tags` (placed on a photo or not). Everything is
    checked before anything is stored, and stored in one transaction."""
    _ensure_not_suspended(author)
    images = list(images)
    if len(images) > MAX_POST_IMAGES:
        raise ValidationError({"images": _("Add at most %(n)s pictures.") % {"n": MAX_POST_IMAGES}})
    ids = _clean_product_ids(product_ids)
    _clean_photo_tags(tags, photo_count=len(images))
    tag_ids = _clean_tag_products(tags)
    placed = {tag.product_id: tag for tag in tags}
    ids = [*tag_ids, *(product_id for product_id in ids if product_id not in placed)]
    if len(ids) > MAX_POST_PRODUCTS:
        raise _tag_error(_("Tag at most %(n)s products.") % {"n": MAX_POST_PRODUCTS})
    body = _clean_body(body, required=not images and not ids)
    cleaned_images = []
    for upload in images:
        try:
            cleaned_images.append(clean_image_upload(upload, max_side=POST_IMAGE_MAX_SIDE))
        except ValidationError as error:
            raise ValidationError({"images": error.messages}) from None
    stored: list[PostImage] = []
    try:
        with transaction.atomic():
            post = Post.objects.create(author=author, kind=Post.Kind.POST, body=body)
            for position, content in enumerate(cleaned_images):
                alt = image_alt_texts[position] if position < len(image_alt_texts) else ""
                width, height = get_image_dimensions(content)
                image = PostImage(
                    post=post,
                    position=position,
                    alt_text=(alt or "").strip()[:200],
                    width=width,
                    height=height,
                )
                image.image.save(content.name, content, save=False)
                stored.append(image)
                image.save()
                post_image_renditions_queue(image_id=image.pk)
            _set_product_tags(post, ids, _placements(tags, stored))
            _notify_mentions(text=body, actor=author, post=post, skip_ids=set())
            _push_new_post(post)
    except BaseException:
        # Nothing half-saved: the rows rolled back, so the files written for them go too.
        for image in stored:
            image.image.storage.delete(image.image.name)
        raise
    return post


def _placements(tags: Sequence[PhotoTag], images: Sequence[PostImage]) -> dict[int, Placement]:
    return {
        tag.product_id: (images[tag.photo].pk, tag.x, tag.y)
        for tag in tags
        if tag.photo is not None and tag.x is not None and tag.y is not None
    }


def post_tags_set(*, post: Post, actor: User, tags: Sequence[PhotoTag]) -> Post:
    """Replace a post's tagged products and their places on its photos (the author only)."""
    _ensure_author(post, actor)
    images = list(PostImage.objects.filter(post=post).order_by("position", "id"))
    _clean_photo_tags(tags, photo_count=len(images))
    ids = _clean_tag_products(tags)
    with transaction.atomic():
        _set_product_tags(post, ids, _placements(tags, images))
        Post.objects.filter(pk=post.pk).update(updated_at=timezone.now())
    return post


def _ensure_author(post: Post, actor: User) -> None:
    if post.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can change this post."))


def post_update(
    *,
    post: Post,
    actor: User,
    body: str | None = None,
    product_ids: Iterable[int | str] | None = None,
    remove_image_ids: Iterable[int] = (),
) -> Post:
    _ensure_author(post, actor)
    ids = _clean_product_ids(product_ids) if product_ids is not None else None
    with transaction.atomic():
        removed = list(PostImage.objects.filter(post=post, pk__in=list(remove_image_ids)))
        # Tags placed on a removed photo stay on the post, no longer placed.
        PostProduct.objects.filter(image__in=removed).update(image=None, x=None, y=None)
        for image in removed:
            names, storage = post_image_file_names(image), image.image.storage
            image.delete()
            for name in names:
                transaction.on_commit(partial(storage.delete, name))
        if ids is not None:
            _set_product_tags(post, ids)
        has_content = (
            PostImage.objects.filter(post=post).exists()
            or PostProduct.objects.filter(post=post).exists()
            or post.kind != Post.Kind.POST
        )
        if body is not None:
            old_mentions = set(extract_mentions(post.body))
            post.body = _clean_body(body, required=not has_content)
            post.save(update_fields=["body", "updated_at"])
            new_text = " ".join(
                f"@{name}" for name in extract_mentions(post.body) if name not in old_mentions
            )
            _notify_mentions(text=new_text, actor=actor, post=post, skip_ids=set())
        product_posts_bump_for_posts([post.pk])
    return post


def post_delete(*, post: Post, actor: User) -> None:
    _ensure_author(post, actor)
    files = [(image.image.storage, image.image.name) for image in post.images.all()]
    with transaction.atomic():
        product_posts_bump_for_posts([post.pk])
        post.delete()
        for storage, name in files:
            transaction.on_commit(partial(storage.delete, name))


def purchase_share(*, order: Order) -> Post | None:
    """A feed item for an order its shopper chose to share. Idempotent: one item per order.

    Returns None for an order without a shopper or one that was cancelled.
    """
    if order.user_id is None or order.status == Order.Status.CANCELLED:
        return None
    existing = Post.objects.filter(order=order).first()
    if existing:
        return existing
    product_ids: list[int] = []
    for product_id in order.lines.filter(product_id__isnull=False).values_list(
        "product_id", flat=True
    ):
        if product_id not in product_ids:
            product_ids.append(product_id)
    try:
        with transaction.atomic():
            post = Post.objects.create(
                author_id=order.user_id, kind=Post.Kind.PURCHASE, order=order
            )
            PostProduct.objects.bulk_create(
                PostProduct(
                    post=post, product_id=product_id, position=position, verified_purchase=True
                )
                for position, product_id in enumerate(product_ids[:MAX_POST_PRODUCTS])
            )
            _product_posts_forget(product_ids[:MAX_POST_PRODUCTS])
            _push_new_post(post)
    except IntegrityError:
        return Post.objects.get(order=order)
    return post


def review_share(*, review: Review) -> Post:
    """Publish a review to the author's followers. Idempotent: one item per review."""
    existing = Post.objects.filter(review=review).first()
    if existing:
        return existing
    if review.is_hidden:
        raise ValidationError(_("This review is hidden and cannot be shared."))
    try:
        with transaction.atomic():
            post = Post.objects.create(
                author_id=review.user_id, kind=Post.Kind.REVIEW, review=review
            )
            PostProduct.objects.create(
                post=post, product_id=review.product_id, verified_purchase=review.verified_purchase
            )
            _product_posts_forget([review.product_id])
            _push_new_post(post)
    except IntegrityError:
        return Post.objects.get(review=review)
    return post


def like_create(*, user: User, post: Post) -> bool:
    """Like a post the user can see. Returns whether a new like was stored (liking twice is harmless)."""
    if not post_can_view(viewer=user, post=post):
        raise PermissionDenied(_("You cannot like this post."))
    try:
        with transaction.atomic():
            Like.objects.create(user=user, post=post)
            Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
            product_posts_bump_for_posts([post.pk])
    except IntegrityError:
        return False
    if post.author_id != user.pk:
        notification_create(
            recipient_id=post.author_id,
            kind=Notification.Kind.LIKE,
            message=_("@%(name)s liked your post.") % {"name": user.get_username()},
            url=post.get_absolute_url(),
            actor_id=user.pk,
        )
    return True


def like_delete(*, user: User, post: Post) -> bool:
    with transaction.atomic():
        deleted, _rows = Like.objects.filter(user=user, post=post).delete()
        if deleted:
            Post.objects.filter(pk=post.pk).update(like_count=Greatest(F("like_count") - 1, 0))
            product_posts_bump_for_posts([post.pk])
    return bool(deleted)


def comment_create(*, author: User, post: Post, body: str, parent_id: int | None = None) -> Comment:
    """Comment on a post, or reply to a comment (a reply to a reply joins the same thread: one level)."""
    _ensure_not_suspended(author)
    if not post_can_view(viewer=author, post=post) or _blocked_pair(author.pk, post.author_id):
        raise PermissionDenied(_("You cannot comment on this post."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError({"body": _("At most %(n)s characters.") % {"n": MAX_COMMENT_LENGTH}})
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, post=post, is_hidden=False).first()
        if parent is None:
            raise ValidationError({"parent": _("The comment you reply to does not exist.")})
        if parent.parent is not None:
            parent = parent.parent
        if _blocked_pair(author.pk, parent.author_id):
            raise PermissionDenied(_("You cannot reply to this comment."))
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=author, parent=parent, body=body)
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        product_posts_bump_for_posts([post.pk])
        notified = {author.pk}
        name = author.get_username()
        url = f"{post.get_absolute_url()}#comment-{comment.pk}"
        if parent is not None and parent.author_id not in notified:
            notification_create(
                recipient_id=parent.author_id,
                kind=Notification.Kind.REPLY,
                message=_("@%(name)s replied to your comment.") % {"name": name},
                url=url,
                actor_id=author.pk,
            )
            notified.add(parent.author_id)
        if post.author_id not in notified:
            notification_create(
                recipient_id=post.author_id,
                kind=Notification.Kind.COMMENT,
                message=_("@%(name)s commented on your post.") % {"name": name},
                url=url,
                actor_id=author.pk,
            )
            notified.add(post.author_id)
        _notify_mentions(text=body, actor=author, post=post, skip_ids=notified)
    return comment


def comment_delete(*, comment: Comment, actor: User) -> None:
    """The comment's author or the post's author may delete it (with its replies)."""
    post = comment.post
    if actor.pk not in {comment.author_id, post.author_id}:
        raise PermissionDenied(_("You cannot delete this comment."))
    with transaction.atomic():
        removed = 1 + Comment.objects.filter(parent=comment).count()
        comment.delete()
        Post.objects.filter(pk=post.pk).update(
            comment_count=Greatest(F("comment_count") - removed, 0)
        )
        product_posts_bump_for_posts([post.pk])
