"""Template helpers for social pages: rich user text and the unread-notification count for the nav slot."""

from __future__ import annotations

import hashlib

from django import template
from django.core.cache import cache
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from common.edge_cache import CSRF_PLACEHOLDER

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


# --- shared post card bodies ------------------------------------------------------------------------------

POST_BODY_CACHE_SECONDS = 24 * 3600
_BODIES_CONTEXT_KEY = "_post_card_bodies"


def _post_body_key(post) -> str:
    """Content address of a card body: a hash of everything `post_card_body.html` shows, so an edit (the post,
    the author's name or picture, a tagged product's price or stock, a shared review) gives a new key and
    nothing needs invalidating. Hidden and deleted posts never reach a card."""
    review = post.review if post.kind == "review" and post.review_id else None
    author = post.author
    profile = getattr(author, "profile", None)
    content = (
        translation.get_language(),
        post.pk,
        post.kind,
        post.body,
        post.created_at.isoformat(),
        author.get_username(),
        (profile.display_name, profile.avatar.name or "") if profile is not None else None,
        (review.rating, review.title, review.body) if review is not None else None,
        [(image.image.name, image.alt_text) for image in post.images.all()],
        [
            (
                tag.product_id,
                tag.verified_purchase,
                getattr(tag, "thumb", None),
                getattr(tag, "thumb_alt", None),
                tag.product.name,
                tag.product.slug,
                str(tag.product.price),
                tag.product.stock > 0,
                tag.product.is_active,
            )
            for tag in post.product_tags.all()
        ],
    )
    return "social:postcard:" + hashlib.sha1(repr(content).encode()).hexdigest()


def _render_post_body(post) -> str:
    return get_template("social/partials/post_card_body.html").render(
        {"post": post, "csrf_token": CSRF_PLACEHOLDER}
    ).strip()


@register.simple_tag(takes_context=True)
def post_card_bodies_prefetch(context, posts) -> str:
    """Fetch the shared bodies of a page of cards in one cache round trip (rendering the missing ones), for
    the `post_card_body` tags of the cards that follow."""
    posts = list(posts)
    keys = {post.pk: _post_body_key(post) for post in posts}
    cached = cache.get_many(list(keys.values()))
    missing = {}
    bodies = {}
    for post in posts:
        html = cached.get(keys[post.pk])
        if html is None:
            html = missing[keys[post.pk]] = _render_post_body(post)
        bodies[post.pk] = html
    if missing:
        cache.set_many(missing, POST_BODY_CACHE_SECONDS)
    context[_BODIES_CONTEXT_KEY] = bodies  # seen by the cards included after this tag
    return ""


@register.simple_tag(takes_context=True)
def post_card_body(context, post) -> SafeString:
    """The viewer-independent part of a post card, from the cache when any page has shown it, with this
    response's CSRF token in its forms."""
    prefetched = context.get(_BODIES_CONTEXT_KEY) or {}
    html = prefetched.get(post.pk)
    if html is None:
        key = _post_body_key(post)
        html = cache.get(key)
        if html is None:
            html = _render_post_body(post)
            cache.set(key, html, POST_BODY_CACHE_SECONDS)
    token = context.get("csrf_token")
    return mark_safe(html.replace(CSRF_PLACEHOLDER, str(token) if token else ""))  # noqa: S308
