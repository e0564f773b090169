"""Template helpers for social pages: rich user text and the unread-notification count for the nav slot."""

from __future__ import annotations

import hashlib
from urllib.parse import quote as urlquote

from django import template
from django.core.cache import cache
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from common.edge_cache import CSRF_PLACEHOLDER
from common.fragments import PATH_PLACEHOLDER, fill_csrf
from social.selectors.text import render_rich_text

register = template.Library()


@register.filter(name="richtext")
def richtext(value: str) -> SafeString:
    return render_rich_text(value)


@register.simple_tag(takes_context=True)
def social_unread_count(context) -> int:
    from social.selectors import notification_unread_count

    # The context's user (the auth context processor's): the cached page layout renders with a stand-in request.
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notification_unread_count(user=user)


@register.simple_tag
def product_thumbnail(tag) -> dict:
    """First picture of a tagged product, as annotated by the card selector (no query)."""
    from django.core.files.storage import default_storage

    from common.pictures import Picture

    name = getattr(tag, "thumb", None) or ""
    alt = getattr(tag, "thumb_alt", "") or tag.product.name
    renditions = getattr(tag, "thumb_renditions", None) or ()
    return {
        "url": default_storage.url(name) if name else "",
        "alt": alt,
        # Product pictures are square; {% picture %} needs only the rendition widths to pick a small one.
        "picture": Picture(name=name, width=48, height=48, renditions=tuple(renditions), alt=alt)
        if name
        else None,
    }


@register.simple_tag
def order_shared_post(order):
    from social.models import Post

    return Post.objects.filter(order_id=order.pk).first()


# --- shared post cards ------------------------------------------------------------------------------------
#
# A card is two cached fragments: the body (author, text, pictures, tagged products: the same for every viewer)
# and the footer (likes, comments, the viewer's own buttons: the same for every viewer in the same position,
# i.e. liked or not, author or not). Both are content-addressed, so an edit needs no invalidation, and both
# hold placeholders for the two things that belong to one response: the CSRF token and the current path.

POST_CARD_CACHE_SECONDS = 24 * 3600
_PARTS_CONTEXT_KEY = "_post_card_parts"


class _PlaceholderRequest:
    """What the footer's report link reads from the request: the path, as a placeholder."""

    @staticmethod
    def get_full_path() -> str:
        return PATH_PLACEHOLDER


def _digest(content: object) -> str:
    return hashlib.sha1(repr(content).encode()).hexdigest()


def _post_body_key(post) -> str:
    """Content address of a card body: everything `post_card_body.html` shows, so an edit (the post, the
    author's name or picture, a tagged product's price or stock, a shared review) gives a new key. Hidden and
    deleted posts never reach a card."""
    review = post.review if post.kind == "review" and post.review_id else None
    author = post.author
    profile = getattr(author, "profile", None)
    # The card selector annotates `has_images`: skip the (empty) picture list without touching the ORM.
    images = post.images.all() if getattr(post, "has_images", True) else []
    content = (
        translation.get_language(),
        post.pk,
        post.kind,
        post.body,
        post.created_at.isoformat(),
        author.get_username(),
        (
            (
                profile.display_name,
                profile.avatar.name or "",
                profile.avatar_renditions,
                profile.avatar_formats,
            )
            if profile is not None
            else None
        ),
        (review.rating, review.title, review.body) if review is not None else None,
        [
            (
                image.pk,
                image.image.name,
                image.alt_text,
                image.width,
                image.height,
                image.renditions,
            )
            for image in images
        ],
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
                tag.image_id,
                tag.x,
                tag.y,
            )
            for tag in post.product_tags.all()
        ],
    )
    return "social:postcard:body:" + _digest(content)


