"""Catalogue writes: products and their search vectors, restocking and back-in-stock alerts, reviews with the
denormalised rating summary, wishlists and product events.

The product's `rating_avg`/`rating_count` are recomputed with one aggregate after every review change, so they
can never drift. Notifications and feed shares go out after the transaction commits.
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import clean_image_upload
from shop.hooks import UserNotice, review_shared, user_notified
from shop.models import (
    Category,
    Product,
    ProductEvent,
    ProductVariant,
    Review,
    StockAlert,
    Tag,
    User,
    WishlistItem,
)
from shop.services.email import BACK_IN_STOCK, email_queue
from shop.services.highlights import review_highlights_queue
from shop.services.stock import stock_restore

__all__ = [
    "catalogue_changed",
    "category_delete",
    "category_save",
    "product_delete",
    "product_related_saved",
    "product_save",
    "tag_delete",
    "tag_save",
    "product_create",
    "product_event_record",
    "product_rating_refresh",
    "product_refresh_search_vector",
    "product_restock",
    "product_set_active",
    "product_update",
    "review_delete",
    "review_save",
    "stock_alert_create",
    "stock_alerts_notify",
    "wishlist_add",
    "wishlist_remove",
]

logger = logging.getLogger(__name__)

_SEARCH_VECTOR_SQL = """
UPDATE shop_product AS p SET search_vector =
    setweight(to_tsvector('english', coalesce(p.name_en, p.name, '')), 'A')
    || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(t.name, ' ') FROM shop_tag t
        JOIN shop_product_tags pt ON pt.tag_id = t.id WHERE pt.product_id = p.id), '')), 'B')
    || setweight(to_tsvector('english', coalesce(p.description_en, p.description, '')), 'C')
"""


# --- products -------------------------------------------------------------------------------------------


def catalogue_changed() -> None:
    """Invalidate cached list fragments and the category tree (call after catalogue writes)."""
    from django.core.cache import cache

    from shop.selectors.categories import CATALOGUE_VERSION_KEY, forget_local_catalogue_version

    try:
        cache.incr(CATALOGUE_VERSION_KEY)
    except ValueError:  # no version yet (or Redis lost it): a fresh one from the clock
        cache.set(CATALOGUE_VERSION_KEY, time.time_ns() // 1_000_000, None)
    forget_local_catalogue_version()


def product_refresh_search_vector(product_ids: list[int] | None = None) -> int:
    """Fill `search_vector` (name A, tags B, description C) on PostgreSQL; returns rows updated (0 on SQLite)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        if product_ids is None:
            cursor.execute(_SEARCH_VECTOR_SQL)
        else:
            ids = [int(pid) for pid in product_ids]
            if not ids:
                return 0
            cursor.execute(_SEARCH_VECTOR_SQL + " WHERE p.id = ANY(%s)", [ids])
        return cursor.rowcount


def product_create(*, tags: list[Tag] | None = None, **fields: Any) -> Product:
    product = Product(**fields)
    product.full_clean()
    product.save()
    if tags:
        product.tags.set(tags)
    product_refresh_search_vector([product.id])
    catalogue_changed()
    return product


def product_update(*, product: Product, tags: list[Tag] | None = None, **fields: Any) -> Product:
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    if tags is not None:
        product.tags.set(tags)
    product_refresh_search_vector([product.id])
    catalogue_changed()
    return product


# --- edits of already validated rows (Django admin) -----------------------------------------------------
# The admin's forms validate; these save and refresh what cached catalogue pages and search show, so no
# entry point can forget the catalogue version.


def category_save(*, category: Category) -> Category:
    """Store a category; navigation, filters and cached listings show the tree, so they refresh."""
    category.save()
    catalogue_changed()
    return category


def category_delete(*, categories: QuerySet[Category]) -> int:
    """Delete categories (those still holding products are protected); returns rows deleted."""
    deleted, _rows = categories.delete()
    catalogue_changed()
    return deleted


def tag_save(*, tag: Tag) -> Tag:
    """Store a tag; its products' search vectors carry the tag's name."""
    tag.save()
    product_refresh_search_vector(list(tag.products.values_list("id", flat=True)))
    catalogue_changed()
    return tag


