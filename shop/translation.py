"""Catalogue content in every interface language (django-modeltranslation).

Each registered field gets a column per language (`name_en`, `name_zh_hans`) on the same table, so a product card
still costs one row and no join; reading `product.name` gives the visitor's language, falling back to English.
Search looks at every language's column (`shop.selectors.catalog`).
"""

from modeltranslation.translator import TranslationOptions, register

from shop.models import Category, Product


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")
