"""Template helpers for catalogue pages: money, stars and a product's card picture."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value) -> str:
    """`19.90 EUR`-style price in the shop currency, localised number format."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number_format(amount, 2, use_l10n=True)} {settings.SHOP_CURRENCY}"


@register.filter
def stars(value) -> str:
    """A rating (0-5, may be fractional) as five characters of filled and empty stars."""
    try:
        full = int(round(float(value or 0)))
    except (TypeError, ValueError):
        full = 0
    full = max(0, min(full, 5))
    return "★" * full + "☆" * (5 - full)


@register.simple_tag
def card_image(product) -> dict:
    """The picture a card shows: annotated by the card selectors, else the first of the product's images."""
    url = getattr(product, "card_image_url", None)
    if url is None:
        first = next(iter(product.images.all()), None)
        url = first.image.url if first else ""
        alt = (first.alt_text if first else "") or product.name
    else:
        alt = getattr(product, "card_image_alt", "") or product.name
    return {"url": url, "alt": alt}
