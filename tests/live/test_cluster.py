"""The `make cluster` topology, live: nginx in front of two web nodes (DJANGO_DEBUG=0, each with its own
folder), a Celery worker, two beats and moto's S3 server, all started by deploy/cluster.py as an operator
would. An upload through node A is served by node B and through the proxy; the periodic heartbeat fires once
a period with two beats running, and keeps firing once a period after the leading beat is killed; request ids
reach the worker's JSON logs; the proxy refuses an oversized upload with a message and never exposes
/metrics; the nodes report ready; a chat crosses nodes with one socket through the proxy; a node stopped
mid-conversation closes its socket with 1012 and the client resumes through the proxy with nothing lost.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.conftest import ROOT, free_port, require
from tests.live.test_media_live import _get, upload_avatar

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.cluster]

HEARTBEAT_SECONDS = 2
LEASE_SECONDS = 3
CLUSTER_NAME = f"socialshop_cluster_{os.getpid()}"
BEATS = ("beat1", "beat2")


class Cluster:
    def __init__(self, info: dict, env: dict[str, str], output: Path) -> None:
        self.info = info
        self.env = env
        self.output = output
        self.workdir = Path(info["workdir"])

    def log(self, name: str) -> str:
        return (self.workdir / "logs" / f"{name}.log").read_text(errors="replace")

    def sends(self, beat: str) -> int:
        return self.log(beat).count("Sending due task beat-heartbeat")

    def pid_of(self, name: str) -> int:
        match = re.search(rf"\[cluster\] {name}: pid (\d+)", self.output.read_text())
        assert match, f"no pid for {name}"
        return int(match.group(1))

    def token(self, username: str) -> str:
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model\n"
                "from shop.services import api_token_issue\n"
                f"u, _ = get_user_model().objects.get_or_create(username='{username}')\n"
                "print(api_token_issue(user=u).key)\n",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.strip().splitlines()[-1]


def _database_env() -> dict[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        return {}
    import psycopg

    base, _, _ = database_url.rpartition("/")
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{CLUSTER_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{CLUSTER_NAME}"')
    return {"DATABASE_URL": f"{base}/{CLUSTER_NAME}"}


def _drop_database() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{CLUSTER_NAME}" WITH (FORCE)')


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    redis_url = os.environ.get("REDIS_URL", "")
    require(bool(redis_url), "the cluster shares Redis between nodes (set REDIS_URL)")
    require(Path("/usr/sbin/nginx").exists(), "needs Debian's nginx (apt-get install -y nginx)")
    tmp = tmp_path_factory.mktemp("cluster")
    base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("SOCIALSHOP_TESTING", None)
    env.pop("DATABASE_URL", None)
    env.update(
        REDIS_URL=f"{base}/4",
        REDIS_PREFIX=CLUSTER_NAME,
        CELERY_QUEUE=CLUSTER_NAME,
        BEAT_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
        BEAT_LEASE_SECONDS=str(LEASE_SECONDS),
        **_database_env(),
    )
    ready = tmp / "ready.json"
    output = tmp / "cluster.out"
    process = subprocess.Popen(
        [
            sys.executable,
            "deploy/cluster.py",
            "--small",
            "--web-nodes",
            "2",
            "--beats",
            "2",
            "--port",
            str(free_port()),
            "--s3-port",
            str(free_port()),
            "--max-body",
            "1m",
            "--workdir",
            str(tmp / "work"),
            "--ready-file",
            str(ready),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"cluster did not start:\n{output.read_text(errors='replace')[-5000:]}")
            time.sleep(1)
        info = json.loads(ready.read_text())
        shell_env = {
            **env,
            "DJANGO_SECRET_KEY": info["env"]["DJANGO_SECRET_KEY"],
            "SQLITE_PATH": str(tmp / "work" / "cluster.sqlite3"),
        }
        yield Cluster(info, shell_env, output)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        _drop_database()


def test_upload_through_node_a_is_served_by_node_b_and_the_proxy(cluster):
    node_a, node_b = cluster.info["nodes"]

    avatar = upload_avatar(node_a, cluster.token(f"cluster-{uuid.uuid4().hex[:6]}"))["avatar"]

    for base in (node_b, cluster.info["proxy"]):
        status, headers, _ = _get(base + avatar)
        assert status == 200, base
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in headers["Cache-Control"]
    assert [path for path in cluster.workdir.glob("web*/media/**/*") if path.is_file()] == []


def test_the_heartbeat_fires_once_a_period_with_two_beats_and_survives_the_leader(cluster):
    periods = 5
    window = periods * HEARTBEAT_SECONDS
    time.sleep(2 * HEARTBEAT_SECONDS)
    before = {beat: cluster.sends(beat) for beat in BEATS}
    time.sleep(window)
    during = {beat: cluster.sends(beat) - before[beat] for beat in BEATS}

    # One beat holds the lease and fires; the other fires nothing: about one send per period in all.
    assert min(during.values()) == 0, during
    assert periods - 1 <= sum(during.values()) <= periods + 1, during

    leader = max(during, key=lambda beat: during[beat])
    standby = BEATS[1] if leader == BEATS[0] else BEATS[0]
    os.killpg(cluster.pid_of(leader), signal.SIGKILL)
    time.sleep(LEASE_SECONDS + 2 * HEARTBEAT_SECONDS)
    taken_over = cluster.sends(standby)
    time.sleep(window)

    assert "took the scheduler lease" in cluster.log(standby)
    assert periods - 1 <= cluster.sends(standby) - taken_over <= periods + 1


def test_request_ids_reach_the_worker_task_logs(cluster):
    """A chat message queues the assistant's reply on the worker: its log lines carry the request's id."""
    request_id = f"cluster-{uuid.uuid4().hex}"
    token = cluster.token(f"chatter-{uuid.uuid4().hex[:6]}")
    node_a = cluster.info["nodes"][0]

    def post(path: str, payload: dict, headers: dict[str, str]) -> dict:
        request = urllib.request.Request(
            node_a + path,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
                **headers,
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            if "X-Request-ID" in headers:
                assert response.headers["X-Request-ID"] == headers["X-Request-ID"]
            return json.loads(response.read())

    conversation = post("/api/v1/support/conversations/", {}, {})
    conversation_id = conversation["conversation"]
    post(
        f"/api/v1/support/conversations/{conversation_id}/messages/",
        {"body": "Where is my order?", "client_id": uuid.uuid4().hex},
        {"X-Request-ID": request_id},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and request_id not in cluster.log("worker"):
        time.sleep(0.5)

    tagged = [line for line in cluster.log("worker").splitlines() if request_id in line]
    assert tagged, "the worker logged nothing with the request id"
    assert all(json.loads(line)["request_id"] == request_id for line in tagged)
    assert any(json.loads(line).get("task_name") for line in tagged)


def test_proxy_refuses_oversized_uploads_and_hides_metrics_while_nodes_are_ready(cluster):
    proxy = cluster.info["proxy"]
    request = urllib.request.Request(
        proxy + "/api/v1/social/posts/",
        data=b"x" * (2 * 1024 * 1024),
        method="POST",
        headers={"Content-Type": "application/octet-stream"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    assert json.loads(refused.value.read())["detail"].startswith("The upload is too large")

    assert _get(proxy + "/metrics")[0] == 404
    status, _, body = _get(cluster.info["nodes"][1] + "/metrics")
    assert status == 200
    assert b"socialshop_http_request_duration_seconds" in body
    for base in (proxy, *cluster.info["nodes"]):
        status, _, body = _get(base + "/readyz")
        assert status == 200
        assert json.loads(body)["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}


def _shell(cluster: Cluster, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_chat_crosses_nodes_through_the_proxy_websocket(cluster):
    """The shopper's socket goes through nginx (upgrade headers), the moderator's straight to node B."""
    import asyncio

    import websockets

    session, moderator_session, conversation_id = _shell(
        cluster,
        "from django.test import Client\n"
        "from shop.models import User\n"
        "from support import services\n"
        "sessions = []\n"
        "for name in ('shopper', 'moderator'):\n"
        "    client = Client()\n"
        "    client.force_login(User.objects.get(username=name))\n"
        "    sessions.append(client.cookies['sessionid'].value)\n"
        "user = User.objects.get(username='shopper')\n"
        "conversation = services.conversation_start(user=user, session_key=None)\n"
        "services.conversation_request_human(conversation=conversation)\n"
        "print(sessions[0], sessions[1], conversation.id)\n",
    ).split()
    proxy, node_b = cluster.info["proxy"], cluster.info["nodes"][1]
    path = f"/ws/support/{conversation_id}/"

    async def next_message(socket, body: str) -> dict:
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), 15))
            if frame["type"] == "message.new" and frame["body"] == body:
                return frame

    async def journey() -> tuple[dict, dict]:
        async with (
            websockets.connect(
                proxy.replace("http://", "ws://") + path,
                origin=proxy,
                additional_headers={"Cookie": f"sessionid={session}"},
            ) as shopper,
            websockets.connect(
                node_b.replace("http://", "ws://") + path,
                origin=node_b,
                additional_headers={"Cookie": f"sessionid={moderator_session}"},
            ) as moderator,
        ):
            await shopper.send(
                json.dumps({"type": "message.send", "client_id": "p1", "body": "via the proxy"})
            )
            at_moderator = await next_message(moderator, "via the proxy")
            await moderator.send(
                json.dumps({"type": "message.send", "client_id": "b1", "body": "from node B"})
            )
            return at_moderator, await next_message(shopper, "from node B")

    at_moderator, at_shopper = asyncio.run(journey())

    assert at_moderator["role"] == "shopper"
    assert at_shopper["role"] == "moderator"


def test_a_node_stopped_mid_conversation_closes_with_1012_and_the_client_resumes_via_the_proxy(
    cluster,
):
    """SIGTERM on node A (a deploy): its socket closes with 1012 "service restart", the proxy sends the
    reconnect (and every request) to node B, and the conversation resyncs with each message once. Runs last:
    node A stays down."""
    import asyncio

    import websockets

    session, conversation_id = _shell(
        cluster,
        "from django.test import Client\n"
        "from shop.models import User\n"
        "from support import services\n"
        "client = Client()\n"
        "user = User.objects.get(username='shopper')\n"
        "client.force_login(user)\n"
        "conversation = services.conversation_start(user=user, session_key=None)\n"
        "services.conversation_request_human(conversation=conversation)\n"
        "print(client.cookies['sessionid'].value, conversation.id)\n",
    ).split()
    node_a, proxy = cluster.info["nodes"][0], cluster.info["proxy"]
    path = f"/ws/support/{conversation_id}/"
    headers = {"Cookie": f"sessionid={session}"}

    async def close_code(socket) -> int | None:
        try:
            while True:
                await asyncio.wait_for(socket.recv(), 20)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    async def before_and_after() -> tuple[int | None, list[str]]:
        async with websockets.connect(
            node_a.replace("http://", "ws://") + path, origin=node_a, additional_headers=headers
        ) as socket:
            await socket.send(
                json.dumps({"type": "message.send", "client_id": "k1", "body": "before the stop"})
            )
            while json.loads(await asyncio.wait_for(socket.recv(), 15))["type"] != "message.new":
                pass
            os.killpg(cluster.pid_of("web1"), signal.SIGTERM)
            code = await close_code(socket)
        async with websockets.connect(
            proxy.replace("http://", "ws://") + path, origin=proxy, additional_headers=headers
        ) as socket:
            await socket.send(
                json.dumps({"type": "message.send", "client_id": "k2", "body": "after the stop"})
            )
            await socket.send(json.dumps({"type": "sync", "after_id": 0}))
            bodies = []
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 15))
                if frame["type"] == "message.new":
                    bodies.append(frame["body"])
                if frame["type"] == "sync.done":
                    return code, bodies

    code, bodies = asyncio.run(before_and_after())

    assert code == 1012
    assert bodies.count("before the stop") == 1
    assert "after the stop" in bodies
    assert [_get(proxy + "/readyz")[0] for _ in range(6)] == [200] * 6
