"""Social pages, one module per sub-domain (the same names as in services/ and selectors/). Each view parses
input, calls one selector or service and renders; the rules live in services and selectors."""
