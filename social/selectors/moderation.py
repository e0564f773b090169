"""Moderation reads: who is a moderator or suspended, the queue of open reports grouped by target, the log.

Targets are generic (ContentType + id) of the kinds in `reportable_model_registry` (users, posts, comments,
reviews, and what higher apps register through the `reportable_models` hook). The queue loads the
targets with one query per content type present, so its query count does not grow with the page size.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Count, Min, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from shop.models import Answer, Question, Review, User
from social.hooks import reportable_models
from social.models import Comment, ModerationAction, Post, Profile, Report
from social.selectors.graph import Viewer, signed_in_viewer

__all__ = [
    "MODERATORS_GROUP",
    "QueueItem",
    "ReasonCount",
    "user_is_moderator",
    "user_is_suspended",
    "moderation_access",
    "moderation_queue",
    "moderation_log",
    "moderation_target_get",
    "report_target_get",
    "reportable_model_get",
    "reportable_model_registry",
    "target_is_reportable",
    "target_owner",
    "target_preview",
    "target_label",
    "suspended_users",
]

MODERATORS_GROUP = "moderators"
# Attribute names that point at the user who wrote a piece of content, tried in this order.
OWNER_FIELDS = ("author", "user", "sender", "creator")
PREVIEW_FIELDS = ("title", "body", "text", "content", "message")
PREVIEW_CHARS = 280
# Where `user_is_moderator` keeps its answer on the user object for the rest of the request.
_MODERATOR_CACHE_ATTR = "_is_moderator"


def user_is_moderator(user: Viewer) -> bool:
    """Member of the `moderators` group, or a superuser. Cached on the user object for the request."""
    shopper = signed_in_viewer(user)
    if shopper is None or not shopper.is_active:
        return False
    if shopper.is_superuser:
        return True
    cached = getattr(shopper, _MODERATOR_CACHE_ATTR, None)
    if cached is None:
        cached = shopper.groups.filter(name=MODERATORS_GROUP).exists()
        setattr(shopper, _MODERATOR_CACHE_ATTR, cached)
    return bool(cached)


def user_is_suspended(user: Viewer) -> bool:
    """True while `Profile.suspended_until` lies in the future: no posting, commenting or reporting."""
    shopper = signed_in_viewer(user)
    if shopper is None:
        return False
    return Profile.objects.filter(user_id=shopper.pk, suspended_until__gt=timezone.now()).exists()


def moderation_access(*, user: Viewer) -> User:
    """The moderator behind `user`; PermissionDenied unless they may use the moderation queue."""
    shopper = signed_in_viewer(user)
    if shopper is None or not user_is_moderator(shopper):
        raise PermissionDenied(_("Only moderators can do this."))
    return shopper


def _is_user_model(model: type[models.Model]) -> bool:
    return issubclass(model, get_user_model())


def _has_is_hidden(model: type[models.Model]) -> bool:
    try:
        return isinstance(model._meta.get_field("is_hidden"), models.BooleanField)
    except FieldDoesNotExist:
        return False


def reportable_model_registry() -> dict[str, type[models.Model]]:
    """Every kind of content the one moderation queue accepts, by its "app_label.model" name: users, social's
    posts and comments, shop reviews and product questions and answers, and what higher apps add through the `reportable_models` hook (support
    registers its chat messages). Each has an `is_hidden` flag, except users (warned or suspended instead)."""
    contributed: list[type[models.Model]] = [
        get_user_model(),
        Post,
        Comment,
        Review,
        Question,
        Answer,
    ]
    for kinds in reportable_models.fire():
        contributed.extend(kinds)
    return {f"{model._meta.app_label}.{model._meta.model_name}": model for model in contributed}


def reportable_model_get(*, app_label: str, model_name: str) -> type[models.Model]:
    """The registered model for an "app_label.model" pair from a URL or an API payload; Http404 otherwise."""
    model = reportable_model_registry().get(f"{app_label}.{model_name.lower()}")
    if model is None:
        raise Http404(_("Unknown kind of content."))
    return model


def target_is_reportable(model: type[models.Model]) -> bool:
    return model in reportable_model_registry().values()


def _owner_field(model: type[models.Model]) -> str | None:
    user_model = get_user_model()
    for name in OWNER_FIELDS:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.is_relation and model_field.related_model is user_model:
            return name
    return None


def target_owner(target: models.Model | None) -> User | None:
    """The user a target belongs to (the user itself, or the author of a piece of content)."""
    if target is None:
        return None
    if isinstance(target, User):
        return target
    name = _owner_field(type(target))
    owner = getattr(target, name) if name else None
    return owner if isinstance(owner, User) else None


def target_label(target: models.Model | None, content_type: ContentType | None = None) -> str:
    model = (
        type(target) if target is not None else content_type.model_class() if content_type else None
    )
    if model is None:
        return _("deleted item")
    return str(model._meta.verbose_name)


def target_preview(target: models.Model | None) -> str:
    """Plain text (escaped where shown) that lets a moderator judge the target without opening it."""
    if target is None:
        return _("(deleted)")
    if isinstance(target, User):
        parts = [f"@{target.get_username()}"]
        profile = getattr(target, "profile", None) if hasattr(target, "profile") else None
        if profile is not None:
            parts += [profile.display_name, profile.bio]
        text = " · ".join(part for part in parts if part)
    else:
        parts = [
            str(getattr(target, name))
            for name in PREVIEW_FIELDS
            if getattr(target, name, None) not in (None, "")
        ]
        text = " · ".join(parts) or str(target)
    return Truncator(text).chars(PREVIEW_CHARS)


def report_target_get(
    *, app_label: str, model_name: str, object_id: int, viewer: Viewer = None
) -> models.Model:
    """The reportable instance named in a URL or API payload; Http404 when unknown or not reportable.

    Posts and comments the viewer may not see (private profile, block) are 404 too: reporting must not reveal
    that they exist.
    """
    model = reportable_model_get(app_label=app_label, model_name=model_name)
    target = model._default_manager.filter(pk=object_id).first()
    if target is None or not _viewer_may_see(viewer, target):
        raise Http404(_("This content does not exist."))
    return target


def _viewer_may_see(viewer: Viewer, target: models.Model) -> bool:
    from social.selectors.posts import post_can_view

    if isinstance(target, Post):
        return post_can_view(viewer=viewer, post=target)
    if isinstance(target, Comment):
        return post_can_view(viewer=viewer, post=target.post)
    return True


def moderation_target_get(
    *, content_type_id: int, object_id: int
) -> tuple[ContentType, models.Model | None]:
    """(content type, target or None when deleted); Http404 for an unknown content type."""
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        raise Http404(_("Unknown kind of content.")) from None
    model = content_type.model_class()
    if model is None or not target_is_reportable(model):
        raise Http404(_("Unknown kind of content."))
    return content_type, model._default_manager.filter(pk=object_id).first()


class ReasonCount(NamedTuple):
    """How many open reports on one target gave one reason (a named tuple: it sorts and compares as one)."""

    code: str
    label: str
    report_count: int


@dataclass
class QueueItem:
    """One reported target with its open reports, as the queue shows it."""

    content_type_id: int
    object_id: int
    target_key: str
    label: str
    target: models.Model | None
    preview: str
    owner: User | None
    owner_suspended_until: datetime | None
    is_hidden: bool | None
    can_hide: bool
    report_count: int
    oldest_at: datetime
    # Most frequent first.
    reasons: list[ReasonCount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _load_targets(
    keys: list[tuple[int, int]],
) -> dict[tuple[int, int], models.Model]:
    """Targets for (content_type_id, object_id) keys: one query per content type, owners joined in."""
    ids_by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, object_id in keys:
        ids_by_type[content_type_id].append(object_id)
    found: dict[tuple[int, int], models.Model] = {}
    for content_type_id, object_ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.all()
        if _is_user_model(model):
            queryset = queryset.select_related("profile")
        elif (owner := _owner_field(model)) is not None:
            queryset = queryset.select_related(owner)
        for obj in queryset.filter(pk__in=object_ids):
            found[(content_type_id, obj.pk)] = obj
    return found


def moderation_queue(*, limit: int = 50) -> list[QueueItem]:
    """Open reports grouped by target, oldest first, with counts, reasons and a preview."""
    groups = list(
        Report.objects.filter(status=Report.Status.OPEN)
        .values("content_type_id", "object_id")
        .annotate(report_count=Count("id"), oldest_at=Min("created_at"))
        .order_by("oldest_at", "content_type_id", "object_id")[:limit]
    )
    if not groups:
        return []
    keys = [(row["content_type_id"], row["object_id"]) for row in groups]
    reports = Report.objects.filter(
        status=Report.Status.OPEN,
        content_type_id__in={key[0] for key in keys},
        object_id__in={key[1] for key in keys},
    ).order_by("created_at", "id")
    reasons: dict[tuple[int, int], Counter] = defaultdict(Counter)
    notes: dict[tuple[int, int], list[str]] = defaultdict(list)
    reason_labels = dict(Report.Reason.choices)
    for report in reports:
        key = (report.content_type_id, report.object_id)
        reasons[key][report.reason] += 1
        if report.note:
            notes[key].append(Truncator(report.note).chars(200))
    targets = _load_targets(keys)
    owners = {
        key: owner for key, target in targets.items() if (owner := target_owner(target)) is not None
    }
    suspended = dict(
        Profile.objects.filter(
            user_id__in={owner.pk for owner in owners.values()}, suspended_until__gt=timezone.now()
        ).values_list("user_id", "suspended_until")
    )
    items = []
    for row, key in zip(groups, keys, strict=True):
        content_type = ContentType.objects.get_for_id(key[0])
        target = targets.get(key)
        owner = owners.get(key)
        can_hide = target is not None and _has_is_hidden(type(target))
        items.append(
            QueueItem(
                content_type_id=key[0],
                object_id=key[1],
                target_key=f"{content_type.app_label}.{content_type.model}",
                label=target_label(target, content_type),
                target=target,
                preview=target_preview(target),
                owner=owner,
                owner_suspended_until=suspended.get(owner.pk) if owner else None,
                is_hidden=bool(getattr(target, "is_hidden", False)) if can_hide else None,
                can_hide=can_hide,
                report_count=row["report_count"],
                oldest_at=row["oldest_at"],
                reasons=[
                    ReasonCount(
                        code=code, label=str(reason_labels.get(code, code)), report_count=count
                    )
                    for code, count in reasons[key].most_common()
                ],
                notes=notes[key][-5:],
            )
        )
    return items


def moderation_log(*, limit: int = 100) -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related("content_type").order_by("-created_at", "-id")[
        :limit
    ]


def suspended_users() -> QuerySet[Profile]:
    """Profiles whose suspension is running, soonest end first (the queue offers 'unsuspend')."""
    return (
        Profile.objects.filter(suspended_until__gt=timezone.now())
        .select_related("user")
        .order_by("suspended_until")
    )
