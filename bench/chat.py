"""Support chat delivery benchmark: websocket clients on loopback against a real uvicorn on channels-redis.

500 connected clients (250 conversations, each with its shopper and a moderator socket; 50 moderators with 5
conversations each), shoppers send 200 messages per second in total for a bounded time. For every message we
record when it was sent and when each of the two sockets of its conversation received it (`message.new`), then
count: messages stored in the database vs sent, deliveries received vs expected (2 per message), and the
delivery latency percentiles (send -> receipt at the moderator's socket, and at the sender's own socket).

Prints the figures and writes them to docs/benchmarks.md under "## Support chat (issue 5)".

Rerun: `.venv/bin/python bench/chat.py` (PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379; options:
--clients 500 --rate 200 --seconds 20 --workers 2 --rounds 3).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from _docs import write_section  # noqa: E402

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
HEADING = "## Support chat (issue 5)"
DB_NAME = "socialshop_chatbench"
PG_BASE = os.environ.get("BENCH_PG_BASE", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")


def bench_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=f"{PG_BASE}/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        REDIS_PREFIX=f"chatbench{os.getpid()}",
        CELERY_QUEUE=f"chatbench{os.getpid()}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        # 20 per 10 s per user is the production default; the benchmark's senders stay well below it.
        SUPPORT_AUTO_ASSIGN="0",
    )
    return env


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SETUP = """
import json
from django.contrib.auth.models import Group
from django.test import Client
from shop.models import User
from support import services
from support.models import Conversation, Message
Message.objects.all().delete()
Conversation.objects.all().delete()
group, _ = Group.objects.get_or_create(name="moderators")
pairs = []
moderators = []
for m in range(MODERATORS):
    user, _ = User.objects.get_or_create(username=f"benchmod{m}", defaults={"is_staff": True})
    user.groups.add(group)
    moderators.append(user)
for n in range(CONVERSATIONS):
    shopper, _ = User.objects.get_or_create(username=f"benchshopper{n}")
    moderator = moderators[n % MODERATORS]
    conversation = services.conversation_start(user=shopper, session_key=None)
    services.conversation_claim(conversation=conversation, moderator=moderator)
    pairs.append((conversation.id, shopper, moderator))
sessions = {}
def session_of(user):
    if user.id not in sessions:
        client = Client()
        client.force_login(user)
        sessions[user.id] = client.cookies["sessionid"].value
    return sessions[user.id]
print("JSON" + json.dumps([[cid, session_of(s), session_of(m)] for cid, s, m in pairs]))
"""


def prepare(env: dict[str, str], conversations: int, moderators: int) -> list[list]:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    manage(env, "migrate", "--noinput")
    code = SETUP.replace("MODERATORS", str(moderators)).replace("CONVERSATIONS", str(conversations))
    out = manage(env, "shell", stdin=code)
    line = next(line for line in out.splitlines() if line.startswith("JSON"))
    return json.loads(line[4:])


FACTS = """
import importlib.util
from django.conf import settings
layer = settings.CHANNEL_LAYERS["default"]
config = layer.get("CONFIG", {})
pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool") or {}
print("FACTS", layer["BACKEND"].rsplit(".", 1)[-1], config.get("capacity", 100), config.get("expiry", 60),
      pool.get("max_size", "no pool") if isinstance(pool, dict) else "default",
      "hiredis" if importlib.util.find_spec("hiredis") else "pure-Python")
