from django.urls import path

from recsys.views.dashboard import dashboard, dashboard_action
from recsys.views.onboarding import onboarding
from recsys.views.widgets import click, widget_fragment

app_name = "recsys"
urlpatterns = [
    path("widgets/<slug:widget>/", widget_fragment, name="widget"),
    path("click/", click, name="click"),
    path("onboarding/", onboarding, name="onboarding"),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/action/", dashboard_action, name="dashboard_action"),
]
