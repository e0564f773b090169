"""Stored list entries turned into `Recommendation`s with a reason a shopper may read.

Entries are `[product_id, score, facts]`; facts are stored raw (which followees bought the item, which viewed
item it resembles) and told here, at request time, keeping only people the shopper still follows and can see:
a later block or unfollow takes effect at once. Products sold out or withdrawn since scoring are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shop import selectors as shop_selectors
from shop.models import Product
from social import selectors as social_selectors

__all__ = ["Recommendation", "entries_materialise"]


@dataclass(frozen=True)
class Recommendation:
    """One recommended product as widgets, the API and the assistant need it."""

    product: Product
    score: float
    reason: str
    reason_kind: str
    widget: str
    position: int
    model_version_id: int | None = None
    variant: str = ""
    experiment_id: int | None = None
    # People named in the reason (friends widget), already filtered for visibility.
    people: tuple[str, ...] = field(default_factory=tuple)


def _join_names(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return _("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    return ngettext(
        "%(first)s, %(second)s and %(count)d other",
        "%(first)s, %(second)s and %(count)d others",
        len(names) - 2,
    ) % {"first": names[0], "second": names[1], "count": len(names) - 2}


@dataclass
class _ReasonContext:
    people: dict[int, str]
    sharers: set[int]
    product_names: dict[int, str]
    category_names: dict[int, str]


def _reason_context(user_id: int | None, entries: list) -> _ReasonContext:
    # People this shopper follows (active, so approved when private), neither blocked nor blocking: one query.
    followees = social_selectors.followees_named(user_id=user_id) if user_id else {}
    people = {pk: followee.name for pk, followee in followees.items()}
    sharers = {pk for pk, followee in followees.items() if followee.shares_purchases}
    product_ids: set[int] = set()
    category_ids: set[int] = set()
    for entry in entries:
        for fact in entry[2] if len(entry) > 2 else []:
            if fact.get("k") == "similar":
                product_ids.add(int(fact["p"]))
            elif fact.get("k") == "category":
                category_ids.add(int(fact["c"]))
    return _ReasonContext(
        people,
        sharers,
        shop_selectors.product_names(product_ids=product_ids),
        shop_selectors.category_names(category_ids=category_ids),
    )


def _reason_text(facts: list, context: _ReasonContext) -> tuple[str, str, tuple[str, ...]]:
    """The first fact that can be told to this shopper, as (text, kind, people named)."""
    for fact in facts:
        kind = fact.get("k")
        if kind == "followee":
            action = fact.get("a", "liked")
            ids = [int(uid) for uid in fact.get("u", []) if int(uid) in context.people]
            if action == "bought":
                ids = [uid for uid in ids if uid in context.sharers]
            if not ids:
                continue
            names = [context.people[uid] for uid in ids]
            joined = _join_names(names)
            if action == "bought":
                text = _("Because %(names)s, whom you follow, bought this")
            else:
                text = _("Because %(names)s, whom you follow, liked this")
            return text % {"names": joined}, "followee", tuple(names)
        if kind == "similar":
            name = context.product_names.get(int(fact["p"]))
            if name:
                return (
                    _("Similar to %(product)s, which you looked at") % {"product": name},
                    "similar",
                    (),
                )
        if kind == "category":
            name = context.category_names.get(int(fact["c"]))
            if name:
                return (
                    _("From %(category)s, one of your favourite categories") % {"category": name},
                    "category",
                    (),
                )
        if kind == "bought_together":
            return _("Often bought together"), "bought_together", ()
        if kind == "similar_item":
            return _("Similar item"), "similar_item", ()
        if kind == "trending":
            return _("Trending now"), "trending", ()
        if kind == "popular":
            return _("Popular in the shop"), "popular", ()
    return _("Popular in the shop"), "popular", ()


def entries_materialise(
    entries: list,
    *,
    widget: str,
    k: int,
    user_id: int | None,
    exclude_ids: set[int] | None = None,
    model_version_id: int | None = None,
    variant: str = "",
    experiment_id: int | None = None,
) -> list[Recommendation]:
    """Stored [product_id, score, facts] entries -> Recommendations of active, in-stock products."""
    exclude_ids = exclude_ids or set()
    candidates = [entry for entry in entries if int(entry[0]) not in exclude_ids]
    # Over-fetch so that products sold out since scoring can be dropped without a short list.
    candidates = candidates[: k * 3 + 5]
    products = {
        product.pk: product
        for product in shop_selectors.product_cards(
            product_ids=[int(entry[0]) for entry in candidates]
        )
    }
    kept = []
    for entry in candidates:
        product = products.get(int(entry[0]))
        if product is None or not product.is_active or product.stock <= 0:
            continue
        kept.append((product, entry))
        if len(kept) >= k:
            break
    context = _reason_context(user_id, [entry for _, entry in kept])
    results = []
    for position, (product, entry) in enumerate(kept, start=1):
        facts = entry[2] if len(entry) > 2 else []
        text, kind, people = _reason_text(facts, context)
        results.append(
            Recommendation(
                product=product,
                score=float(entry[1]),
                reason=text,
                reason_kind=kind,
                widget=widget,
                position=position,
                model_version_id=model_version_id,
                variant=variant,
                experiment_id=experiment_id,
                people=people,
            )
        )
    return results
