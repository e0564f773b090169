"""Admin for the social graph, posts and notifications. User text is shown escaped (Django's default)."""

from django.contrib import admin

from social.models import (
    Block,
    Comment,
    Follow,
    Like,
    Mute,
    Notification,
    Post,
    PostImage,
    PostProduct,
    Profile,
)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "is_private", "show_in_suggestions", "suspended_until"]
    list_filter = ["is_private", "personalise_recommendations", "show_in_suggestions"]
    search_fields = ["user__username", "display_name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["favourite_categories"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followee", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["follower__username", "followee__username"]
    raw_id_fields = ["follower", "followee"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__username", "blocked__username"]
    raw_id_fields = ["blocker", "blocked"]


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ["muter", "muted", "created_at"]
    search_fields = ["muter__username", "muted__username"]
    raw_id_fields = ["muter", "muted"]


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "message", "read_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "message"]
    raw_id_fields = ["recipient", "actor"]


# Group buying and moderation (social-community) register their models in their own module.
from social import admin_community  # noqa: E402, F401
