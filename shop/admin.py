"""Admin registrations live per area: shop/admin_catalog.py and shop/admin_commerce.py."""

from shop import admin_catalog, admin_commerce  # noqa: F401
