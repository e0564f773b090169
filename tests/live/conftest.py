"""Live fixtures: real processes on loopback, for the tests marked `live`.

`live_stack` gives a fresh database (PostgreSQL when DATABASE_URL points at it, else a SQLite file), migrated
and seeded with `seed_demo --small`, served by a real uvicorn process. When REDIS_URL is set the stack uses Redis
(a separate database index, flushed first) as Celery broker, channel layer and cache, and runs a real Celery
worker; without Redis, Celery runs eagerly inside the server. In the stack, an unacknowledged task is redelivered
after CELERY_VISIBILITY_TIMEOUT=20 s, so a killed worker's task is retried quickly.

Missing parts (Chromium, Redis) fail in CI and skip with the reason on a developer machine.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Per test run, so that two runs on one machine never share a database, queue or channel names.
LIVE_NAME = f"socialshop_live_{os.getpid()}"
LIVE_REDIS_DB = 2


def require(condition: bool, reason: str) -> None:
    """Fail in CI, skip elsewhere: a live part that is missing must never pass silently in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason}: CI must provide it")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Below Linux's ephemeral range (32768-60999): an outgoing connection never takes a port from it, so a block
# found free stays free until a server binds it.
_BLOCK_PORTS = range(20000, 32000)


def free_port_block(count: int) -> int:
    """The first of `count` consecutive free ports (a server that takes its base port and the next ones)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(_BLOCK_PORTS.start, _BLOCK_PORTS.stop - count)
        if all(_port_free(port) for port in range(base, base + count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports in {_BLOCK_PORTS}")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for_http(
    url: str, process: subprocess.Popen, log_path: Path, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"server did not answer {url} in {timeout}s:\n{log_path.read_text()[-4000:]}"
    )


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@dataclass
class Worker:
    """A real Celery worker process (its own process group, so kill() takes its children too)."""

    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        _stop(self.process)

    def kill(self) -> None:
        """SIGKILL the whole worker, as a crashed machine would."""
        _stop(self.process, signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class LiveStack:
    url: str
    ws_url: str
    env: dict[str, str]
    tmp: Path
    uses_redis: bool
    server: subprocess.Popen | None = None
    worker: Worker | None = None
    _processes: list[subprocess.Popen] = field(default_factory=list)

    def manage(
        self, *args: str, timeout: float = 600, check: bool = True
    ) -> subprocess.CompletedProcess:
        """Run a manage.py command against the live database."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def shell(self, code: str) -> str:
        """Run Python code in `manage.py shell` against the live database; returns what it printed."""
        return self.manage("shell", "-c", code).stdout

    def start_server(
        self, port: int | None = None, ready_path: str = "/"
    ) -> tuple[str, subprocess.Popen]:
        port = port or free_port()
        log_path = self.tmp / f"uvicorn-{port}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._processes.append(process)
        url = f"http://127.0.0.1:{port}"
        _wait_for_http(url + ready_path, process, log_path)
        return url, process

    def start_worker(
        self,
        name: str = "live",
        concurrency: int = 2,
        *,
        queue: str | None = None,
        extra_env: dict[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> Worker:
        """A real worker on the stack's broker; `queue` restricts it to one queue, `extra_env` adds settings,
        `extra_args` adds command-line options (e.g. `--include` a drill's task module)."""
        require(self.uses_redis, "a live Celery worker needs Redis (set REDIS_URL)")
        log_path = self.tmp / f"celery-{name}-{time.monotonic_ns()}.log"
        queues = ["--queues", queue] if queue else []
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                *queues,
                *extra_args,
            ],
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._processes.append(process)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{log_path.read_text()[-4000:]}")
            if " ready." in log_path.read_text(errors="replace"):
                return Worker(process, log_path)
            time.sleep(0.3)
        raise RuntimeError(f"celery worker not ready in 90s:\n{log_path.read_text()[-4000:]}")

    def close(self) -> None:
        for process in reversed(self._processes):
            _stop(process)


def _live_env(tmp: Path, name: str = LIVE_NAME) -> tuple[dict[str, str], bool]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("SOCIALSHOP_TESTING", None)
    env.update(
        DJANGO_DEBUG="1",
        MEDIA_ROOT=str(tmp / "media"),
        RECSYS_ARTIFACT_DIR=str(tmp / "models"),
        CELERY_VISIBILITY_TIMEOUT="20",
        PYTHONUNBUFFERED="1",
        # Production's page cache for anonymous visitors, so the journeys cross it as real visitors do.
        EDGE_CACHE_SECONDS="60",
    )
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        import psycopg

        base, _, _ = database_url.rpartition("/")
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp / "live.sqlite3")
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
        env["REDIS_URL"] = f"{base}/{LIVE_REDIS_DB}"
        env["REDIS_PREFIX"] = name
        env["CELERY_QUEUE"] = name
        env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    else:
        env.pop("REDIS_URL", None)
    return env, bool(redis_url)


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory) -> Iterator[LiveStack]:
    tmp = tmp_path_factory.mktemp("live")
    env, uses_redis = _live_env(tmp)
    stack = LiveStack(url="", ws_url="", env=env, tmp=tmp, uses_redis=uses_redis)
    try:
        stack.manage("migrate", "--noinput")
        stack.manage(
            "createcachetable"
        )  # the rate limits' table while Redis is down (release step)
        stack.manage("seed_demo", "--small")
        if uses_redis:
            stack.worker = stack.start_worker("live")
        stack.url, stack.server = stack.start_server()
        stack.ws_url = stack.url.replace("http://", "ws://")
        yield stack
    finally:
        stack.close()
        _drop_live_database(env)


def _drop_live_database(env: dict[str, str], name: str = LIVE_NAME) -> None:
    database_url = env.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        return
    import psycopg

    maintenance = os.environ["DATABASE_URL"]
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def second_server(live_stack: LiveStack) -> str:
    """Another ASGI server process on the same database and Redis: messages must cross between the two."""
    require(live_stack.uses_redis, "two server processes share a channel layer only through Redis")
    url, _ = live_stack.start_server()
    return url


@pytest.fixture(scope="session")
def celery_worker(live_stack: LiveStack) -> Worker:
    require(live_stack.uses_redis, "a live Celery worker needs Redis (set REDIS_URL)")
    assert live_stack.worker is not None
    return live_stack.worker


@pytest.fixture
def browser():
    """Chromium for one test. Per test, not per session: the sync Playwright API keeps an asyncio loop running
    in the main thread while it lives, and later tests that call asyncio.run() (websocket clients) would fail."""
    require(
        Path(CHROMIUM).exists() and shutil.which("chromium") is not None, "needs Debian's chromium"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
