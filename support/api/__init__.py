"""The support chat API under /api/v1/support/ (the HTTP fallback of the websocket and the console's actions),
one module per sub-domain, the same names as in support.services; routes in support/api/urls.py."""
