import importlib

from django.urls import path

from social import views

app_name = "social"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("tags/<str:tag>/", views.tag, name="tag"),
    path("people/<str:username>/", views.profile, name="profile"),
    path("people/<str:username>/followers/", views.followers, name="followers"),
    path("people/<str:username>/following/", views.following, name="following"),
    path("people/<str:username>/follow/", views.follow, name="follow"),
    path("people/<str:username>/unfollow/", views.unfollow, name="unfollow"),
    path("people/<str:username>/block/", views.block, name="block"),
    path("people/<str:username>/unblock/", views.unblock, name="unblock"),
    path("people/<str:username>/mute/", views.mute, name="mute"),
    path("people/<str:username>/unmute/", views.unmute, name="unmute"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("requests/", views.follow_requests, name="follow_requests"),
    path(
        "requests/<int:follower_id>/<str:answer>/",
        views.follow_request_answer,
        name="follow_request_answer",
    ),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:pk>/like/", views.like, name="like"),
    path("posts/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("orders/<str:number>/share/", views.order_share, name="order_share"),
    path("reviews/<int:pk>/share/", views.review_share, name="review_share"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export/", views.data_export, name="export"),
    path("privacy/delete/", views.account_delete, name="account_delete"),
]

# Group buying and moderation (social-community) keep their routes beside their views, in this namespace.
for _module_name in ("social.views_groupbuy", "social.views_moderation"):
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as error:
        if error.name != _module_name:
            raise
        continue
    urlpatterns += getattr(_module, "urlpatterns", [])
