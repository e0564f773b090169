"""A real `celery beat` that loses its scheduler lease stops firing at once, on a private Redis of its own.

The beat fires the heartbeat every second while it holds the lease. Then the lease is taken from it (another
holder's token written over it, as when a stalled beat's lease lapsed and a standby took it): the beat logs
that it lost the lease and sends nothing more. Then Redis itself stops: still nothing. Redis comes back with
the lease free: the beat takes it and fires again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live.conftest import ROOT, free_port, require

pytestmark = [pytest.mark.live, pytest.mark.redis]

PREFIX = f"beatdrill{os.getpid()}"
LEASE_KEY = f"{PREFIX}:lease:celery-beat"
SENT = "Sending due task beat-heartbeat"


@dataclass
class Drill:
    port: int
    tmp: Path
    log: Path
    redis: subprocess.Popen | None = None

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while self.cli("PING") != "PONG":
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.2)

    def stop_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=20)

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=10
        )
        return result.stdout.strip()

    def sends(self) -> int:
        return self.log.read_text(errors="replace").count(SENT)

    def wait_for_sends(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.sends() < count:
            assert time.monotonic() < deadline, self.log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)


@pytest.fixture
def drill(tmp_path) -> Iterator[Drill]:
    require(
        shutil.which("redis-server") is not None,
        "the drill needs redis-server (apt-get install redis)",
    )
    drill = Drill(port=free_port(), tmp=tmp_path, log=tmp_path / "beat.log")
    drill.start_redis()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("SOCIALSHOP_TESTING", None)
    env.pop("DATABASE_URL", None)
    env.update(
        REDIS_URL=f"redis://127.0.0.1:{drill.port}/0",
        REDIS_PREFIX=PREFIX,
        CELERY_QUEUE=PREFIX,
        SQLITE_PATH=str(tmp_path / "beat.sqlite3"),
        BEAT_HEARTBEAT_SECONDS="1",
        BEAT_LEASE_SECONDS="3",
        PYTHONUNBUFFERED="1",
    )
    beat = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(tmp_path / "celerybeat-schedule"),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=drill.log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield drill
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        try:
            beat.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(beat.pid, signal.SIGKILL)
        drill.stop_redis()


def test_a_beat_that_loses_its_lease_stops_firing_and_fires_again_once_it_holds_it(drill):
    drill.wait_for_sends(3, timeout=90)
    assert drill.cli("GET", LEASE_KEY)

    # Another holder's token over the lease: the beat's next renewal fails.
    drill.cli("SET", LEASE_KEY, "another-beat", "PX", "600000")
    deadline = time.monotonic() + 10
    while "lost the scheduler lease" not in drill.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, drill.log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    lost_at = drill.sends()
    time.sleep(5)
    assert drill.sends() == lost_at

    # Redis gone as well: nobody can hold the lease, nothing fires.
    drill.stop_redis()
    time.sleep(4)
    assert drill.sends() == lost_at

    # Redis back, the lease free: the beat takes it and fires again.
    drill.start_redis()
    drill.wait_for_sends(lost_at + 2, timeout=30)
    assert drill.log.read_text(errors="replace").count("took the scheduler lease") >= 2
