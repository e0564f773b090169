"""Help articles in every interface language (django-modeltranslation; see `shop.translation`)."""

from modeltranslation.translator import TranslationOptions, register

from support.models import HelpArticle, HelpCategory


@register(HelpCategory)
class HelpCategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(HelpArticle)
class HelpArticleTranslation(TranslationOptions):
    fields = ("title", "body")
