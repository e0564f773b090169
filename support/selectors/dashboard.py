"""The support dashboard: first-response and resolution times, the assistant-only share and satisfaction,
in total, per moderator and per week."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from support.models import Conversation
from support.selectors.conversations import display_name

__all__ = ["Dashboard", "DashboardRow", "dashboard"]


@dataclass(frozen=True)
class DashboardRow:
    label: str
    conversations: int
    first_response_minutes: float | None
    resolution_minutes: float | None
    resolved_by_assistant_share: float | None
    satisfaction: float | None
    ratings: int


@dataclass(frozen=True)
class Dashboard:
    total: DashboardRow
    per_moderator: list[DashboardRow]
    per_week: list[DashboardRow]

    @property
    def total_rows(self) -> list[DashboardRow]:
        return [self.total]


def _minutes(deltas: list[timedelta]) -> float | None:
    if not deltas:
        return None
    return round(statistics.median(d.total_seconds() for d in deltas) / 60, 1)


def _row(label: str, conversations: list[Conversation]) -> DashboardRow:
    first = [
        c.first_response_at - c.waiting_since
        for c in conversations
        if c.first_response_at and c.waiting_since
    ]
    resolution = [c.closed_at - c.created_at for c in conversations if c.closed_at]
    closed = [c for c in conversations if c.status == Conversation.Status.CLOSED]
    ratings = [c.rating for c in conversations if c.rating]
    return DashboardRow(
        label=label,
        conversations=len(conversations),
        first_response_minutes=_minutes(first),
        resolution_minutes=_minutes(resolution),
        resolved_by_assistant_share=(
            round(sum(c.resolved_by_assistant for c in closed) / len(closed), 3) if closed else None
        ),
        satisfaction=round(sum(ratings) / len(ratings), 2) if ratings else None,
        ratings=len(ratings),
    )


def dashboard(*, weeks: int = 8) -> Dashboard:
    """First-response and resolution times (medians, minutes), assistant-only share and satisfaction."""
    since = timezone.now() - timedelta(weeks=weeks)
    conversations = list(
        Conversation.objects.filter(created_at__gte=since)
        .select_related("assigned_to")
        .only(
            "id",
            "status",
            "created_at",
            "waiting_since",
            "first_response_at",
            "closed_at",
            "rating",
            "resolved_by_assistant",
            "assigned_to__username",
            "assigned_to__first_name",
            "assigned_to__last_name",
        )
    )
    by_moderator: dict[str, list[Conversation]] = defaultdict(list)
    by_week: dict[str, list[Conversation]] = defaultdict(list)
    for c in conversations:
        if c.assigned_to_id:
            by_moderator[display_name(c.assigned_to)].append(c)
        year, week, _weekday = c.created_at.isocalendar()
        by_week[f"{year}-W{week:02d}"].append(c)
    return Dashboard(
        total=_row(_("All"), conversations),
        per_moderator=[_row(name, items) for name, items in sorted(by_moderator.items())],
        per_week=[_row(label, items) for label, items in sorted(by_week.items(), reverse=True)],
    )
