"""Shop pages. Each view module lists its own routes; they all share the `shop` namespace."""

from shop.views import accounts, catalog, commerce, qa, returns, voucher

app_name = "shop"
urlpatterns = [
    *catalog.urlpatterns,
    *commerce.urlpatterns,
    *voucher.urlpatterns,
    *returns.urlpatterns,
    *accounts.urlpatterns,
    *qa.urlpatterns,
]
