"""Shop pages, one module per sub-domain (accounts, catalog, commerce); each lists its own routes."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

__all__ = ["HtmxHttpRequest"]


class HtmxHttpRequest(HttpRequest):
    """A request that passed django-htmx's middleware (every request does): `request.htmx` is set."""

    htmx: HtmxDetails
