"""Accounts: sign-up, throttled log-in, API tokens, password changes, saved shipping addresses.

API tokens: a token is issued per sign-in from a client (`api_token_issue`) and only its SHA-256 digest is stored.
It stops working when it is revoked (the client signs out), when the account's password changes by any path
(page, reset link, API, admin: the token carries a mark of the password hash it was issued under, the way Django
ties sessions to the password), when it is older than `API_TOKEN_TTL_SECONDS` (0: no expiry), and with the
account. Asking again always gives a new token.

Login throttling: every failed attempt is stored as a `LoginFailure` row keyed by the (case-folded) account name
and the client address. When either key has `LOGIN_FAILURE_LIMIT` failures inside the last
`LOGIN_FAILURE_WINDOW_SECONDS`, further attempts are refused before the password is even checked, with the same
message whether or not the account exists, so the answer never tells an attacker which names are real.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from common.errors import ServiceError
from shop.hooks import user_created
from shop.models import Address, ApiToken, LoginFailure, User

__all__ = [
    "API_TOKENS_PER_USER",
    "ApiTokenRejected",
    "IssuedApiToken",
    "api_token_authenticate",
    "api_token_issue",
    "api_token_revoke",
    "api_tokens_revoke_all",
    "user_password_change",
    "LoginThrottled",
    "login_throttle_minutes",
    "login_failure_record",
    "login_authenticate",
    "client_ip",
    "user_signup",
    "user_email_taken",
    "EMAIL_TAKEN_MESSAGE",
    "address_create",
    "address_update",
    "address_delete",
    "address_set_default",
    "ADDRESS_FIELDS",
    "address_validate",
    "text_problem",
]

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")


class LoginThrottled(ServiceError):
    """Too many failed log-ins for this account name or address (the API answers 429)."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(
            ngettext(
                "Too many failed attempts. Try again in %(minutes)d minute.",
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="rate_limited",
        )


def _username_key(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. X-Forwarded-For is not trusted: behind a proxy, set REMOTE_ADDR there."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def login_throttle_minutes(*, username: str, ip_address: str | None) -> int:
    """Minutes until another attempt is allowed; 0 when it is allowed now."""
    limit = settings.LOGIN_FAILURE_LIMIT
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    now = timezone.now()
    recent = LoginFailure.objects.filter(created_at__gte=now - window)
    wait = timedelta(0)
    keys = [Q(username=_username_key(username))]
    if ip_address:
        keys.append(Q(ip_address=ip_address))
    for key in keys:
        times = list(
            recent.filter(key).order_by("-created_at").values_list("created_at", flat=True)[:limit]
        )
        if len(times) >= limit:
            # Allowed again once the limit-th most recent failure leaves the window.
            wait = max(wait, times[limit - 1] + window - now)
    if wait <= timedelta(0):
        return 0
    return max(1, math.ceil(wait.total_seconds() / 60))


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.create(username=_username_key(username), ip_address=ip_address)
    # Old rows count for nothing; an indexed range delete keeps the table small without a periodic task.
    keep = max(settings.LOGIN_FAILURE_WINDOW_SECONDS, 3600)
    LoginFailure.objects.filter(created_at__lt=now - timedelta(seconds=keep)).delete()


def login_authenticate(*, request: HttpRequest | None, username: str, password: str) -> User | None:
    """The user for these credentials, or None. Raises LoginThrottled when over the failure limit."""
    ip_address = client_ip(request)
    minutes = login_throttle_minutes(username=username, ip_address=ip_address)
    if minutes:
        raise LoginThrottled(minutes)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failure_record(username=username, ip_address=ip_address)
        return None
    # A success forgets this account's failures (not the address's: one address guessing many names stays slow).
    LoginFailure.objects.filter(username=_username_key(username)).delete()
    return user


# --- API tokens -----------------------------------------------------------------------------------------

# Sign-ins kept per account: an older client's token goes when an account signs in from more places than this.
API_TOKENS_PER_USER = 20


class ApiTokenRejected(Exception):
    """The key names no live token (unknown, revoked, expired, issued under an old password, inactive
    account). The API answers 401; `reason` is the message."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class IssuedApiToken:
    """A newly issued token: the key is shown to the client once; `expires_at` is None without expiry."""

    key: str
    expires_at: datetime | None


def _token_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _password_mark(user: AbstractBaseUser) -> str:
    # An HMAC of the password hash (like Django's session auth hash): it changes with every password change.
    return salted_hmac("shop.api_token.password", user.password, algorithm="sha256").hexdigest()


def _token_ttl() -> timedelta | None:
    seconds = int(getattr(settings, "API_TOKEN_TTL_SECONDS", 0) or 0)
    return timedelta(seconds=seconds) if seconds > 0 else None


@transaction.atomic
def api_token_issue(*, user: User) -> IssuedApiToken:
    """A new token for a signed-in client. Tokens of this account that no longer work are removed, and only the
    newest `API_TOKENS_PER_USER` are kept."""
    mark = _password_mark(user)
    tokens = ApiToken.objects.filter(user=user)
    tokens.exclude(password_mark=mark).delete()
    ttl = _token_ttl()
    now = timezone.now()
    if ttl is not None:
        tokens.filter(created_at__lte=now - ttl).delete()
    key = secrets.token_hex(20)
    ApiToken.objects.create(
        user=user, digest=_token_digest(key), password_mark=mark, created_at=now
    )
    stale = list(
        tokens.order_by("-created_at", "-id").values_list("id", flat=True)[API_TOKENS_PER_USER:]
    )
    if stale:
        ApiToken.objects.filter(id__in=stale).delete()
    return IssuedApiToken(key=key, expires_at=now + ttl if ttl is not None else None)


def api_token_authenticate(*, key: str) -> ApiToken:
    """The live token for `key` (with its user loaded), else ApiTokenRejected. A token that has stopped working
    is removed on sight."""
    token = ApiToken.objects.select_related("user").filter(digest=_token_digest(key)).first()
    if token is None:
        raise ApiTokenRejected(_("Invalid token."))
    ttl = _token_ttl()
    if ttl is not None and token.created_at <= timezone.now() - ttl:
        token.delete()
        raise ApiTokenRejected(_("The token has expired; ask for a new one."))
    if not secrets.compare_digest(token.password_mark, _password_mark(token.user)):
        token.delete()
        raise ApiTokenRejected(_("The password has changed; ask for a new token."))
    if not token.user.is_active:
        raise ApiTokenRejected(_("User inactive or deleted."))
    return token


def api_token_revoke(*, token: ApiToken) -> None:
    """Sign one client out: its token stops working at once."""
    ApiToken.objects.filter(id=token.id).delete()


def api_tokens_revoke_all(*, user: User) -> int:
    """Sign every API client of this account out; the number of tokens revoked."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_password_change(*, user: User, password: str) -> None:
    """Set a new (already validated) password. Every API token of the account stops working; the page views
    (change and reset) go through Django's forms, whose new password hash retires the tokens the same way."""
    user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user)