def _viewer_position(context, post) -> tuple[bool, bool, bool]:
    """(signed in, author of the post, liked it): all a footer depends on besides the post's counts."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    return (
        signed_in,
        signed_in and user.pk == post.author_id,
        signed_in and bool(getattr(post, "liked_by_me", False)),
    )


def _post_footer_key(post, position: tuple[bool, bool, bool]) -> str:
    content = (
        translation.get_language(),
        post.pk,
        post.kind,
        post.author_id,
        post.like_count,
        post.comment_count,
        position,
    )
    return "social:postcard:foot:" + _digest(content)


def _render_post_body(post) -> str:
    return (
        get_template("social/partials/post_card_body.html")
        .render({"post": post, "csrf_token": CSRF_PLACEHOLDER})
        .strip()
    )


class _Viewer:
    """A stand-in user for rendering a footer variant (only what the footer reads)."""

    def __init__(self, *, signed_in: bool, pk: int | None) -> None:
        self.is_authenticated = signed_in
        self.pk = pk


def _render_post_footer(post, position: tuple[bool, bool, bool]) -> str:
    signed_in, is_author, liked = position
    viewer_pk = post.author_id if is_author else (0 if signed_in else None)
    post.liked_by_me = liked
    return (
        get_template("social/partials/post_card_footer.html")
        .render(
            {
                "post": post,
                "user": _Viewer(signed_in=signed_in, pk=viewer_pk),
                "request": _PlaceholderRequest(),
                "csrf_token": CSRF_PLACEHOLDER,
            }
        )
        .strip()
    )


def _card_parts(context, posts: list) -> dict[int, tuple[str, str]]:
    """(body, footer) of each post, from one cache round trip; missing parts are rendered and stored."""
    wanted: dict[int, tuple[str, str, tuple[bool, bool, bool]]] = {}
    for post in posts:
        position = _viewer_position(context, post)
        wanted[post.pk] = (_post_body_key(post), _post_footer_key(post, position), position)
    cached = cache.get_many([key for body, foot, _p in wanted.values() for key in (body, foot)])
    missing: dict[str, str] = {}
    parts = {}
    for post in posts:
        body_key, foot_key, position = wanted[post.pk]
        body = cached.get(body_key)
        if body is None:
            body = missing[body_key] = _render_post_body(post)
        foot = cached.get(foot_key)
        if foot is None:
            foot = missing[foot_key] = _render_post_footer(post, position)
        parts[post.pk] = (body, foot)
    if missing:
        cache.set_many(missing, POST_CARD_CACHE_SECONDS)
    return parts


@register.simple_tag(takes_context=True)
def post_card_bodies_prefetch(context, posts) -> str:
    """Fetch the parts of a page of cards in one cache round trip, for the `post_card_body` and
    `post_card_footer` tags of the cards included after this tag."""
    context[_PARTS_CONTEXT_KEY] = _card_parts(context, list(posts))
    return ""


def _card_part(context, post, index: int) -> SafeString:
    prefetched = context.get(_PARTS_CONTEXT_KEY) or {}
    parts = prefetched.get(post.pk) or _card_parts(context, [post])[post.pk]
    html = parts[index]
    html = fill_csrf(html, context.get("csrf_token"))
    if index == 1 and PATH_PLACEHOLDER in html:
        request = context.get("request")
        path = request.get_full_path() if request is not None else ""
        html = html.replace(PATH_PLACEHOLDER, urlquote(path, safe="/"))
    return mark_safe(html)  # noqa: S308 - rendered (escaped) by our templates


@register.simple_tag(takes_context=True)
def post_card_body(context, post) -> SafeString:
    """The viewer-independent part of a post card, with this response's CSRF token."""
    return _card_part(context, post, 0)


@register.simple_tag(takes_context=True)
def post_card_footer(context, post) -> SafeString:
    """The card's footer for this viewer's position (liked or not, author or not), with this response's
    CSRF token and path."""
    return _card_part(context, post, 1)


# --- the product page's posts block, shared by every shopper ---------------------------------------------
#
# Rendered once per product, posts generation (bumped by `social.services.product_posts`), catalogue version
# (prices, names, shared reviews), language and deployment; each candidate's body is stored once with its
# footer in every variant (visitor, signed in, liked, author, author who liked). Per response only the choice
# is made: which cards this viewer may see (one query, `product_posts_viewer_state`), which footer, and the
# CSRF token and path.

