"""Moderation writes: reports from shoppers, and moderator actions that always leave an audit-log row.

Reports on one target by one reporter merge while open. Reporting is rate-limited by the `report` rate in
REST_FRAMEWORK's DEFAULT_THROTTLE_RATES through the one limiter (`common.ratelimit`), so pages and the API share
one limit and one counter.
Every moderator action resolves the target's open reports, writes one `ModerationAction`, tells the reporters
the outcome and, where it concerns them, the content's owner.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ServiceError
from common.ratelimit import RateLimited, rate_limit_hit
from shop.models import Review, User
from shop.services.catalog import product_rating_refresh
from social.models import ModerationAction, Notification, Post, Profile, Report
from social.selectors.graph import Viewer, signed_in_viewer
from social.selectors.moderation import (
    moderation_access,
    moderation_target_get,
    target_is_reportable,
    target_label,
    target_owner,
    target_preview,
    user_is_moderator,
    user_is_suspended,
)
from social.services.notifications import notification_create
from social.services.product_posts import product_posts_bump_for_posts

__all__ = ["ModerationError", "moderation_act", "report_create"]

NOTE_MAX_CHARS = 2000


class ModerationError(ServiceError):
    """A moderation rule refused the request (the one service error type: `message`, `field`, `code`)."""


def report_create(
    *, reporter: Viewer, target: models.Model | None, reason: str, note: str = ""
) -> Report:
    """Report `target` (any model with `is_hidden`, or a user); an open report by the same reporter merges."""
    shopper = signed_in_viewer(reporter)
    if shopper is None:
        raise ModerationError(_("Log in to report content."), code="forbidden")
    if user_is_suspended(shopper):
        raise ModerationError(_("Your account is suspended."), code="suspended")
    if reason not in Report.Reason.values:
        raise ModerationError(_("Choose a reason."), field="reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ModerationError(
            _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX_CHARS},
            field="note",
        )
    if target is None or target.pk is None or not target_is_reportable(type(target)):
        raise ModerationError(_("This cannot be reported."), field="target")
    owner = target_owner(target)
    if owner is not None and owner.pk == shopper.pk:
        raise ModerationError(_("You cannot report yourself or your own content."), field="target")

    # Every accepted report counts towards the `report` rate (merged ones too), on pages and in the API alike.
    try:
        rate_limit_hit(scope="report", key=shopper.pk)
    except RateLimited:
        raise ModerationError(
            _("You have sent many reports recently. Please try again later."), code="rate_limited"
        ) from None
    content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
    existing = Report.objects.filter(
        reporter=shopper,
        content_type=content_type,
        object_id=target.pk,
        status=Report.Status.OPEN,
    ).first()
    if existing is not None:
        return _merge(existing, reason=reason, note=note)

    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=shopper,
                content_type=content_type,
                object_id=target.pk,
                reason=reason,
                note=note,
            )
    except IntegrityError:
        # A double submit raced us to the open report: merge into the one that won.
        existing = Report.objects.get(
            reporter=shopper,
            content_type=content_type,
            object_id=target.pk,
            status=Report.Status.OPEN,
        )
        return _merge(existing, reason=reason, note=note)


def _merge(report: Report, *, reason: str, note: str) -> Report:
    if note and note not in report.note:
        report.note = f"{report.note}\n{note}".strip()[:NOTE_MAX_CHARS]
    report.reason = reason
    report.save(update_fields=["note", "reason", "updated_at"])
    return report


OUTCOME_MESSAGES = {
    ModerationAction.Kind.HIDE: gettext_lazy("the content was removed"),
    ModerationAction.Kind.RESTORE: gettext_lazy("the content was reviewed and left up"),
    ModerationAction.Kind.WARN: gettext_lazy("the author was warned"),
    ModerationAction.Kind.SUSPEND: gettext_lazy("the account was suspended"),
    ModerationAction.Kind.UNSUSPEND: gettext_lazy("no further action was needed"),
    ModerationAction.Kind.DISMISS: gettext_lazy("no rule was broken"),
}
ACTIONED_KINDS = {
    ModerationAction.Kind.HIDE,
    ModerationAction.Kind.WARN,
    ModerationAction.Kind.SUSPEND,
}


def _profile_for(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def moderation_act(
    *,
    moderator: User,
    content_type_id: int,
    object_id: int,
    kind: str,
    note: str,
    suspended_until: datetime | None = None,
) -> ModerationAction:
    """Apply one moderator action to a target and record it. Raises PermissionDenied for non-moderators."""
    moderation_access(user=moderator)
    if kind not in ModerationAction.Kind.values:
        raise ModerationError(_("Choose an action."), field="kind")
    note = (note or "").strip()
    if not note:
        raise ModerationError(_("Add a note saying why."), field="note")
    if len(note) > NOTE_MAX_CHARS:
        raise ModerationError(
            _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX_CHARS},
            field="note",
        )
    content_type, target = moderation_target_get(
        content_type_id=content_type_id, object_id=object_id
    )
    if target is None and kind != ModerationAction.Kind.DISMISS:
        raise ModerationError(
            _("This content no longer exists; its reports can only be dismissed."), field="kind"
        )
    owner = target_owner(target)
    label = target_label(target, content_type)

    with transaction.atomic():
        if kind in (ModerationAction.Kind.HIDE, ModerationAction.Kind.RESTORE):
            if target is None or not hasattr(target, "is_hidden"):
                raise ModerationError(_("Only content can be hidden or restored."), field="kind")
            hidden = kind == ModerationAction.Kind.HIDE
            type(target)._default_manager.filter(pk=target.pk).update(is_hidden=hidden)
            target.is_hidden = hidden
            if isinstance(target, Post):
                product_posts_bump_for_posts([target.pk])
            if isinstance(target, Review):
                # A hidden review no longer counts towards the product's rating summary.
                product_rating_refresh(product_id=target.product_id)
        elif kind in (
            ModerationAction.Kind.WARN,
            ModerationAction.Kind.SUSPEND,
            ModerationAction.Kind.UNSUSPEND,
        ):
            if owner is None:
                raise ModerationError(_("This content has no author to act on."), field="kind")
            if owner.pk == moderator.pk:
                raise ModerationError(_("You cannot act on your own account."), field="kind")
            if kind == ModerationAction.Kind.SUSPEND:
                if suspended_until is None:
                    raise ModerationError(
                        _("Say until when the account is suspended."), field="suspended_until"
                    )
                if timezone.is_naive(suspended_until):
                    suspended_until = timezone.make_aware(suspended_until)
                if suspended_until <= timezone.now():
                    raise ModerationError(
                        _("The suspension must end in the future."), field="suspended_until"
                    )
                if user_is_moderator(owner):
                    raise ModerationError(_("Moderators cannot be suspended here."), field="kind")
                profile = _profile_for(owner)
                profile.suspended_until = suspended_until
                profile.save(update_fields=["suspended_until"])
            elif kind == ModerationAction.Kind.UNSUSPEND:
                Profile.objects.filter(user=owner).update(suspended_until=None)

        # Locked: two moderators acting on the same target at once resolve (and notify) each report once.
        open_reports = list(
            Report.objects.select_for_update().filter(
                content_type=content_type, object_id=object_id, status=Report.Status.OPEN
            )
        )
        if kind == ModerationAction.Kind.DISMISS and not open_reports:
            raise ModerationError(_("There are no open reports to dismiss."), field="kind")

        action = ModerationAction.objects.create(
            moderator=moderator,
            moderator_name=moderator.get_username(),
            kind=kind,
            content_type=content_type,
            object_id=object_id,
            target_repr=f"{label}: {target_preview(target)}"[:300],
            target_user=owner,
            note=note,
            suspended_until=suspended_until if kind == ModerationAction.Kind.SUSPEND else None,
            reports_resolved=len(open_reports),
        )
        resolved_status = (
            Report.Status.ACTIONED if kind in ACTIONED_KINDS else Report.Status.DISMISSED
        )
        Report.objects.filter(id__in=[report.id for report in open_reports]).update(
            status=resolved_status,
            action=action,
            resolved_at=timezone.now(),
            updated_at=timezone.now(),
        )
        _tell_reporters(open_reports, kind=kind, label=label)
        _tell_owner(owner, kind=kind, label=label, note=note, until=suspended_until)
    return action


def _tell_reporters(reports: list[Report], *, kind: str, label: str) -> None:
    outcome = OUTCOME_MESSAGES[ModerationAction.Kind(kind)]
    for reporter_id in sorted({report.reporter_id for report in reports}):
        notification_create(
            recipient_id=reporter_id,
            kind=Notification.Kind.MODERATION,
            message=_("Thank you for your report on a %(label)s: %(outcome)s.")
            % {"label": label, "outcome": outcome},
        )


def _tell_owner(
    owner: User | None, *, kind: str, label: str, note: str, until: datetime | None
) -> None:
    if owner is None:
        return
    if kind == ModerationAction.Kind.HIDE:
        message = _("A moderator hid your %(label)s: %(note)s") % {"label": label, "note": note}
    elif kind == ModerationAction.Kind.WARN:
        message = _("A moderator sent you a warning: %(note)s") % {"note": note}
    elif kind == ModerationAction.Kind.SUSPEND:
        message = _("Your account is suspended until %(until)s: %(note)s") % {
            "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"),
            "note": note,
        }
    elif kind == ModerationAction.Kind.UNSUSPEND:
        message = _("Your account suspension has been lifted.")
    else:
        return
    notification_create(
        recipient_id=owner.pk, kind=Notification.Kind.MODERATION, message=message, url=_home_url()
    )


def _home_url() -> str:
    try:
        return reverse("shop:home")
    except NoReverseMatch:
        return ""
