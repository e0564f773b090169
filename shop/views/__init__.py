"""Shop pages, one module per sub-domain (accounts, catalog, commerce); each lists its own routes."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from shop.models import User

__all__ = ["HtmxHttpRequest", "SignedInHttpRequest"]


class HtmxHttpRequest(HttpRequest):
    """A request that passed django-htmx's middleware (every request does): `request.htmx` is set."""

    htmx: HtmxDetails


class SignedInHttpRequest(HtmxHttpRequest):
    """The request of a `login_required` view: `request.user` is a shopper's account, for the type checker."""

    user: User
