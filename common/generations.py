"""Small per-owner values (a cart badge, an unread count) cached until the owner's next write, without a race.

A page header shows numbers that belong to one shopper and change rarely compared with how often they are
shown; counting them costs a query each on every page. Deleting a cached count when it changes is not enough:
a request that counted just before the write commits can store the old count just after the delete, and it
would stay until it expires. So each owner has a generation token; a cached value lives under
`<scope>:<generation>`, and a write replaces the token (after commit, so nobody recounts before the new rows are
visible). A late store then lands under the old token, which nobody reads any more: the next request after a
write always counts afresh.

While Redis is down (`FailSoftRedisCache.redis_available` is False) each process would keep its own tokens,
so values are counted every time instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

__all__ = ["generation_bump", "generation_bump_on_commit", "generation_cached", "generation_token"]

T = TypeVar("T")

# Tokens outlive the values they key, so a token that expired can only be replaced once its values are gone.
GENERATION_SECONDS = 24 * 3600


def _token_key(scope: str) -> str:
    return f"gen:{scope}"


def generation_token(scope: str) -> str | None:
    """The current token of `scope`, to put in a cache key of one's own; None when values must not be cached
    (Redis down, or the token could not be stored)."""
    if not getattr(cache, "redis_available", True):
        return None
    token_key = _token_key(scope)
    token = cache.get(token_key)
    if token is None:
        # First use (or the token was evicted): a new token, so no value stored before can be read.
        cache.add(token_key, secrets.token_hex(8), GENERATION_SECONDS)
        token = cache.get(token_key)
    return str(token) if token is not None else None


def generation_cached(*, scope: str, compute: Callable[[], T], timeout: int = 300) -> T:
    """`compute()` cached for `scope` (e.g. "cart:user:12") until `generation_bump(scope)`."""
    token = generation_token(scope)
    if token is None:
        return compute()
    value_key = f"{scope}:{token}"
    missing = object()
    value = cache.get(value_key, missing)
    if value is missing:
        value = compute()
        cache.set(value_key, value, timeout)
    return value


def generation_bump(scope: str) -> None:
    """Forget every cached value of `scope` (call after the write is committed)."""
    cache.set(_token_key(scope), secrets.token_hex(8), GENERATION_SECONDS)


def generation_bump_on_commit(*scopes: str) -> None:
    """For a write inside a transaction: forget now (the writing transaction itself then reads its own rows)
    and again once it commits (a request that counted the old rows meanwhile stored under the first new
    token)."""
    from django.db import transaction

    for scope in scopes:
        generation_bump(scope)

    def bump() -> None:
        for scope in scopes:
            generation_bump(scope)

    transaction.on_commit(bump, robust=True)