def tag_delete(*, tags: QuerySet[Tag]) -> int:
    product_ids = list(
        Product.objects.filter(tags__in=tags).values_list("id", flat=True).distinct()
    )
    deleted, _rows = tags.delete()
    product_refresh_search_vector(product_ids)
    catalogue_changed()
    return deleted


def product_save(*, product: Product) -> Product:
    """Store a product whose fields are already validated; tags and pictures follow in
    `product_related_saved`."""
    product.save()
    catalogue_changed()
    return product


def product_related_saved(*, product: Product) -> None:
    """After a product's tags and pictures were saved: refresh its search vector and cached pages."""
    product_refresh_search_vector([product.id])
    catalogue_changed()


def product_delete(*, products: QuerySet[Product]) -> int:
    deleted, _rows = products.delete()
    catalogue_changed()
    return deleted


def product_set_active(*, product_ids: list[int], active: bool) -> int:
    changed = Product.objects.filter(id__in=product_ids).update(is_active=active)
    catalogue_changed()
    return changed


def product_event_record(
    *, product_id: int, kind: str, user_id: int | None = None, session_key: str = ""
) -> ProductEvent:
    if kind not in ProductEvent.Kind.values:
        raise ValueError(f"unknown product event kind: {kind!r}")
    return ProductEvent.objects.create(
        product_id=product_id,
        kind=kind,
        user_id=user_id,
        session_key=(session_key or "")[:40],
        created_at=timezone.now(),
    )


# --- stock and back-in-stock alerts ---------------------------------------------------------------------


