"""Accounts: sign-up, throttled log-in, saved shipping addresses.

Login throttling: every failed attempt is stored as a `LoginFailure` row keyed by the (case-folded) account name
and the client address. When either key has `LOGIN_FAILURE_LIMIT` failures inside the last
`LOGIN_FAILURE_WINDOW_SECONDS`, further attempts are refused before the password is even checked, with the same
message whether or not the account exists, so the answer never tells an attacker which names are real.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.errors import ServiceError
from shop.hooks import user_created
from shop.models import Address, LoginFailure, User

__all__ = [
    "LoginThrottled",
    "login_throttle_minutes",
    "login_failure_record",
    "login_authenticate",
    "client_ip",
    "user_signup",
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


@transaction.atomic
def user_signup(*, username: str, email: str, password: str) -> User:
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