# One address, one account: a password reset link must reach exactly one account. The message names no account.
EMAIL_TAKEN_MESSAGE = _lazy(
    "An account with this email address already exists. Sign in, or reset your password."
)


def user_email_taken(*, email: str) -> bool:
    """Whether another account already has this address (case-insensitively)."""
    email = (email or "").strip()
    return bool(email) and User.objects.filter(email__iexact=email).exists()


@transaction.atomic
def user_signup(*, username: str, email: str, password: str) -> User:
    """A new account. ValidationError on `email` when another account has that address."""
    if user_email_taken(email=email):
        raise ValidationError({"email": [EMAIL_TAKEN_MESSAGE]}, code="email_taken")
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    user_created.fire(user)
    return user


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text (NUL, other control characters, lone surrogates), or None."""
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return _("Text contains invalid characters.")
        if code < 32 and ch not in "\t\n\r":
            return _("Text contains control characters.")
    return None


_ADDRESS_REQUIRED = ("full_name", "line1", "city", "postal_code")


def address_validate(*, data: Mapping[str, object]) -> dict[str, str]:
    """The one address rule, for saved addresses, checkout and group buys: the cleaned values, else
    ValidationError keyed by field.

    Checked in three steps, each reporting all its fields: every value is text without control characters or
    lone surrogates; the name, street, city and postal code are filled in and the country is a two-letter code
    (empty means DE); then the model's own limits (lengths).
    """
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field in ADDRESS_FIELDS:
        value = data.get(field) or ""
        if not isinstance(value, str):
            errors[field] = [_("Enter text.")]
            continue
        problem = text_problem(value)
        if problem:
            errors[field] = [problem]
        values[field] = value.strip()
    if errors:
        raise ValidationError(errors)
    values["country"] = (values["country"] or "DE").upper()
    for field in _ADDRESS_REQUIRED:
        if not values[field]:
            errors[field] = [_("Please fill in the delivery address.")]
    if len(values["country"]) != 2 or not values["country"].isalpha():
        errors["country"] = [_("Use a two-letter country code, e.g. DE.")]
    if errors:
        raise ValidationError(errors)
    Address(**values).full_clean(exclude=["user"])
    return values


@transaction.atomic
def address_create(*, user: User, data: dict[str, Any], is_default: bool = False) -> Address:
    values = address_validate(data=data)
    first = not Address.objects.filter(user=user).exists()
    address = Address.objects.create(user=user, **values)
    if is_default or first:
        address_set_default(address=address)
    return address


@transaction.atomic
def address_update(*, address: Address, data: dict[str, Any]) -> Address:
    values = address_validate(data=data)
    for field, value in values.items():
        setattr(address, field, value)
    address.save(update_fields=list(values))
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    user_id, was_default = address.user_id, address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user_id=user_id).order_by("-created_at").first()
        if successor is not None:
            address_set_default(address=successor)


@transaction.atomic
def address_set_default(*, address: Address) -> Address:
    Address.objects.filter(user_id=address.user_id, is_default=True).exclude(id=address.id).update(
        is_default=False
    )
    Address.objects.filter(id=address.id).update(is_default=True)
    address.is_default = True
    return address
