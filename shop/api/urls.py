"""Shop REST API under /api/v1/."""

from shop.api import accounts, catalog, commerce, qa

urlpatterns = [*catalog.urlpatterns, *commerce.urlpatterns, *accounts.urlpatterns, *qa.urlpatterns]
