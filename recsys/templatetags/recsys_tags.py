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


@register.simple_tag(takes_context=True)
def recommended_card(context, item, click_url: str):
    """The shop's product card (shop/partials/product_card.html) with its reason, whose product link goes
    through the logging click URL instead of straight to the product."""
    from django.template.loader import render_to_string
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    # No request: the card needs none, and context processors would run once per card (N+1 queries).
    html = render_to_string(
        "shop/partials/product_card.html", {"product": item.product, "reason": item.reason}
    )
    direct = f'href="{escape(item.product.get_absolute_url())}"'
    return mark_safe(html.replace(direct, f'href="{escape(click_url)}"', 1))  # noqa: S308 - rendered template
