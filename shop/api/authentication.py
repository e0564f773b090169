"""Token authentication for the whole API (`REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`).

Kept apart from the API views: DRF imports this module while `rest_framework.views` is still loading.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import APIException

from shop import services
from shop.models import ApiToken, User

__all__ = ["ApiTokenAuthentication", "TokenRejected"]


class TokenRejected(APIException):
    """A token was sent and does not work: 401 with a `WWW-Authenticate: Token` challenge. (DRF turns its own
    AuthenticationFailed into a 403 when sessions are the first authentication class.)"""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "authentication_failed"
    auth_header = TokenAuthentication.keyword


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` checked by `shop.services.api_token_authenticate`: a revoked or expired
    token, or one issued before the password changed, is refused (401, TokenRejected). `request.auth` is the
    ApiToken, so signing out revokes exactly the caller's token."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        try:
            token = services.api_token_authenticate(key=key)
        except services.ApiTokenRejected as exc:
            raise TokenRejected(exc.reason) from None
        return token.user, token
