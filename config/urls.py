import re

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.health import healthz, readyz
from common.media import private_media, public_media
from common.metrics import metrics_view, register_gauge
from common.middleware import allow_inline_styles
from config.celery import BEAT_HEARTBEAT_KEY
from recsys.selectors import serving_version

api_v1 = [
    path("", include("shop.api.urls")),
    path("social/", include("social.api.urls")),
    path("recs/", include("recsys.api.urls")),
    path("support/", include("support.api.urls")),
]


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every site (also for plain error pages and the API): the logo's icon."""
    response = redirect(static("img/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the docs need no inline script (CSP).
    path(
        "api/docs/",
        allow_inline_styles(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("social/", include("social.urls")),
    path("recs/", include("recsys.urls")),
    path("support/", include("support.urls")),
    path("", include("shop.urls")),
]

# Operations (issue 18): stored files on every node and in production, probes, metrics. Before the apps'
# catch-all patterns so that nothing shadows them.
urlpatterns = [
    re_path(
        r"^" + re.escape(settings.MEDIA_URL.lstrip("/")) + r"(?P<path>.+)$",
        public_media,
        name="public-media",
    ),
    path("private-media/<str:token>/", private_media, name="private-media"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    *urlpatterns,
]


def _serving_model_version() -> float | None:
    version = serving_version()
    return float(version.pk) if version is not None else None


register_gauge(
    "socialshop_serving_model_version",
    "Id of the recommender model version being served",
    _serving_model_version,
)
register_gauge(
    "socialshop_beat_last_heartbeat_timestamp_seconds",
    "When the one scheduler last fired its heartbeat task (Unix time)",
    lambda: cache.get(BEAT_HEARTBEAT_KEY),
)

# Under /api/ every error is JSON, whichever layer refused the request (common/error_pages.py).
handler400 = "common.error_pages.bad_request"
handler403 = "common.error_pages.permission_denied"
handler404 = "common.error_pages.page_not_found"
handler500 = "common.error_pages.server_error"
