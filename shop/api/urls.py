"""Shop REST API under /api/v1/."""

from shop.api import accounts, catalog, catalog_csv, commerce, promotion, qa, returns, voucher

urlpatterns = [
    *catalog.urlpatterns,
    *commerce.urlpatterns,
    *voucher.urlpatterns,
    *promotion.urlpatterns,
    *returns.urlpatterns,
    *accounts.urlpatterns,
    *qa.urlpatterns,
    *catalog_csv.urlpatterns,
]
