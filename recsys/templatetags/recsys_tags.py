"""Formatting helpers for the recommender dashboard."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float) -> str:
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "–"


@register.filter
def metric(version, path: str) -> str:
    """`version|metric:"model.precision"` -> the overall holdout figure, or a dash."""
    source, _, name = path.partition(".")
    value = (version.metrics or {}).get(source, {}).get("overall", {}).get(name)
    return f"{float(value):.3f}" if value is not None else "–"