def product_restock(
    *,
    product: Product,
    quantity: int,
    actor: User | AnonymousUser | None = None,
    variant: ProductVariant | None = None,
) -> Product:
    """Add units to a variant (default: the product's first active one); shoppers waiting for it are notified
    after commit."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationError({"quantity": _("Restock by a whole number of at least 1.")})
    if quantity > 1_000_000:
        raise ValidationError({"quantity": _("Restock by at most 1,000,000 units at a time.")})
    if variant is not None and variant.product_id != product.id:
        raise ValidationError(_("This option belongs to another product."))
    stock_restore(
        product_id=product.id, variant_id=variant.id if variant else None, quantity=quantity
    )
    product.refresh_from_db(fields=["stock"])
    catalogue_changed()
    product_id = product.id
    transaction.on_commit(lambda: stock_alerts_notify(product_id=product_id))
    logger.info(
        "product %s restocked by %s (actor %s)", product_id, quantity, getattr(actor, "pk", None)
    )
    return product


def stock_alerts_notify(*, product_id: int) -> int:
    """Notify and close the open alerts of a product whose awaited variant has stock again (an alert older than
    variants waits for any of them); returns how many were notified."""
    product = Product.objects.filter(id=product_id, is_active=True).first()
    if product is None:
        return 0
    in_stock = dict(
        ProductVariant.objects.filter(
            product_id=product_id, is_active=True, stock__gt=0
        ).values_list("id", "name")
    )
    if not in_stock:
        return 0
    notified = 0
    with transaction.atomic():
        alerts = list(
            StockAlert.objects.select_for_update()
            .filter(product_id=product_id, notified_at__isnull=True)
            .filter(Q(variant_id__in=list(in_stock)) | Q(variant_id__isnull=True))
            .order_by("id")
        )
        now = timezone.now()
        for alert in alerts:
            option = in_stock.get(alert.variant_id) if alert.variant_id else ""
            name = f"{product.name} ({option})" if option else product.name
            user_notified.fire(
                UserNotice(
                    recipient_id=alert.user_id,
                    kind="back_in_stock",
                    message=_("%(name)s is back in stock.") % {"name": name},
                    url=product.get_absolute_url(),
                )
            )
            email_queue(kind=BACK_IN_STOCK, object_id=alert.id, recipient_id=alert.user_id)
            alert.notified_at = now
            notified += 1
        StockAlert.objects.bulk_update(alerts, ["notified_at"])
    return notified


def stock_alert_create(*, user: User, product: Product, variant_id: Any = None) -> StockAlert:
    """'Tell me when it is back' for a sold-out variant (a product without choices: its only variant);
    asking twice keeps one open alert."""
    variants = list(ProductVariant.objects.filter(product=product, is_active=True))
    if variant_id in (None, ""):
        if len(variants) > 1:
            raise ValidationError(_("Choose the option (size, colour...) you are waiting for."))
        variant = variants[0] if variants else None
    else:
        try:
            wanted = int(variant_id)
        except (TypeError, ValueError):
            wanted = None
        variant = next((v for v in variants if v.id == wanted), None)
        if variant is None:
            raise ValidationError(_("This option is not available."))
    in_stock = variant.stock > 0 if variant is not None else product.stock > 0
    if in_stock:
        raise ValidationError(_("This product is in stock; you can order it now."))
    existing = StockAlert.objects.filter(
        user=user, product=product, variant=variant, notified_at__isnull=True
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return StockAlert.objects.create(user=user, product=product, variant=variant)
    except IntegrityError:  # a concurrent request created it
        return StockAlert.objects.get(
            user=user, product=product, variant=variant, notified_at__isnull=True
        )


# --- reviews --------------------------------------------------------------------------------------------


def product_rating_refresh(*, product_id: int) -> None:
    """Recompute `rating_avg`/`rating_count` from the visible reviews (call after any review change); the
    review highlights follow in a task after commit."""
    aggregates = Review.objects.filter(product_id=product_id, is_hidden=False).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = Decimal(str(aggregates["average"] or 0)).quantize(Decimal("0.01"))
    Product.objects.filter(id=product_id).update(
        rating_avg=average, rating_count=aggregates["count"]
    )
    catalogue_changed()
    review_highlights_queue(product_id=product_id)


def _clean_photo(photo: UploadedFile) -> ContentFile:
    try:
        return clean_image_upload(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc


@transaction.atomic
def review_save(
    *,
    user: User,
    product: Product,
    rating: int,
    title: str = "",
    body: str = "",
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
    share: bool = False,
) -> Review:
    """Create the shopper's review of a product, or update it if they already wrote one."""
    errors = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = _("Choose from 1 to 5 stars.")
    title = (title or "").strip()
    body = (body or "").strip()
    if len(title) > 120:
        errors["title"] = _("Keep the title to 120 characters.")
    if len(body) > 5000:
        errors["body"] = _("Keep the review to 5000 characters.")
    if "\x00" in title + body:
        errors["body"] = _("The text contains characters that are not allowed.")
    if errors:
        raise ValidationError(errors)
    cleaned_photo = _clean_photo(photo) if photo else None

    from shop.selectors import user_has_purchased

    review = Review.objects.select_for_update().filter(product=product, user=user).first()
    if review is None:
        review = Review(product=product, user=user)
    review.rating = rating
    review.title = title
    review.body = body
    review.verified_purchase = user_has_purchased(user_id=user.id, product_id=product.id)
    if remove_photo and review.photo:
        review.photo.delete(save=False)
        review.photo = ""
    if cleaned_photo is not None:
        if review.photo:
            review.photo.delete(save=False)
        review.photo.save(getattr(cleaned_photo, "name", "review.jpg"), cleaned_photo, save=False)
    review.save()
    product_rating_refresh(product_id=product.id)
    if share:
        transaction.on_commit(lambda: review_shared.fire(review))
    return review


@transaction.atomic
def review_delete(*, review: Review, actor: User) -> None:
    """The author (or staff) deletes a review; the product's rating follows."""
    if review.user_id != actor.id and not actor.is_staff:
        raise ValidationError(_("You can only delete your own review."))
    product_id = review.product_id
    if review.photo:
        review.photo.delete(save=False)
    review.delete()
    product_rating_refresh(product_id=product_id)


# --- wishlist -------------------------------------------------------------------------------------------


def wishlist_add(*, user: User, product: Product) -> WishlistItem:
    item = WishlistItem.objects.filter(user=user, product=product).first()
    if item:
        return item
    try:
        with transaction.atomic():
            return WishlistItem.objects.create(user=user, product=product)
    except IntegrityError:
        return WishlistItem.objects.get(user=user, product=product)


def wishlist_remove(*, user: User, product_id: int) -> bool:
    deleted, _rows = WishlistItem.objects.filter(user=user, product_id=product_id).delete()
    return deleted > 0
