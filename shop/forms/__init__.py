"""Shop forms, one module per sub-domain (accounts, catalog, commerce)."""
