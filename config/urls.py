from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

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

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Under /api/ every error is JSON, whichever layer refused the request (common/error_pages.py).
handler400 = "common.error_pages.bad_request"
handler403 = "common.error_pages.permission_denied"
handler404 = "common.error_pages.page_not_found"
handler500 = "common.error_pages.server_error"
