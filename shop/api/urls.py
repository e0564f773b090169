"""Shop REST API under /api/v1/."""

from shop.api import accounts, catalog, catalog_csv, commerce

urlpatterns = [
    *catalog.urlpatterns,
    *commerce.urlpatterns,
    *accounts.urlpatterns,
    *catalog_csv.urlpatterns,
]
