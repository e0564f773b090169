"""Everything stored about one account, as one JSON-ready dict (the privacy page's data export). Higher apps add
their own sections through the `account_exporting` hook."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shop.models import (
    Address,
    Answer,
    AnswerVote,
    Order,
    ProductEvent,
    Question,
    Review,
    User,
    WishlistItem,
)
from social.hooks import account_exporting
from social.models import Block, Comment, Follow, Like, Mute, Notification, Post, Profile

__all__ = ["export_for_user"]


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def export_for_user(*, user: User) -> dict[str, Any]:
    profile = Profile.objects.filter(user=user).first()
    data: dict[str, Any] = {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "profile": None,
    }
    if profile:
        data["profile"] = {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "avatar": profile.avatar.name if profile.avatar else "",
            "is_private": profile.is_private,
            "share_purchases_default": profile.share_purchases_default,
            "personalise_recommendations": profile.personalise_recommendations,
            "show_in_suggestions": profile.show_in_suggestions,
            "show_wishlist": profile.show_wishlist,
            "email_optional": profile.email_optional,
            "answer_questions": profile.answer_questions,
            "favourite_categories": list(
                profile.favourite_categories.values_list("name", flat=True)
            ),
        }
    data["following"] = [
        {"username": username, "status": status, "since": _iso(created_at)}
        for username, status, created_at in Follow.objects.filter(follower=user).values_list(
            "followee__username", "status", "created_at"
        )
    ]
    data["followers"] = [
        {"username": username, "status": status, "since": _iso(created_at)}
        for username, status, created_at in Follow.objects.filter(followee=user).values_list(
            "follower__username", "status", "created_at"
        )
    ]
    data["blocked"] = list(
        Block.objects.filter(blocker=user).values_list("blocked__username", flat=True)
    )
    data["muted"] = list(Mute.objects.filter(muter=user).values_list("muted__username", flat=True))
    data["posts"] = [
        {
            "id": post.pk,
            "kind": post.kind,
            "body": post.body,
            "created_at": _iso(post.created_at),
            "images": [image.image.name for image in post.images.all()],
            "products": [tag.product.name for tag in post.product_tags.all()],
            "order": post.order.number if post.order_id and post.order else None,
        }
        for post in Post.objects.filter(author=user)
        .select_related("order")
        .prefetch_related("images", "product_tags__product")
    ]
    data["comments"] = [
        {"id": pk, "post": post_id, "reply_to": parent_id, "body": body, "created_at": _iso(at)}
        for pk, post_id, parent_id, body, at in Comment.objects.filter(author=user).values_list(
            "pk", "post_id", "parent_id", "body", "created_at"
        )
    ]
    data["likes"] = [
        {"post": post_id, "created_at": _iso(at)}
        for post_id, at in Like.objects.filter(user=user).values_list("post_id", "created_at")
    ]
    data["orders"] = [
        {
            "number": order.number,
            "status": order.status,
            "created_at": _iso(order.created_at),
            "total": str(order.total),
            "shipping": {
                "name": order.ship_name,
                "line1": order.ship_line1,
                "line2": order.ship_line2,
                "city": order.ship_city,
                "postal_code": order.ship_postal_code,
                "country": order.ship_country,
                "method": order.shipping_method,
            },
            "lines": [
                {
                    "product": line.product_name,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
                for line in order.lines.all()
            ],
        }
        for order in Order.objects.filter(user=user).prefetch_related("lines")
    ]
    data["addresses"] = [
        {
            "full_name": a.full_name,
            "line1": a.line1,
            "line2": a.line2,
            "city": a.city,
            "postal_code": a.postal_code,
            "country": a.country,
            "phone": a.phone,
        }
        for a in Address.objects.filter(user=user)
    ]
    data["reviews"] = [
        {
            "product": review.product.name,
            "rating": review.rating,
            "title": review.title,
            "body": review.body,
            "created_at": _iso(review.created_at),
        }
        for review in Review.objects.filter(user=user).select_related("product")
    ]
    data["questions"] = [
        {"id": pk, "product": name, "body": body, "hidden": hidden, "created_at": _iso(at)}
        for pk, name, body, hidden, at in Question.objects.filter(author=user)
        .order_by("created_at", "id")
        .values_list("pk", "product__name", "body", "is_hidden", "created_at")
    ]
    data["answers"] = [
        {
            "id": pk,
            "question": question_id,
            "product": name,
            "body": body,
            "verified_buyer": verified,
            "helpful_votes": helpful,
            "hidden": hidden,
            "created_at": _iso(at),
        }
        for pk, question_id, name, body, verified, helpful, hidden, at in Answer.objects.filter(
            author=user
        )
        .order_by("created_at", "id")
        .values_list(
            "pk",
            "question_id",
            "question__product__name",
            "body",
            "verified_buyer",
            "helpful_count",
            "is_hidden",
            "created_at",
        )
    ]
    data["helpful_votes"] = [
        {"answer": answer_id, "at": _iso(at)}
        for answer_id, at in AnswerVote.objects.filter(user=user)
        .order_by("created_at", "id")
        .values_list("answer_id", "created_at")
    ]
    data["wishlist"] = [
        {"product": name, "added_at": _iso(at)}
        for name, at in WishlistItem.objects.filter(user=user).values_list(
            "product__name", "created_at"
        )
    ]
    data["interactions"] = [
        {"product": name, "kind": kind, "at": _iso(at)}
        for name, kind, at in ProductEvent.objects.filter(user=user)
        .order_by("created_at")
        .values_list("product__name", "kind", "created_at")
    ]
    data["notifications"] = [
        {"kind": kind, "message": message, "read": read_at is not None, "at": _iso(at)}
        for kind, message, read_at, at in Notification.objects.filter(
            Q(recipient=user)
        ).values_list("kind", "message", "read_at", "created_at")
    ]
    # Sections kept by higher apps (the support chat's conversations), each under its own name.
    for section in account_exporting.fire(user):
        data.update(section)
    return data
