"""Run one action from many threads at once (PostgreSQL concurrency tests): each thread waits at a barrier,
then records ("ok", result), (code, message) for a refused rule, or ("error", repr) for anything else."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

from common.errors import ServiceError


def race(count: int, action: Callable[[int], object]) -> list[tuple[str, str]]:
    start = threading.Barrier(count)
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            start.wait()
            try:
                outcome = ("ok", str(action(index)))
            except ServiceError as exc:
                outcome = (exc.code, exc.message)
            except Exception as exc:  # noqa: BLE001 - recorded and asserted on by the caller
                outcome = ("error", repr(exc))
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
