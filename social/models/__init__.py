"""Social data, one module per sub-domain: profiles, the follow graph, posts (with likes and comments),
notifications, group buying and moderation. Import models from `social.models`."""

from social.models.graph import Block, Follow, Mute
from social.models.groupbuy import GROUP_BUY_MAX_SIZE, GROUP_BUY_MIN_SIZE, GroupBuy, GroupBuyMember
from social.models.moderation import ModerationAction, Report
from social.models.notifications import Notification
from social.models.posts import Comment, Like, Post, PostImage, PostProduct
from social.models.profiles import Profile

__all__ = [
    "GROUP_BUY_MAX_SIZE",
    "GROUP_BUY_MIN_SIZE",
    "Block",
    "Comment",
    "Follow",
    "GroupBuy",
    "GroupBuyMember",
    "Like",
    "ModerationAction",
    "Mute",
    "Notification",
    "Post",
    "PostImage",
    "PostProduct",
    "Profile",
    "Report",
]
