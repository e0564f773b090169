"""Shop REST API under /api/v1/."""

from shop.api import accounts, catalog, commerce, returns, voucher

urlpatterns = [
    *catalog.urlpatterns,
    *commerce.urlpatterns,
    *voucher.urlpatterns,
    *returns.urlpatterns,
    *accounts.urlpatterns,
]
