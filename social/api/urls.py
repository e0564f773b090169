"""The social REST API's routes (/api/v1/social/), one module per sub-domain."""

from django.urls import path

from social.api import account, explore, groupbuy, moderation, notifications, posts, profiles

urlpatterns = [
    path("feed/", posts.FeedView.as_view(), name="social-api-feed"),
    path("explore/", explore.ExploreView.as_view(), name="social-api-explore"),
    path("suggestions/", profiles.SuggestionsView.as_view(), name="social-api-suggestions"),
    path("profiles/me/", profiles.MyProfileView.as_view(), name="social-api-my-profile"),
    path("profiles/<str:username>/", profiles.ProfileView.as_view(), name="social-api-profile"),
    path(
        "profiles/<str:username>/posts/",
        posts.ProfilePostsView.as_view(),
        name="social-api-profile-posts",
    ),
    path(
        "profiles/<str:username>/follow/", profiles.FollowView.as_view(), name="social-api-follow"
    ),
    path(
        "profiles/<str:username>/followers/",
        profiles.PeopleView.as_view(which="followers"),
        name="social-api-followers",
    ),
    path(
        "profiles/<str:username>/following/",
        profiles.PeopleView.as_view(which="following"),
        name="social-api-following",
    ),
    path("profiles/<str:username>/block/", profiles.BlockView.as_view(), name="social-api-block"),
    path("profiles/<str:username>/mute/", profiles.MuteView.as_view(), name="social-api-mute"),
    path("blocks/", profiles.BlockListView.as_view(), name="social-api-blocks"),
    path(
        "follow-requests/",
        profiles.FollowRequestListView.as_view(),
        name="social-api-follow-requests",
    ),
    path(
        "follow-requests/<int:follower_id>/approve/",
        profiles.FollowRequestAnswerView.as_view(answer="approve"),
        name="social-api-follow-approve",
    ),
    path(
        "follow-requests/<int:follower_id>/decline/",
        profiles.FollowRequestAnswerView.as_view(answer="decline"),
        name="social-api-follow-decline",
    ),
    path("posts/", posts.PostListCreateView.as_view(), name="social-api-posts"),
    path(
        "posts/tag-suggestions/",
        posts.PostTagSuggestionsView.as_view(),
        name="social-api-post-tag-suggestions",
    ),
    path("posts/<int:pk>/", posts.PostDetailView.as_view(), name="social-api-post"),
    path("posts/<int:pk>/photos/", posts.PostPhotosView.as_view(), name="social-api-post-photos"),
    path("posts/<int:pk>/tags/", posts.PostTagsView.as_view(), name="social-api-post-tags"),
    path("posts/<int:pk>/like/", posts.LikeView.as_view(), name="social-api-like"),
    path(
        "posts/<int:pk>/comments/",
        posts.CommentListCreateView.as_view(),
        name="social-api-comments",
    ),
    path("comments/<int:pk>/", posts.CommentDetailView.as_view(), name="social-api-comment"),
    path(
        "notifications/",
        notifications.NotificationListView.as_view(),
        name="social-api-notifications",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.NotificationReadView.as_view(),
        name="social-api-notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.NotificationReadAllView.as_view(),
        name="social-api-notifications-read-all",
    ),
    path("privacy/", account.PrivacyView.as_view(), name="social-api-privacy"),
    path("export/", account.ExportView.as_view(), name="social-api-export"),
    path("account/delete/", account.AccountDeleteView.as_view(), name="social-api-account-delete"),
    path("group-buys/", groupbuy.GroupBuyListCreate.as_view(), name="api_groupbuy_list"),
    path("group-buys/<int:pk>/", groupbuy.GroupBuyDetail.as_view(), name="api_groupbuy_detail"),
    path("group-buys/<int:pk>/join/", groupbuy.GroupBuyJoin.as_view(), name="api_groupbuy_join"),
    path("group-buys/<int:pk>/leave/", groupbuy.GroupBuyLeave.as_view(), name="api_groupbuy_leave"),
    path("reports/", moderation.ReportCreate.as_view(), name="api_report_create"),
    path("moderation/queue/", moderation.ModerationQueue.as_view(), name="api_moderation_queue"),
    path(
        "moderation/actions/", moderation.ModerationActions.as_view(), name="api_moderation_actions"
    ),
]
