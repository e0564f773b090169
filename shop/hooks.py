"""What `shop` lets higher apps react to. Each hook is a typed list of callables (`common.hooks.Hook`); the
higher app registers in its `AppConfig.ready()`. Every hook is listed in docs/architecture.md.

Calling convention: hooks whose receivers have side effects outside the transaction (notifications, feed items,
pushes) are fired after commit by the service that owns the event.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from common.hooks import Hook

if TYPE_CHECKING:
    from shop.models import Order, Review, User

__all__ = [
    "DemoPart",
    "DemoSeed",
    "DemoShopper",
    "DemoShoppers",
    "UserNotice",
    "demo_accounts_created",
    "demo_seeding",
    "demo_shoppers_seeded",
    "optional_email_allowed",
    "order_placed",
    "purchase_sharing_default",
    "question_invites_allowed",
    "review_shared",
    "stock_changed",
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

# These products' stock moved (an order, a cancellation, a restock, a variant sync), inside the writing
# transaction: social bumps the posts blocks that show them.
stock_changed: Hook[[list[int]], None] = Hook("shop.stock_changed")

# Whether checkout pre-ticks "share this purchase with my followers" for this shopper (any True wins).
purchase_sharing_default: Hook[[User], bool] = Hook("shop.purchase_sharing_default")

# Whether this person accepts non-essential mail (back in stock, group-buy news); any False wins, no receiver
# means yes. Order mails are essential and never ask. Social answers from the privacy settings.
optional_email_allowed: Hook[[User], bool] = Hook("shop.optional_email_allowed")

# Whether a buyer may be invited to answer shoppers' questions about what they bought; any False wins, no
# receiver means yes. Social answers from the privacy settings.
question_invites_allowed: Hook[[User], bool] = Hook("shop.question_invites_allowed")


# --- demo data (manage.py seed_demo) ---------------------------------------------------------------------


class DemoSeed(Protocol):
    """An app's demo entry point: adds its part of the demo, every choice drawn from `rng`."""

    def __call__(self, *, rng: random.Random, small: bool, log: Callable[[str], None]) -> None: ...


@dataclass(frozen=True)
class DemoPart:
    """One app's part of the demo data. `name` names its own random generator (`"<seed>:<name>"`), so adding
    data to one part leaves the others unchanged, and its line in the command's output."""

    name: str
    seed: DemoSeed


@dataclass(frozen=True)
class DemoShopper:
    """A demo shopper and the categories they mostly shop in."""

    user_id: int
    favourite_category_ids: tuple[int, ...]


@dataclass(frozen=True)
class DemoShoppers:
    """The shop demo's shoppers once their orders, reviews and wishes exist. `rng` continues the shop part's
    generator: a receiver that draws from it keeps the demo the same for a given seed."""

    rng: random.Random
    shoppers: tuple[DemoShopper, ...]


# seed_demo seeds the shop, then asks each receiver (in registration order, i.e. INSTALLED_APPS order) for its
# app's part and seeds it: social, recsys and support register their demo entry points.
demo_seeding: Hook[[], DemoPart] = Hook("shop.demo_seeding")

# The shop demo created its accounts (inside its transaction): social gives them profiles with display names.
demo_accounts_created: Hook[[list[User]], None] = Hook("shop.demo_accounts_created")

# The shop demo's shoppers have their behaviour: social stores their favourite categories (onboarding picks).
demo_shoppers_seeded: Hook[[DemoShoppers], None] = Hook("shop.demo_shoppers_seeded")
