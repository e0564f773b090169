"""Help articles and other knowledge the support assistant answers from.

Admins write articles in markdown in Django admin. Only published articles are indexed; the retrieval index is
rebuilt when the newest `updated_at` or the number of published articles changes, so an edit in admin reaches
the assistant without a restart.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.translation import TranslatedManager

__all__ = ["HelpArticle", "HelpCategory"]


class HelpCategory(models.Model):
    # Per-language columns (`support/translation.py`); `objects` is `common.translation`'s manager.
    name_en: str | None
    name_zh_hans: str | None
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = TranslatedManager()  # Meta.ordering stays out of GROUP BY (common.translation)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("help category")
        verbose_name_plural = _("help categories")

    def __str__(self) -> str:
        return self.name


class HelpArticle(models.Model):
    title_en: str | None
    title_zh_hans: str | None
    body_en: str | None
    body_zh_hans: str | None
    category = models.ForeignKey(
        HelpCategory,
        related_name="articles",
        on_delete=models.PROTECT,
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    body = models.TextField(_("body (markdown)"))
    # Extra words shoppers use for this topic ("refund, money back"); indexed with the title and body.
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    published = models.BooleanField(_("published"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = TranslatedManager()  # Meta.ordering stays out of GROUP BY (common.translation)

    class Meta:
        ordering = ["category__position", "title"]
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")

    def __str__(self) -> str:
        return self.title
