"""Probes for a load balancer or an orchestrator.

`/healthz` says the process is alive and touches nothing else (a restart would not help a dead database).
`/readyz` says whether this node can serve: the database answers `SELECT 1`, Redis answers PING (when
configured) and the file store answers a HEAD; otherwise 503 with the failing part named, so the balancer
takes the node out until it recovers. `ProbeMiddleware`, placed first, answers both before host validation
and the HTTPS redirect: balancers probe nodes by address, over plain HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from common.storage import storage_is_reachable

__all__ = ["ProbeMiddleware", "healthz", "readiness", "readyz"]

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readyz: database not reachable (%s)", exc)
        return False
    return True


def _redis() -> bool | None:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        logger.warning("readyz: Redis not reachable (%s)", exc)
        return False


def readiness() -> dict[str, str]:
    """Each dependency as "ok", "unavailable" or "not configured"."""
    results = {"database": _database(), "redis": _redis(), "storage": storage_is_reachable()}
    return {
        part: "not configured" if ok is None else ("ok" if ok else "unavailable")
        for part, ok in results.items()
    }


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    failed = sorted(part for part, state in checks.items() if state == "unavailable")
    body: dict[str, Any] = {"status": "unavailable" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200, headers={"Cache-Control": "no-store"})


class ProbeMiddleware:
    """Answers /healthz and /readyz first (see the module docstring). Async-capable."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self._is_async:
            return self.__acall__(request)
        if request.path == "/healthz":
            return healthz(request)
        if request.path == "/readyz":
            return readyz(request)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return healthz(request)
        if request.path == "/readyz":
            return await sync_to_async(readyz)(request)
        return await self.get_response(request)
