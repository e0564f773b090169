"""Request ids and JSON logs, from a web request into the Celery tasks it queues.

`RequestIdMiddleware` takes the caller's `X-Request-ID` (a proxy's `$request_id`, say) when it looks like an id,
else makes one, keeps it in a context variable for the request and returns it in the response header. Every
log record gets `request_id` (`RequestIdLogFilter`); `JsonFormatter` writes one JSON object per line. A task
queued during the request carries the id in its message headers (`install_celery_signals`), and the worker
puts it back in the context while the task runs, so the task's log lines (with `task_id`, `task_name`) share
the id of the request that caused them.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

__all__ = [
    "JsonFormatter",
    "RequestIdLogFilter",
    "RequestIdMiddleware",
    "current_request_id",
    "install_celery_signals",
]

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
task_var: ContextVar[tuple[str, str]] = ContextVar("task", default=("", ""))


def current_request_id() -> str:
    return request_id_var.get()


def _incoming_or_new(value: str | None) -> str:
    if value and _VALID_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost middleware: one id per request (see the module docstring). Async-capable: no thread hop."""

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
        token = request_id_var.set(_incoming_or_new(request.headers.get(REQUEST_ID_HEADER)))
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id_var.get()
            return response
        finally:
            request_id_var.reset(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        token = request_id_var.set(_incoming_or_new(request.headers.get(REQUEST_ID_HEADER)))
        try:
            response = await self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id_var.get()
            return response
        finally:
            request_id_var.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id`, `task_id` and `task_name` to every record (empty strings outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.task_id, record.task_name = task_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request and task ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in ("request_id", "task_id", "task_name"):
            value = getattr(record, field, "")
            if value:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def install_celery_signals() -> None:
    """Carry request ids into tasks and time every task (call once, from the Celery app module)."""
    from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun

    from common import metrics

    started: dict[str, tuple[float, Any, Any]] = {}

    @before_task_publish.connect(weak=False)
    def _add_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        request_id = request_id_var.get()
        if headers is not None and request_id and "request_id" not in headers:
            headers["request_id"] = request_id

    @task_prerun.connect(weak=False)
    def _enter_task(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
        # A worker finds the id in the message headers; an eager task keeps the request's own context.
        request_id = getattr(task.request, "request_id", None) if task is not None else None
        id_token = request_id_var.set(request_id or request_id_var.get())
        task_token = task_var.set((task_id, getattr(task, "name", "")))
        started[task_id] = (time.perf_counter(), id_token, task_token)

    @task_postrun.connect(weak=False)
    def _leave_task(task_id: str = "", task: Any = None, state: str = "", **kwargs: Any) -> None:
        entry = started.pop(task_id, None)
        if entry is None:
            return
        begun, id_token, task_token = entry
        metrics.task_finished(getattr(task, "name", ""), state, time.perf_counter() - begun)
        request_id_var.reset(id_token)
        task_var.reset(task_token)

    @task_failure.connect(weak=False)
    def _count_failure(sender: Any = None, **kwargs: Any) -> None:
        metrics.task_failed(getattr(sender, "name", ""))
