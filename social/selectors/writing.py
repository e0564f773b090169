"""Writing help for posts: the products a shopper may tag that their text speaks of, and hashtags from those
products' tags. Retrieval by shared words (English and Chinese, `shop.services.text_analysis`) over the
products' names, categories and tags; the shopper confirms each suggestion (nothing is tagged for them).

Only products the shopper bought (and that are still sold) are suggested: the same set the post form offers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shop.models import Product, User
from shop.selectors import purchased_product_ids
from shop.services.text_analysis import content_tokens

__all__ = ["TagSuggestions", "post_tag_suggestions"]

MAX_PRODUCTS = 5
MAX_HASHTAGS = 5
TEXT_MAX_CHARS = 5000


@dataclass(frozen=True)
class TagSuggestions:
    products: list[Product] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)


def post_tag_suggestions(*, user: User, text: str) -> TagSuggestions:
    """Products the shopper bought whose name, category or tags share words with `text` (most shared first),
    and those products' tags as hashtags the text does not have yet. Three queries at most."""
    words = set(content_tokens((text or "")[:TEXT_MAX_CHARS]))
    if not words:
        return TagSuggestions()
    bought = purchased_product_ids(user_id=user.pk)
    if not bought:
        return TagSuggestions()
    products = list(
        Product.objects.filter(pk__in=bought, is_active=True)
        .select_related("category")
        .prefetch_related("tags")
    )
    scored = []
    for product in products:
        tag_names = [tag.name for tag in product.tags.all()]
        vocabulary = set(
            content_tokens(" ".join([product.name, product.category.name, *tag_names]))
        )
        shared = len(words & vocabulary)
        if shared:
            scored.append((shared, product.name.lower(), product))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen = [product for _shared, _name, product in scored[:MAX_PRODUCTS]]
    present = {word.lower() for word in (text or "").split() if word.startswith("#")}
    hashtags: list[str] = []
    for product in chosen:
        for tag in product.tags.all():
            hashtag = "#" + tag.slug.replace("-", "")
            if hashtag.lower() not in present and hashtag not in hashtags:
                hashtags.append(hashtag)
    return TagSuggestions(products=chosen, hashtags=hashtags[:MAX_HASHTAGS])
