"""Load drivers shared by the shop benchmarks: wrk for throughput, a raw closed-loop asyncio client for each
client's own latencies, and a paced open-loop client; each returns the same latency summary."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import time
from pathlib import Path

CONCURRENCY = 20
WRK_SCRIPT = r"""
local urls = {}
local position = 0
hits = 0
misses = 0
local next_id = 0
local threads = {}
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do urls[#urls + 1] = line end
  position = math.floor(#urls * id / (next_id > 0 and next_id or 2))
end
function request()
  position = position + 1
  return wrk.format("GET", urls[(position % #urls) + 1])
end
function response(status, headers, body)
  local state = headers["x-cache"] or headers["X-Cache"]
  if state == "HIT" then hits = hits + 1 elseif state == "MISS" then misses = misses + 1 end
end
function done(summary, latency, requests)
  local all_hits, all_misses = 0, 0
  for _, thread in ipairs(threads) do
    all_hits = all_hits + thread:get("hits")
    all_misses = all_misses + thread:get("misses")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"p50": %.3f, "p95": %.3f, "p99": %.3f, "requests": %d, "errors": %d, "seconds": %.3f, ' ..
    '"hits": %d, "misses": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors, summary.duration / 1e6, all_hits, all_misses))
end
"""

__all__ = [
    "database_ensure",
    "drive",
    "drive_closed_raw",
    "drive_paced",
    "drive_wrk",
    "latency_summary",
    "wrk_run",
]


def latency_summary(latencies: list[float], *, errors: int, wall: float) -> dict:
    """Requests, errors, p50/p95/p99 (ms) and req/s of one run's successful latencies."""
    latencies = sorted(latencies)

    def percentile(share: float) -> float | None:
        return latencies[int(share * (len(latencies) - 1))] if latencies else None

    return {
        "requests": len(latencies),
        "errors": errors,
        "p50": statistics.median(latencies) if latencies else None,
        "p95": percentile(0.95),
        "p99": percentile(0.99),
        "rps": len(latencies) / wall if wall else 0,
    }


async def drive_closed_raw(base: str, urls: list[str], *, seconds: float) -> dict:
    """Closed loop measured per request, without correction: CONCURRENCY keep-alive connections, each sending
    its next GET as soon as the last response is read (a minimal HTTP/1.1 client on asyncio streams, so the
    client costs little CPU). wrk's percentiles are corrected for coordinated omission, which models an open-loop
    client at the full measured rate and fills a stall with synthetic samples; these are the latencies the 20
    clients actually saw."""
    host, _, port = base.removeprefix("http://").partition(":")
    latencies: list[float] = []
    errors = 0
    hits = misses = 0
    position = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors, hits, misses, position
        reader, writer = await asyncio.open_connection(host, int(port or 80))
        try:
            while time.perf_counter() < deadline:
                url = urls[position % len(urls)]
                position += 1
                started = time.perf_counter()
                writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                cache_state = b""
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"x-cache":
                        cache_state = value.strip()
                await reader.readexactly(length)
                elapsed = (time.perf_counter() - started) * 1000
                if head.startswith(b"HTTP/1.1 200"):
                    latencies.append(elapsed)
                    hits += cache_state == b"HIT"
                    misses += cache_state == b"MISS"
                else:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    wall = time.perf_counter() - started
    return {**latency_summary(latencies, errors=errors, wall=wall), "hits": hits, "misses": misses}


def wrk_run(
    *,
    script: str,
    lines: list[str],
    base: str,
    seconds: float,
    workdir: Path,
    timeout: str = "30s",
    connections: int = CONCURRENCY,
) -> dict:
    """Run wrk with a Lua `script` that reads one request per line of `lines` and prints one JSON summary line
    (p50/p95/p99 in ms, requests, errors, seconds); `connections` (CONCURRENCY) over up to 2 threads for
    `seconds`. One connection measures a page's own time (no queueing behind other requests)."""
    script_file = workdir / "wrk.lua"
    script_file.write_text(script)
    line_file = workdir / "wrk-requests.txt"
    line_file.write_text("".join(f"{line}\n" for line in lines))
    output = subprocess.run(
        [
            "wrk",
            "--threads",
            str(min(2, connections)),
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            timeout,
            "--script",
            str(script_file),
            base,
            "--",
            str(line_file),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    measured = json.loads(output.strip().splitlines()[-1])
    measured["rps"] = measured["requests"] / measured["seconds"] if measured["seconds"] else 0
    return measured


def drive_wrk(base: str, urls: list[str], *, seconds: float, workdir: Path) -> dict:
    """Closed loop with wrk over the shop's URL list."""
    return wrk_run(script=WRK_SCRIPT, lines=urls, base=base, seconds=seconds, workdir=workdir)


async def drive(base: str, urls: list[str], *, time_limit: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    queue = list(reversed(urls))
    deadline = time.monotonic() + time_limit
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while queue and time.monotonic() < deadline:
                url = queue.pop()
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    await response.aread()
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        wall = time.perf_counter() - started
    return latency_summary(latencies, errors=errors, wall=wall)


async def drive_paced(base: str, urls: list[str], *, rate: float) -> dict:
    """Open loop: 20 clients share a fixed offered rate; latency counts from the scheduled send time, so a
    server that falls behind shows its queueing delay (no coordinated omission)."""
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        start = time.perf_counter() + 0.05

        async def worker(index: int) -> None:
            nonlocal errors
            for position in range(index, len(urls), CONCURRENCY):
                scheduled = start + position / rate
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    response = await client.get(urls[position])
                    await response.aread()
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - scheduled) * 1000)
                else:
                    errors += 1

        await asyncio.gather(*(worker(i) for i in range(CONCURRENCY)))
        wall = time.perf_counter() - start
    return latency_summary(latencies, errors=errors, wall=wall)


def database_ensure(*, server: str, name: str, fresh: bool) -> None:
    """Create the bench's own PostgreSQL database on `server` (a postgres:// URL without a name) unless it
    exists; `fresh` drops it first."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
