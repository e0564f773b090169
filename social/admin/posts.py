"""Admin for posts (with pictures and tagged products), comments and likes. User text is shown escaped."""

from __future__ import annotations

from django.contrib import admin

from social.models import Comment, Like, Post, PostImage, PostProduct


class PostImageInline(admin.TabularInline):
    model = PostImage
    extra = 0


class PostProductInline(admin.TabularInline):
    model = PostProduct
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "author",
        "kind",
        "short_body",
        "like_count",
        "comment_count",
        "is_hidden",
        "created_at",
    ]
    list_filter = ["kind", "is_hidden"]
    search_fields = ["author__username", "body"]
    raw_id_fields = ["author", "order", "review"]
    readonly_fields = ["like_count", "comment_count"]
    inlines = [PostImageInline, PostProductInline]
    date_hierarchy = "created_at"

    @admin.display(description="text")
    def short_body(self, post: Post) -> str:
        return post.body[:80]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "author", "parent", "is_hidden", "created_at"]
    list_filter = ["is_hidden"]
    search_fields = ["author__username", "body"]
    raw_id_fields = ["post", "author", "parent"]


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ["post", "user", "created_at"]
    raw_id_fields = ["post", "user"]
