"""Template helpers for catalogue pages: money, stars, a product's card picture, cached product cards and the
category filter's options."""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from common.edge_cache import CSRF_PLACEHOLDER
from common.fragments import deployment_version
from shop.selectors.pricing import PriceQuote, price_quote, promotions_running

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
    """The picture a card shows: annotated by the card selectors, else the first of the product's images.
    `picture` is the `common.pictures.Picture` for `{% picture %}` (None without one)."""
    url = getattr(product, "card_image_url", None)
    if url is None:
        first = next(iter(product.images.all()), None)
        url = first.image.url if first else ""
        alt = (first.alt_text if first else "") or product.name
        picture = first.picture if first else None
    else:
        alt = getattr(product, "card_image_alt", "") or product.name
        picture = getattr(product, "card_picture", None)
    return {"url": url, "alt": alt, "picture": picture}


@register.simple_tag
def product_sale(product) -> PriceQuote | None:
    """The running sale of `product` (shop.selectors.pricing), None when it sells at its list price. Reads the
    quote `product_cards` attached, else the promotions cached under the catalogue version."""
    quote = getattr(product, "sale_quote", None)
    if quote is None:
        quote = price_quote(product=product)
    return quote if quote.on_sale else None


@register.simple_tag
def variant_sale(product, list_price) -> PriceQuote | None:
    """The running sale applied to a chosen variant's price (its override, else the product's)."""
    quote = price_quote(product=product, list_price=list_price)
    return quote if quote.on_sale else None


CARD_CACHE_SECONDS = 3600


def _card_cache_key(product, language: str) -> str:
    # Content-addressed: every field the card shows is in the key, so a price, stock, rating or picture change
    # is a new key and no invalidation is needed; the deployment version makes a deploy of new card markup a new
    # key too, instead of old cards living until they expire.
    picture = card_image(product)
    fields = (
        deployment_version(),
        product.id,
        product.name,
        product.slug,
        str(product.price),
        str(product.rating_avg),
        product.rating_count,
        product.stock > 0,
        str(product.sale_quote.price) if product.sale_quote.on_sale else "",
        product.sale_quote.badge,
        picture["url"],
        picture["alt"],
        picture["picture"],
    )
    digest = hashlib.blake2b(repr(fields).encode(), digest_size=12).hexdigest()
    return f"shop:card:{language}:{digest}"


@register.simple_tag
def product_cards(products) -> str:
    """The cards of `products` in order. Rendered cards are shared through the cache (one `get_many`), so a
    listing page renders only the cards no page has shown yet."""
    products = list(products)
    if not products:
        return ""
    language = get_language() or settings.LANGUAGE_CODE
    promotions = promotions_running()
    for product in products:
        product.sale_quote = price_quote(product=product, promotions=promotions)
    keys = [_card_cache_key(product, language) for product in products]
    cached = cache.get_many(keys)
    missing = {}
    card_template = get_template("shop/partials/product_card.html")
    parts = []
    for key, product in zip(keys, products, strict=True):
        html = cached.get(key)
        if html is None:
            # No request: a card needs no context processors, and running them per card costs more than the card.
            html = card_template.render({"product": product})
            missing[key] = html
        parts.append(html)
    if missing:
        cache.set_many(missing, CARD_CACHE_SECONDS)
    return mark_safe("".join(parts))  # noqa: S308 - each part rendered (escaped) by the card template


@register.simple_tag
def category_options(categories, selected: str = "") -> str:
    """`<option>`s for the category filter, roots then their children (plain string building: it renders on
    every listing page and a template loop over the whole tree costs a millisecond)."""
    parts = []
    for root in categories:
        parts.append(_option(root.slug, root.name, selected))
        for child in getattr(root, "children_list", []):
            parts.append(_option(child.slug, f"— {child.name}", selected))
    return mark_safe("".join(parts))  # noqa: S308 - values escaped in _option


def _option(value: str, label: str, selected: str) -> str:
    mark = " selected" if value == selected else ""
    return f'<option value="{escape(value)}"{mark}>{escape(label)}</option>'


# The blank review form: Django renders each widget through its own template (about 2 ms for this form), and
# the form is the same on every product page for a shopper without a review of it.
REVIEW_ACTION_PLACEHOLDER = "/__socialshop_review_action__/"
REVIEW_FORM_CACHE_SECONDS = 24 * 3600


@register.simple_tag(takes_context=True)
def review_form(context) -> str:
    """The product page's review form, from the cache when it is blank (see above)."""
    form = context["review_form"]
    detail = context["detail"]
    action = reverse("shop:review_save", args=[detail.product.slug])
    template = get_template("shop/partials/review_form.html")
    if form.is_bound or detail.own_review is not None:
        return template.render(
            {
                "review_form": form,
                "detail": detail,
                "review_action": action,
                "csrf_token": context.get("csrf_token"),
            }
        )
    key = f"shop:review-form:{get_language() or settings.LANGUAGE_CODE}"
    html = cache.get(key)
    if html is None:
        html = template.render(
            {
                "review_form": form,
                "detail": detail,
                "review_action": REVIEW_ACTION_PLACEHOLDER,
                "csrf_token": CSRF_PLACEHOLDER,
            }
        )
        cache.set(key, html, REVIEW_FORM_CACHE_SECONDS)
    token = context.get("csrf_token")
    html = html.replace(REVIEW_ACTION_PLACEHOLDER, escape(action)).replace(
        CSRF_PLACEHOLDER, str(token) if token else ""
    )
    return mark_safe(html)  # noqa: S308 - rendered (escaped) by our template
