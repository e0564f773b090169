"""Profiles as pages show them, follower lists, follow requests and 'people you may know'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from shop.models import OrderLine, Review, User, WishlistItem
from shop.selectors import purchased_product_ids
from social.models import Block, Follow, Mute, Profile
from social.selectors.graph import Viewer, signed_in_viewer

__all__ = [
    "ProfilePage",
    "Relationship",
    "Suggestion",
    "follow_requests_for_user",
    "followers_of",
    "following_of",
    "people_to_follow",
    "people_you_may_know",
    "people_you_may_know_cached",
    "people_you_may_know_cache_key",
    "people_you_may_know_slot",
    "profile_page",
    "relationship_between",
    "user_by_username",
]


@dataclass(frozen=True)
class Relationship:
    """How the viewer stands towards a profile (what buttons the page shows)."""

    is_self: bool = False
    following: bool = False
    requested: bool = False
    follows_me: bool = False
    i_blocked: bool = False
    blocked_me: bool = False
    muted: bool = False

    @property
    def can_see_content(self) -> bool:
        return not self.blocked_me and not self.i_blocked


@dataclass(frozen=True)
class ProfilePage:
    user: User
    profile: Profile
    relationship: Relationship
    follower_count: int
    following_count: int
    can_see_content: bool
    reviews: list[Review] = field(default_factory=list)
    wishlist: list[WishlistItem] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    user: User
    score: int
    reasons: list[str]


def user_by_username(*, username: str) -> User:
    user = User.objects.select_related("profile").filter(username=username, is_active=True).first()
    if user is None:
        raise Http404(_("No such account."))
    return user


def relationship_between(*, viewer: Viewer, target: User) -> Relationship:
    shopper = signed_in_viewer(viewer)
    if shopper is None:
        return Relationship()
    if shopper.pk == target.pk:
        return Relationship(is_self=True)
    follows = dict(
        Follow.objects.filter(
            Q(follower=shopper, followee=target) | Q(follower=target, followee=shopper)
        ).values_list("follower_id", "status")
    )
    blocks = set(
        Block.objects.filter(
            Q(blocker=shopper, blocked=target) | Q(blocker=target, blocked=shopper)
        ).values_list("blocker_id", flat=True)
    )
    mine = follows.get(shopper.pk)
    return Relationship(
        following=mine == Follow.Status.ACTIVE,
        requested=mine == Follow.Status.PENDING,
        follows_me=follows.get(target.pk) == Follow.Status.ACTIVE,
        i_blocked=shopper.pk in blocks,
        blocked_me=target.pk in blocks,
        muted=Mute.objects.filter(muter=shopper, muted=target).exists(),
    )


def _active_follow_count(field: str) -> Coalesce:
    rows = (
        Follow.objects.filter(status=Follow.Status.ACTIVE, **{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _profile_user(*, username: str, viewer_id: int | None) -> User:
    """The profile's account with its follower counts and, for a signed-in viewer, how the two stand (follows
    both ways, blocks both ways, mute): one query for what took five."""
    users = (
        User.objects.select_related("profile")
        .filter(username=username, is_active=True)
        .annotate(
            followers_total=_active_follow_count("followee"),
            following_total=_active_follow_count("follower"),
        )
    )
    if viewer_id is not None:
        users = users.annotate(
            viewer_follow=Subquery(
                Follow.objects.filter(follower_id=viewer_id, followee=OuterRef("pk")).values(
                    "status"
                )[:1]
            ),
            follows_viewer=Subquery(
                Follow.objects.filter(follower=OuterRef("pk"), followee_id=viewer_id).values(
                    "status"
                )[:1]
            ),
            viewer_blocked=Exists(
                Block.objects.filter(blocker_id=viewer_id, blocked=OuterRef("pk"))
            ),
            blocked_viewer=Exists(
                Block.objects.filter(blocker=OuterRef("pk"), blocked_id=viewer_id)
            ),
            viewer_muted=Exists(Mute.objects.filter(muter_id=viewer_id, muted=OuterRef("pk"))),
        )
    user = users.first()
    if user is None:
        raise Http404(_("No such account."))
    return user


def profile_page(*, viewer: Viewer, username: str) -> ProfilePage:
    """A profile as the viewer may see it. 404 for an account that blocked the viewer."""
    shopper = signed_in_viewer(viewer)
    user = _profile_user(username=username, viewer_id=shopper.pk if shopper else None)
    facts: Any = user  # the annotations above
    if shopper is None:
        relationship = Relationship()
    elif shopper.pk == user.pk:
        relationship = Relationship(is_self=True)
    else:
        relationship = Relationship(
            following=facts.viewer_follow == Follow.Status.ACTIVE,
            requested=facts.viewer_follow == Follow.Status.PENDING,
            follows_me=facts.follows_viewer == Follow.Status.ACTIVE,
            i_blocked=bool(facts.viewer_blocked),
            blocked_me=bool(facts.blocked_viewer),
            muted=bool(facts.viewer_muted),
        )
    if relationship.blocked_me:
        raise Http404(_("No such account."))
    profile = getattr(user, "profile", None) or Profile.objects.get_or_create(user=user)[0]
    can_see = relationship.can_see_content and (
        not profile.is_private or relationship.is_self or relationship.following
    )
    counts = {"followers": facts.followers_total, "following": facts.following_total}
    reviews: list[Review] = []
    wishlist: list[WishlistItem] = []
    if can_see:
        reviews = list(
            Review.objects.filter(user=user, is_hidden=False).select_related("product")[:10]
        )
        if profile.show_wishlist or relationship.is_self:
            wishlist = list(
                WishlistItem.objects.filter(user=user, product__is_active=True).select_related(
                    "product"
                )[:24]
            )
    return ProfilePage(
        user=user,
        profile=profile,
        relationship=relationship,
        follower_count=counts["followers"],
        following_count=counts["following"],
        can_see_content=can_see,
        reviews=reviews,
        wishlist=wishlist,
    )


def _visible_people(viewer: Viewer) -> QuerySet[User]:
    people = User.objects.filter(is_active=True).select_related("profile")
    shopper = signed_in_viewer(viewer)
    if shopper is not None:
        people = people.exclude(
            pk__in=Block.objects.filter(blocker=shopper).values("blocked_id")
        ).exclude(pk__in=Block.objects.filter(blocked=shopper).values("blocker_id"))
    return people


def followers_of(*, viewer: Viewer, user: User) -> list[User]:
    ids = Follow.objects.filter(followee=user, status=Follow.Status.ACTIVE).values("follower_id")
    return list(_visible_people(viewer).filter(pk__in=ids).order_by("username")[:500])


def following_of(*, viewer: Viewer, user: User) -> list[User]:
    ids = Follow.objects.filter(follower=user, status=Follow.Status.ACTIVE).values("followee_id")
    return list(_visible_people(viewer).filter(pk__in=ids).order_by("username")[:500])


def follow_requests_for_user(*, user: User) -> list[Follow]:
    return list(
        Follow.objects.filter(followee=user, status=Follow.Status.PENDING)
        .select_related("follower", "follower__profile")
        .order_by("-created_at")
    )


def _followed_by_reason(names: list[str], total: int) -> str:
    first = names[0]
    others = total - 1
    if others <= 0:
        return _("Followed by @%(name)s") % {"name": first}
    return ngettext(
        "Followed by @%(name)s and %(count)d other",
        "Followed by @%(name)s and %(count)d others",
        others,
    ) % {"name": first, "count": others}


def people_you_may_know(*, user: User, limit: int = 10) -> list[Suggestion]:
    """Accounts to follow, each with why: mutual follows, the same purchases, the same favourite categories.

    Never: myself, people I follow or asked to follow, anyone across a block, people who opted out.
    """
    excluded = {user.pk}
    excluded |= set(Follow.objects.filter(follower=user).values_list("followee_id", flat=True))
    excluded |= set(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True))
    excluded |= set(Block.objects.filter(blocked=user).values_list("blocker_id", flat=True))
    my_followees = Follow.objects.filter(follower=user, status=Follow.Status.ACTIVE).values(
        "followee_id"
    )
    pool = 50

    mutual_counts = dict(
        Follow.objects.filter(follower_id__in=my_followees, status=Follow.Status.ACTIVE)
        .exclude(followee_id__in=excluded)
        .values("followee_id")
        .annotate(n=Count("follower_id"))
        .order_by("-n")
        .values_list("followee_id", "n")[:pool]
    )
    mutual_names: dict[int, list[str]] = defaultdict(list)
    for followee_id, name in (
        Follow.objects.filter(
            follower_id__in=my_followees,
            followee_id__in=list(mutual_counts),
            status=Follow.Status.ACTIVE,
        )
        .order_by("follower__username")
        .values_list("followee_id", "follower__username")
    ):
        mutual_names[followee_id].append(name)

    bought = purchased_product_ids(user_id=user.pk)
    same_purchase = dict(
        OrderLine.objects.filter(product_id__in=list(bought), order__user__isnull=False)
        .exclude(order__user_id__in=excluded)
        .exclude(order__status="cancelled")
        .values("order__user_id")
        .annotate(n=Count("product_id", distinct=True))
        .order_by("-n")
        .values_list("order__user_id", "n")[:pool]
        if bought
        else []
    )

    my_categories = Profile.favourite_categories.through.objects.filter(profile__user=user).values(
        "category_id"
    )
    # Typed loosely: django-stubs cannot resolve annotations on an auto-created through model.
    category_rows: QuerySet[Any] = Profile.favourite_categories.through.objects.filter(
        category_id__in=my_categories
    )
    same_categories = dict(
        category_rows.exclude(profile__user_id__in=excluded)
        .values("profile__user_id")
        .annotate(n=Count("category_id"))
        .order_by("-n")
        .values_list("profile__user_id", "n")[:pool]
    )

    candidate_ids = set(mutual_counts) | set(same_purchase) | set(same_categories)
    if not candidate_ids:
        return []
    people = {
        person.pk: person
        for person in User.objects.filter(pk__in=candidate_ids, is_active=True)
        .exclude(profile__show_in_suggestions=False)
        .select_related("profile")
    }
    suggestions = []
    for person_id, person in people.items():
        reasons = []
        score = 0
        if person_id in mutual_counts:
            reasons.append(
                _followed_by_reason(mutual_names.get(person_id) or ["?"], mutual_counts[person_id])
            )
            score += 3 * mutual_counts[person_id]
        if person_id in same_purchase:
            count = same_purchase[person_id]
            reasons.append(
                ngettext(
                    "Bought %(count)d of the same things",
                    "Bought %(count)d of the same things",
                    count,
                )
                % {"count": count}
            )
            score += 2 * count
        if person_id in same_categories:
            reasons.append(_("Likes the same categories"))
            score += same_categories[person_id]
        suggestions.append(Suggestion(user=person, score=score, reasons=reasons))
    suggestions.sort(key=lambda item: (-item.score, item.user.username))
    return suggestions[:limit]


def people_to_follow(*, user: User, limit: int = 12) -> list[User]:
    """`people_you_may_know`, topped up with the most-followed accounts for a newcomer with no signals yet
    (onboarding): the same exclusions (myself, people I follow or asked to follow, anyone across a block,
    people who opted out of suggestions), and staff accounts, which are not shoppers."""
    chosen = [suggestion.user for suggestion in people_you_may_know(user=user, limit=limit)]
    if len(chosen) >= limit:
        return chosen
    excluded = {user.pk, *(person.pk for person in chosen)}
    excluded |= set(Follow.objects.filter(follower=user).values_list("followee_id", flat=True))
    excluded |= set(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True))
    excluded |= set(Block.objects.filter(blocked=user).values_list("blocker_id", flat=True))
    popular = (
        User.objects.filter(is_active=True, is_staff=False)
        .exclude(profile__show_in_suggestions=False)
        .exclude(pk__in=excluded)
        .annotate(
            followers=Count("follower_set", filter=Q(follower_set__status=Follow.Status.ACTIVE))
        )
        .select_related("profile")
        .order_by("-followers", "username")[: limit - len(chosen)]
    )
    return [*chosen, *popular]


# Longer than the refresh task's period, so that active shoppers never wait for the computation.
SUGGESTIONS_CACHE_SECONDS = 600


def people_you_may_know_cache_key(user_id: int) -> str:
    """The one cache entry holding a shopper's computed suggestions (every language and length); the
    services delete it when the shopper's own graph changes (follow, request answered, block)."""
    return f"social:pymk:{user_id}"


