from django.urls import path

from support import views

app_name = "support"
urlpatterns = [
    path("start/", views.start, name="start"),
    path("console/", views.console, name="console"),
    path("console/<int:conversation_id>/context/", views.console_context, name="console_context"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
