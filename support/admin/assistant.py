"""Django admin for help articles: staff write markdown and see the rendered, sanitised preview."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from support.assistant.rendering import render_markdown
from support.models import HelpArticle, HelpCategory


@admin.register(HelpCategory)
class HelpCategoryAdmin(TranslationAdmin):
    list_display = ["name", "slug", "position", "article_count"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ["name_en", "name_zh_hans"]

    @admin.display(description=_("articles"))
    def article_count(self, obj: HelpCategory) -> int:
        return obj.articles.count()


@admin.register(HelpArticle)
class HelpArticleAdmin(TranslationAdmin):
    list_display = ["title", "category", "published", "updated_at"]
    list_filter = ["published", "category"]
    list_select_related = ["category"]
    search_fields = ["title_en", "title_zh_hans", "body_en", "body_zh_hans", "keywords"]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ["preview", "updated_at"]
    fields = ["title", "slug", "category", "keywords", "published", "body", "preview", "updated_at"]
    actions = ["publish", "unpublish"]

    @admin.display(description=_("preview"))
    def preview(self, obj: HelpArticle) -> str:
        if not obj.pk:
            return str(_("Save the article to see the preview."))
        return format_html('<div class="help-article-preview">{}</div>', render_markdown(obj.body))

    @admin.action(description=_("Publish selected articles"))
    def publish(self, request, queryset) -> None:
        # save() per row (not update()) so updated_at moves and the assistant's index is rebuilt.
        for article in queryset:
            article.published = True
            article.save(update_fields=["published", "updated_at"])

    @admin.action(description=_("Unpublish selected articles"))
    def unpublish(self, request, queryset) -> None:
        for article in queryset:
            article.published = False
            article.save(update_fields=["published", "updated_at"])