"""


def server_facts(env: dict[str, str]) -> str:
    """The settings the server runs with that decide delivery: channel layer capacity and expiry, DB pool."""
    out = manage(env, "shell", "-c", FACTS)
    backend, capacity, expiry, pool, parser = next(
        line for line in out.splitlines() if line.startswith("FACTS ")
    ).split()[1:]
    return (
        f"channel layer {backend} (capacity {capacity} per process channel, expiry {expiry} s), "
        f"database pool of at most {pool} connections per process, redis-py {parser} parser"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
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
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/", timeout=5):
                return process, port
        except OSError:
            time.sleep(0.3)
    raise SystemExit("uvicorn did not start")


def stop_server(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def cpu_seconds(*, children_of: int | None = None, cmdline_has: str | None = None) -> float:
    """utime + stime (seconds) from /proc of the process `children_of` and its children (the uvicorn supervisor
    and its workers), or of every process whose command line contains `cmdline_has` (the PostgreSQL backends
    serving the benchmark's database). CPU time, unlike latency, barely moves when others load the machine."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if cmdline_has is not None:
                matched = cmdline_has.encode() in Path(f"/proc/{entry}/cmdline").read_bytes()
            else:
                matched = children_of in (int(entry), int(stat[1]))
        except (OSError, ValueError):
            continue
        if matched:
            ticks += int(stat[11]) + int(stat[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    sent: int = 0
    send_errors: int = 0
    error_frames: int = 0
    sent_at: dict[str, float] = field(default_factory=dict)
    to_moderator: list[float] = field(default_factory=list)
    to_sender: list[float] = field(default_factory=list)
    deliveries: int = 0
    connect_failures: int = 0
    stored: int = 0
    send_seconds: float = 0.0
    reconnects: int = 0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    load_before: float = 0.0

    def cpu_ms_per_message(self, seconds: float) -> float:
        return seconds / self.sent * 1000 if self.sent else float("nan")


class Participant:
    """One websocket client behaving like static/js/support_socket.js: on any disconnect it reconnects, asks
    for everything after the last id it holds (`sync`) and resends its unacknowledged messages (same client_id,
    stored once)."""

    def __init__(self, result: Round, base: str, origin: str, cid: int, session: str, role: str):
        self.result, self.base, self.origin = result, base, origin
        self.cid, self.session, self.role = cid, session, role
        self.ws: ClientConnection | None = None
        self.last_id = 0
        self.seen: set[int] = set()
        self.pending: dict[str, str] = {}
        self.stopped = False
        self.connected = asyncio.Event()
        self.reconnects = 0

    async def run(self) -> None:
        import websockets
        from websockets.typing import Origin

        first = True
        while not self.stopped:
            try:
                self.ws = await websockets.connect(
                    f"{self.base}{self.cid}/",
                    origin=Origin(self.origin),
                    additional_headers={"Cookie": f"sessionid={self.session}"},
                    open_timeout=30,
                    max_queue=None,
                )
            except Exception:  # noqa: BLE001 - retried like the browser does
                await asyncio.sleep(0.5)
                continue
            if not first:
                self.reconnects += 1
            first = False
            self.connected.set()
            try:
                await self.ws.send(json.dumps({"type": "sync", "after_id": self.last_id}))
                for client_id, body in list(self.pending.items()):
                    await self.ws.send(
                        json.dumps({"type": "message.send", "client_id": client_id, "body": body})
                    )
                async for raw in self.ws:
                    self.on_frame(json.loads(raw), time.perf_counter())
            except websockets.ConnectionClosed:
                pass
            finally:
                self.connected.clear()
            if not self.stopped:
                await asyncio.sleep(0.2)

    def on_frame(self, frame: dict, now: float) -> None:
        if frame.get("type") == "error":
            self.result.error_frames += 1
        if frame.get("type") != "message.new" or frame["id"] in self.seen:
            return
        self.seen.add(frame["id"])
        self.last_id = max(self.last_id, frame["id"])
        client_id = frame.get("client_id", "")
        self.pending.pop(client_id, None)
        sent = self.result.sent_at.get(client_id)
        if sent is None:
            return
        self.result.deliveries += 1
        target = self.result.to_moderator if self.role == "moderator" else self.result.to_sender
        target.append((now - sent) * 1000)

    async def send(self, client_id: str, body: str) -> None:
        self.pending[client_id] = body
        if self.connected.is_set() and self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.send(
                    json.dumps({"type": "message.send", "client_id": client_id, "body": body})
                )

    async def stop(self) -> None:
        self.stopped = True
        if self.ws is not None:
            await self.ws.close()


async def run_round(
    port: int, pairs: list[list], *, rate: float, seconds: float, tag: str, server_pid: int
) -> Round:
    result = Round()
    origin = f"http://127.0.0.1:{port}"
    base = f"ws://127.0.0.1:{port}/ws/support/"
    shoppers: list[Participant] = []
    everyone: list[Participant] = []
    tasks = []
    # Connect in batches so the handshake burst stays realistic.
    for start in range(0, len(pairs), 25):
        batch = []
        for cid, shopper_session, moderator_session in pairs[start : start + 25]:
            shopper = Participant(result, base, origin, cid, shopper_session, "shopper")
            moderator = Participant(result, base, origin, cid, moderator_session, "moderator")
            shoppers.append(shopper)
            batch += [shopper, moderator]
        everyone += batch
        tasks += [asyncio.create_task(p.run()) for p in batch]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in batch)), timeout=60)
    result.connect_failures = sum(not p.connected.is_set() for p in everyone)
    await asyncio.sleep(1.0)

    total = int(rate * seconds)
    result.load_before = os.getloadavg()[0]
    server_cpu = cpu_seconds(children_of=server_pid)
    database_cpu = cpu_seconds(cmdline_has=DB_NAME)
    began = time.perf_counter()
    for n in range(total):
        target = began + n / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        client_id = f"{tag}-{n}"
        result.sent_at[client_id] = time.perf_counter()
        await shoppers[n % len(shoppers)].send(client_id, f"msg {n}")
        result.sent += 1
    result.send_seconds = time.perf_counter() - began
    # Let the stragglers arrive (and reconnected clients catch up through `sync`).
    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline and result.deliveries < 2 * result.sent:
        await asyncio.sleep(0.2)
    result.server_cpu = cpu_seconds(children_of=server_pid) - server_cpu
    result.database_cpu = cpu_seconds(cmdline_has=DB_NAME) - database_cpu
    result.reconnects = sum(p.reconnects for p in everyone)
    for participant in everyone:
        await participant.stop()
    for task in tasks:
        task.cancel()
    return result