PRODUCT_POSTS_LIMIT = 6
PRODUCT_POSTS_BLOCK_SECONDS = 3600
# The shape of a stored block; change it with the shape (a deploy keeps Redis, and `deployment_version` covers
# templates and translations, not this code).
_BLOCK_FORMAT = 2
_CARDS_MARKER = "__socialshop_product_posts_cards__"
_FOOTER_POSITIONS: tuple[tuple[bool, bool, bool], ...] = (
    (False, False, False),
    (True, False, False),
    (True, False, True),
    (True, True, False),
    (True, True, True),
)


def _shared_card(post) -> tuple[int, int, bool, str, dict[tuple[bool, bool, bool], str]]:
    """(post id, author id, author public, card head with the body, footer per viewer position)."""
    profile = getattr(post.author, "profile", None)
    public = profile is None or not profile.is_private
    head = (
        f'<article class="post-card" id="post-{post.pk}" data-post-id="{post.pk}">\n'
        f"  {_render_post_body(post)}\n  "
    )
    footers = {position: _render_post_footer(post, position) for position in _FOOTER_POSITIONS}
    return (post.pk, post.author_id, public, head, footers)


def _shared_block(product_id: int) -> tuple[str, str, list]:
    """(head, tail, cards) of a product's block; cached under its generation when Redis is there."""
    from common.fragments import deployment_version
    from common.generations import generation_token
    from shop.selectors.categories import catalogue_cache_version
    from social.selectors.product_posts import product_posts_candidates
    from social.services.product_posts import product_posts_scope

    token = generation_token(product_posts_scope(product_id))
    key = None
    if token is not None:
        content = (
            _BLOCK_FORMAT,
            token,
            catalogue_cache_version(),
            translation.get_language(),
            deployment_version(),
        )
        key = f"social:product-posts-block:{product_id}:" + _digest(content)
        cached = cache.get(key)
        if cached is not None:
            return cached
    cards = [_shared_card(post) for post in product_posts_candidates(product_id=product_id)]
    head, _marker, tail = (
        get_template("social/partials/product_posts_block.html")
        .render({"cards": _CARDS_MARKER})
        .partition(_CARDS_MARKER)
    )
    block = (head, tail, cards)
    if key is not None:
        # An hour at most: a writer that forgets the bump (a bulk load, a raw admin edit) is bounded.
        cache.set(key, block, PRODUCT_POSTS_BLOCK_SECONDS)
    return block


@register.simple_tag(takes_context=True)
def product_posts_block(context, product) -> SafeString:
    """'What people say' for this viewer: the shared block's cards this viewer may see (blocks either way,
    private accounts only to approved followers and the author), with this viewer's footers."""
    from social.selectors.product_posts import product_posts_viewer_state

    head, tail, cards = _shared_block(product.pk)
    if not cards:
        return mark_safe("")
    user = context.get("user")
    state = product_posts_viewer_state(
        viewer=user,
        post_ids=[card[0] for card in cards],
        author_ids=sorted({card[1] for card in cards}),
        private_ids=sorted({card[1] for card in cards if not card[2]}),
    )
    shown = []
    for post_id, author_id, public, card_head, footers in cards:
        if not state.may_see(author_id=author_id, author_public=public):
            continue
        signed_in = state.viewer_id is not None
        position = (
            signed_in,
            signed_in and author_id == state.viewer_id,
            post_id in state.liked_post_ids,
        )
        shown.append(f"{card_head}{footers[position]}\n</article>")
        if len(shown) >= PRODUCT_POSTS_LIMIT:
            break
    if not shown:
        return mark_safe("")
    html = fill_csrf(head + "\n".join(shown) + tail, context.get("csrf_token"))
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    html = html.replace(PATH_PLACEHOLDER, urlquote(path, safe="/"))
    return mark_safe(html)  # noqa: S308 - rendered (escaped) by our templates
