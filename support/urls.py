from django.urls import path

from support.views import console, conversations, dashboard

app_name = "support"
urlpatterns = [
    path("start/", conversations.start, name="start"),
    path("console/", console.console, name="console"),
    path("console/<int:conversation_id>/context/", console.console_context, name="console_context"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
