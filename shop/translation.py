"""Catalogue content in every interface language (django-modeltranslation): categories, products, attribute
names and values, and the variant names derived from them.

Each registered field gets a column per language (`name_en`, `name_zh_hans`) on the same table, so a product card
still costs one row and no join; reading `product.name` gives the visitor's language, falling back to English.
Search looks at every language's column (`shop.selectors.catalog`).
"""

from modeltranslation.translator import TranslationOptions, register

from shop.models import Attribute, AttributeValue, Category, Product, ProductVariant


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Attribute)
class AttributeTranslation(TranslationOptions):
    fields = ("name",)


@register(AttributeValue)
class AttributeValueTranslation(TranslationOptions):
    fields = ("value",)


@register(ProductVariant)
class ProductVariantTranslation(TranslationOptions):
    # "M / Navy" is derived from the values; stored per language (`shop.services.variants`).
    fields = ("name",)