def count_stored(env: dict[str, str], tag: str) -> int:
    out = manage(
        env,
        "shell",
        "-c",
        "from support.models import Message\n"
        f"print('N', Message.objects.filter(client_id__startswith='{tag}-').count())",
    )
    return int(next(line for line in out.splitlines() if line.startswith("N ")).split()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    env = bench_env()
    conversations = args.clients // 2
    moderators = max(1, conversations // 5)
    print(f"preparing {conversations} conversations, {moderators} moderators ...", flush=True)
    pairs = prepare(env, conversations, moderators)
    facts = server_facts(env)
    process, port = start_server(env, args.workers)
    rounds: list[Round] = []
    try:
        for number in range(1, args.rounds + 1):
            tag = f"b{int(time.time())}r{number}"
            result = asyncio.run(
                run_round(
                    port,
                    pairs,
                    rate=args.rate,
                    seconds=args.seconds,
                    tag=tag,
                    server_pid=process.pid,
                )
            )
            result.stored = count_stored(env, tag)
            rounds.append(result)
            lost = 2 * result.sent - result.deliveries
            print(
                f"round {number}: sent {result.sent} in {result.send_seconds:.1f}s, stored {result.stored}, "
                f"deliveries {result.deliveries}/{2 * result.sent} (lost {lost}), "
                f"to moderator p50 {pct(result.to_moderator, 50):.1f} ms p95 {pct(result.to_moderator, 95):.1f} ms "
                f"p99 {pct(result.to_moderator, 99):.1f} ms; to sender p95 {pct(result.to_sender, 95):.1f} ms; "
                f"connect failures {result.connect_failures}, reconnects {result.reconnects}, "
                f"error frames {result.error_frames}; CPU per message: server "
                f"{result.cpu_ms_per_message(result.server_cpu):.2f} ms, PostgreSQL "
                f"{result.cpu_ms_per_message(result.database_cpu):.2f} ms; "
                f"load average {result.load_before:.1f} -> {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        stop_server(process)

    import uvicorn

    p50 = statistics.median(pct(r.to_moderator, 50) for r in rounds)
    p95 = statistics.median(pct(r.to_moderator, 95) for r in rounds)
    p99 = statistics.median(pct(r.to_moderator, 99) for r in rounds)
    p95_sender = statistics.median(pct(r.to_sender, 95) for r in rounds)
    server_ms = statistics.median(r.cpu_ms_per_message(r.server_cpu) for r in rounds)
    database_ms = statistics.median(r.cpu_ms_per_message(r.database_cpu) for r in rounds)
    lost_total = sum(2 * r.sent - r.deliveries for r in rounds)
    sent_total = sum(r.sent for r in rounds)
    stored_total = sum(r.stored for r in rounds)
    connected = args.clients - max(r.connect_failures for r in rounds)
    met = "met" if p95 < 100 and lost_total == 0 and stored_total == sent_total else "NOT met"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    per_round = "; ".join(
        f"round {i}: p95 {pct(r.to_moderator, 95):.1f} ms, stored {r.stored}/{r.sent}, "
        f"delivered {r.deliveries}/{2 * r.sent}, load average {r.load_before:.1f} at its start"
        for i, r in enumerate(rounds, 1)
    )
    section = f"""{HEADING}

Measured {stamp} by `bench/chat.py`: uvicorn {uvicorn.__version__} [standard] with {args.workers} worker process(es),
DJANGO_DEBUG=0, channels-redis on Redis, PostgreSQL (database `{DB_NAME}`), Python {platform.python_version()},
2 CPU cores shared by server, database, Redis and the client. One client process (`websockets`, asyncio) on loopback
holds {args.clients} sockets: {conversations} conversations, each with its shopper and a moderator socket
({moderators} moderators). Shoppers send {args.rate:.0f} messages per second in total for {args.seconds:.0f} s per round
(open loop, round-robin over the shoppers); each message goes through the websocket consumer and `message_post`
(stored with its sequence number in PostgreSQL, then broadcast after commit) and must reach both sockets of its
conversation. Latency = send -> `message.new` received. {args.rounds} rounds; figures are medians over rounds.
Server: {facts}. CPU time is counted from /proc for the uvicorn processes and for the PostgreSQL backends of the
benchmark's database, from the first message of a round until its last delivery, divided by the messages sent.

| figure | value | target |
|---|---|---|
| connected clients | {connected} | 500 |
| messages sent / stored in the database | {sent_total} / {stored_total} | equal |
| deliveries received / expected (2 per message) | {2 * sent_total - lost_total} / {2 * sent_total} | zero lost |
| delivery to the other participant p50 / p95 / p99 | {p50:.1f} / {p95:.1f} / {p99:.1f} ms | p95 < 100 ms: {met} |
| delivery back to the sender p95 | {p95_sender:.1f} ms | - |
| CPU per message: server (all workers) / PostgreSQL | {server_ms:.2f} / {database_ms:.2f} ms | - |

Per round: {per_round}. Machine load average at the end: {os.getloadavg()[0]:.1f} (2 cores).

Rerun: `.venv/bin/python bench/chat.py` (options `--clients 500 --rate 200 --seconds 20 --workers 2 --rounds 3`).
"""
    print(section)
    if not args.no_write:
        write_section(HEADING.removeprefix("## "), section.removeprefix(HEADING))


if __name__ == "__main__":
    main()
