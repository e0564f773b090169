"""What `shop` lets higher apps react to. Each hook is a typed list of callables (`common.hooks.Hook`); the
higher app registers in its `AppConfig.ready()`. Every hook is listed in docs/architecture.md.

Calling convention: hooks whose receivers have side effects outside the transaction (notifications, feed items,
pushes) are fired after commit by the service that owns the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from common.hooks import Hook

if TYPE_CHECKING:
    from shop.models import Order, Review, User

__all__ = [
    "UserNotice",
    "order_placed",
    "purchase_sharing_default",
    "review_shared",
    "user_created",
    "user_notified",
]


@dataclass(frozen=True)
class UserNotice:
    """Something the shop tells one person (an order's status, a product back in stock)."""

    recipient_id: int
    kind: str
    message: str
    url: str = ""
    actor_id: int | None = None


# A new account exists (sign-up, admin, demo): social gives it a profile.
user_created: Hook[[User], None] = Hook("shop.user_created")

# The shop has something to tell a person: social stores it as a notification and pushes it live.
user_notified: Hook[[UserNotice], None] = Hook("shop.user_notified")

# An order was placed (after commit): social shares it with the shopper's followers when they chose to.
order_placed: Hook[[Order], None] = Hook("shop.order_placed")

# A shopper asked to share a review (after commit): social publishes it to their followers.
review_shared: Hook[[Review], None] = Hook("shop.review_shared")

# Whether checkout pre-ticks "share this purchase with my followers" for this shopper (any True wins).
purchase_sharing_default: Hook[[User], bool] = Hook("shop.purchase_sharing_default")