# Candidates kept beyond the shown length, so that the read-time check still leaves enough.
SUGGESTIONS_SPARE = 5


def people_you_may_know_slot(limit: int) -> str:
    """Where a language and list length sit inside a shopper's cached entry."""
    return f"{get_language()}:{limit}"


def people_you_may_know_cached(*, user: User, limit: int = 3) -> list[Suggestion]:
    """`people_you_may_know` for a page's side panel: computed at most every few minutes per shopper, and
    at once after the shopper's own follows or blocks change. Others' changes (their follows, purchases)
    show within `SUGGESTIONS_CACHE_SECONDS`; an account that left or opted out of suggestions never shows,
    checked at read time in one query."""
    key = people_you_may_know_cache_key(user.pk)
    slot = people_you_may_know_slot(limit)
    entry = cache.get(key) or {}
    suggestions = entry.get(slot)
    if (
        suggestions is None
    ):  # not computed ahead (social.tasks.suggestions_refresh_task) or just changed
        suggestions = people_you_may_know(user=user, limit=limit + SUGGESTIONS_SPARE)
        cache.set(key, {**entry, slot: suggestions}, SUGGESTIONS_CACHE_SECONDS)
    if not suggestions:
        return []
    still_listed = set(
        User.objects.filter(pk__in=[item.user.pk for item in suggestions], is_active=True)
        .exclude(profile__show_in_suggestions=False)
        .values_list("pk", flat=True)
    )
    return [item for item in suggestions if item.user.pk in still_listed][:limit]
