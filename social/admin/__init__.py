"""Django admin for social, one module per sub-domain; importing them registers their model admins."""

from social.admin import graph, groupbuy, moderation, notifications, posts, profiles

__all__ = ["graph", "groupbuy", "moderation", "notifications", "posts", "profiles"]
