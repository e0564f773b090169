"""Shop REST API, one module per sub-domain (accounts, catalog, commerce); `shop/api/urls.py` wires them."""

from rest_framework.request import Request

from shop.models import User

__all__ = ["SignedInRequest"]


class SignedInRequest(Request):
    """The request of an `IsAuthenticated` API view: `request.user` is a shopper's account, for the type
    checker."""

    user: User
