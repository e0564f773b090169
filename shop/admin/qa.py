"""Admin for product questions and answers (hide/show, like reviews) and the read-only review highlights.
Reports on them are handled in social's one moderation queue; this is the staff's direct view."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shop import services
from shop.models import Answer, Question, ReviewHighlight


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("author", "body", "verified_buyer", "helpful_count", "is_hidden", "created_at")
    readonly_fields = ("author", "verified_buyer", "helpful_count", "created_at")
    show_change_link = True


class HideActions:
    @admin.action(description=_("Hide selected"))
    def hide(self, request, queryset) -> None:
        queryset.update(is_hidden=True)

    @admin.action(description=_("Show selected again"))
    def unhide(self, request, queryset) -> None:
        queryset.update(is_hidden=False)


@admin.register(Question)
class QuestionAdmin(HideActions, admin.ModelAdmin):
    list_display = ("body", "product", "author", "is_hidden", "created_at")
    list_filter = ("is_hidden",)
    search_fields = ("body", "product__name", "author__username")
    list_select_related = ("product", "author")
    raw_id_fields = ("product", "author")
    readonly_fields = ("suggestion", "created_at")
    inlines = [AnswerInline]
    actions = ["hide", "unhide", "recompute_suggestion"]

    @admin.action(description=_("Recompute the automatic answer"))
    def recompute_suggestion(self, request, queryset) -> None:
        for question_id in queryset.values_list("id", flat=True):
            services.question_suggestion_refresh(question_id=question_id)


@admin.register(Answer)
class AnswerAdmin(HideActions, admin.ModelAdmin):
    list_display = ("body", "question", "author", "verified_buyer", "helpful_count", "is_hidden")
    list_filter = ("is_hidden", "verified_buyer")
    search_fields = ("body", "author__username", "question__body")
    list_select_related = ("question", "author")
    raw_id_fields = ("question", "author")
    readonly_fields = ("verified_buyer", "helpful_count", "created_at")
    actions = ["hide", "unhide"]


@admin.register(ReviewHighlight)
class ReviewHighlightAdmin(admin.ModelAdmin):
    list_display = ("product", "aspect", "positive", "negative", "computed_at")
    list_filter = ("aspect",)
    search_fields = ("product__name",)
    list_select_related = ("product",)
    readonly_fields = ("product", "aspect", "positive", "negative", "passages", "computed_at")
    actions = ["recompute"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Recompute from the reviews now"))
    def recompute(self, request, queryset) -> None:
        for product_id in set(queryset.values_list("product_id", flat=True)):
            services.review_highlights_refresh(product_id=product_id)
