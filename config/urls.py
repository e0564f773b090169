import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.media import private_media, public_media

api_v1 = [
    path("", include("shop.api_urls")),
    path("social/", include("social.api_urls")),
    path("recs/", include("recsys.api_urls")),
    path("support/", include("support.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
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
    *urlpatterns,
]
