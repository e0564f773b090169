"""Template helpers for social pages: rich user text and the unread-notification count for the nav slot."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from social.selectors.text import render_rich_text

register = template.Library()


@register.filter(name="richtext")
def richtext(value: str) -> SafeString:
    return render_rich_text(value)


@register.simple_tag(takes_context=True)
def social_unread_count(context) -> int:
    from social.selectors import notification_unread_count

    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notification_unread_count(user=user)


@register.simple_tag
def product_thumbnail(tag) -> dict:
    """First picture of a tagged product, as annotated by the card selector (no query)."""
    from django.core.files.storage import default_storage

    name = getattr(tag, "thumb", None) or ""
    return {
        "url": default_storage.url(name) if name else "",
        "alt": getattr(tag, "thumb_alt", "") or tag.product.name,
    }


@register.simple_tag(takes_context=True)
def posts_for_product(context, product) -> list:
    """The product page slot: visible posts that tag this product."""
    from social.selectors import posts_for_product as select

    request = context.get("request")
    return select(viewer=getattr(request, "user", None), product_id=product.pk)


@register.simple_tag
def order_shared_post(order):
    from social.models import Post

    return Post.objects.filter(order_id=order.pk).first()
