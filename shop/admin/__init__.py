"""Shop admin, one module per sub-domain (accounts, catalog, commerce, email). Catalogue writes go through
`shop.services`, so every change refreshes cached catalogue pages the same way as the site's own writes."""

from shop.admin import accounts, catalog, commerce, email, qa, returns, variants, voucher

__all__ = ["accounts", "catalog", "commerce", "email", "qa", "returns", "variants", "voucher"]
