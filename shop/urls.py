"""Shop pages. Each view module lists its own routes; they all share the `shop` namespace."""

from shop.views import accounts, catalog, commerce, qa

app_name = "shop"
urlpatterns = [*catalog.urlpatterns, *commerce.urlpatterns, *accounts.urlpatterns, *qa.urlpatterns]
