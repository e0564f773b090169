"""Prometheus metrics from `prometheus_client` (the maintained reference exporter).

What is measured: request latency by view (`MetricsMiddleware`, labelled with the URL name, never the raw
path, so the label set stays small), Celery task durations and failures (`common.observability` signals), open
websockets (`count_websockets`, an ASGI wrapper around the websocket router), and whatever gauges the
composition root registers (`register_gauge`, e.g. the serving model version). `/metrics` (`metrics_view`)
answers only addresses in METRICS_ALLOWED_IPS (loopback by default) or a request bearing METRICS_TOKEN; the
proxy refuses the path from outside anyway.

Several processes per node (uvicorn `--workers N`, Celery's prefork children) each hold their own numbers:
set PROMETHEUS_MULTIPROC_DIR (an empty directory per node, cleared at start) and every process writes there
and the view sums them. A worker has no HTTP server; with CELERY_METRICS_PORT set it starts one
(`start_worker_exporter`).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client.core import GaugeMetricFamily

__all__ = [
    "MetricsMiddleware",
    "count_websockets",
    "metrics_view",
    "register_gauge",
    "start_worker_exporter",
    "task_failed",
    "task_finished",
]

REQUEST_LATENCY = Histogram(
    "socialshop_http_request_duration_seconds",
    "Time to answer an HTTP request, by view",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASK_DURATION = Histogram(
    "socialshop_task_duration_seconds",
    "Celery task run time, by task and final state",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800),
)
TASK_FAILURES = Counter("socialshop_task_failures_total", "Celery tasks that raised", ["task"])
OPEN_WEBSOCKETS = Gauge(
    "socialshop_open_websockets",
    "Websocket connections open on this process",
    multiprocess_mode="livesum",
)


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or "<unnamed>"


class MetricsMiddleware:
    """Times each request and labels it with its view's URL name. Async-capable: no thread hop."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def _observe(self, request: HttpRequest, response: HttpResponse, begun: float) -> None:
        REQUEST_LATENCY.labels(
            _view_label(request), request.method or "", _status_class(response.status_code)
        ).observe(time.perf_counter() - begun)

    def __call__(self, request: HttpRequest) -> Any:
        if self._is_async:
            return self.__acall__(request)
        begun = time.perf_counter()
        response = self.get_response(request)
        self._observe(request, response, begun)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        begun = time.perf_counter()
        response = await self.get_response(request)
        self._observe(request, response, begun)
        return response


def task_finished(task: str, state: str, seconds: float) -> None:
    TASK_DURATION.labels(task or "<unknown>", state or "UNKNOWN").observe(seconds)


def task_failed(task: str) -> None:
    TASK_FAILURES.labels(task or "<unknown>").inc()


def count_websockets(app: Callable) -> Callable:
    """Wrap an ASGI websocket application so that the open-socket gauge follows each connection."""

    async def counted(scope: dict[str, Any], receive: Callable, send: Callable) -> Any:
        if scope.get("type") != "websocket":
            return await app(scope, receive, send)
        OPEN_WEBSOCKETS.inc()
        try:
            return await app(scope, receive, send)
        finally:
            OPEN_WEBSOCKETS.dec()

    return counted


class _ScrapeTimeGauges:
    """Gauges read when scraped (not stored per process, so they work in multiprocess mode too)."""

    def __init__(self) -> None:
        self.readers: dict[str, tuple[str, Callable[[], float | None]]] = {}

    def collect(self) -> Any:
        for name, (documentation, read) in self.readers.items():
            try:
                value = read()
            except Exception:  # noqa: BLE001 - a failing reader must not break the scrape
                continue
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)


_scrape_time = _ScrapeTimeGauges()
DEFAULT_REGISTRY.register(_scrape_time)


def register_gauge(name: str, documentation: str, read: Callable[[], float | None]) -> None:
    """A gauge computed at scrape time by `read` (cheap reads only; None leaves it out). The composition
    root registers these (the serving model version, the last beat heartbeat)."""
    _scrape_time.readers[name] = (documentation, read)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_scrape_time)
        return registry
    return DEFAULT_REGISTRY


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if offered and hmac.compare_digest(offered, token):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in getattr(settings, "METRICS_ALLOWED_IPS", ["127.0.0.1/32", "::1/128"])
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format for allowed scrapers; a 404 for everyone else (the path stays unadvertised)."""
    if not getattr(settings, "METRICS_ENABLED", True) or not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def start_worker_exporter(port: int) -> None:
    """Serve this worker's metrics (all its pool processes' with PROMETHEUS_MULTIPROC_DIR) on `port`."""
    from prometheus_client import start_http_server

    start_http_server(port, registry=_registry())
