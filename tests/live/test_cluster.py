"""The `make cluster` topology, live: nginx in front of two web nodes (DJANGO_DEBUG=0, each with its own
folder), a Celery worker, two beats and moto's S3 server, all started by deploy/cluster.py as an operator
would. An upload through node A is served by node B and through the proxy; the periodic heartbeat fires once
a period with two beats running, and keeps firing once a period after the leading beat is killed; request ids
reach the worker's JSON logs; the proxy refuses an oversized upload with a message and never exposes
/metrics; the nodes report ready; a chat crosses nodes with one socket through the proxy; a node stopped
mid-conversation closes its socket with 1012 and the client resumes through the proxy with nothing lost.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.live.conftest import ROOT, free_port_block, require
from tests.live.test_media_live import _get, upload_avatar

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.cluster]

HEARTBEAT_SECONDS = 2
LEASE_SECONDS = 3
CLUSTER_NAME = f"socialshop_cluster_{os.getpid()}"
BEATS = ("beat1", "beat2")
# Nodes A and B carry the journeys; C is the one killed mid-request (A is stopped by the last test).
WEB_NODES = 3
# The target: after any catalogue write, every node serves the new value within 2 s.
FRESH_SECONDS = 2.0


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
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("SOCIALSHOP_TESTING", None)
    env.pop("DATABASE_URL", None)
    # The Redis database the run was given, shared under the cluster's own key prefix and queue.
    env.update(
        REDIS_URL=redis_url,
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
            str(WEB_NODES),
            "--beats",
            "2",
            "--port",
            str(free_port_block(WEB_NODES + 2)),  # nginx, then a port per node (and one spare)
            "--s3-port",
            str(free_port_block(1)),
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
    node_a, node_b = cluster.info["nodes"][:2]

    avatar = upload_avatar(node_a, cluster.token(f"cluster-{uuid.uuid4().hex[:6]}"))["avatar"]

    for base in (node_b, cluster.info["proxy"]):
        status, headers, _ = _get(base + avatar)
        assert status == 200, base
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in headers["Cache-Control"]
    assert [path for path in cluster.workdir.glob("web*/media/**/*") if path.is_file()] == []


def test_seeded_product_pictures_are_in_the_bucket_and_served_by_every_node(cluster):
    """The release step seeds the shop through the storage API: the pictures are in the bucket, not on the
    release folder's disk, and every node serves them."""
    listing = _get(cluster.info["nodes"][0] + "/products/")[2].decode()
    pictures = re.findall(r'src="(/media/[^"]+)"', listing)[:3]

    assert pictures
    for base in (*cluster.info["nodes"], cluster.info["proxy"]):
        assert [_get(base + picture)[0] for picture in pictures] == [200] * len(pictures), base
    assert [path for path in cluster.workdir.glob("*/media/**/*") if path.is_file()] == []


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


def test_proxy_and_node_refuse_oversized_uploads_and_hide_metrics_while_nodes_are_ready(cluster):
    """The proxy refuses a body over its client_max_body_size (1m here); a node reached directly refuses it
    too (MAX_REQUEST_BODY_BYTES, set from the same value), both with 413 and a message."""
    proxy = cluster.info["proxy"]
    for base, limit in ((proxy, "1m"), (cluster.info["nodes"][0], "1.0\xa0MB")):
        status, _, body = _request(
            base + "/api/v1/social/posts/",
            method="POST",
            data=b"x" * (2 * 1024 * 1024),
            headers={"Content-Type": "application/octet-stream"},
        )
        assert status == 413, base
        assert json.loads(body)["detail"] == (
            f"The upload is too large: at most {limit} per request."
        ), base

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


class _FormFields(HTMLParser):
    """What a browser submits from the form with id `form_id`: inputs (checked boxes only), the selected
    options of each select, textareas; in page order, without files and buttons."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._select: str | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._inside = values.get("id") == self.form_id
        if not self._inside:
            return
        name = values.get("name", "")
        kind = values.get("type", "text")
        if tag == "input" and name and kind not in {"submit", "button", "file", "image", "reset"}:
            if kind in {"checkbox", "radio"} and "checked" not in values:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.fields.append(
                (name, values.get("value", default) if "value" in values else default)
            )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in values:
            self.fields.append((self._select, values.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that may follow <textarea>.
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _request(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Message, bytes]:
    """One request, redirects not followed; status 0 when the connection broke without an answer."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
        return 0, Message(), b""


def _sessions(cluster: Cluster, *usernames: str) -> list[str]:
    return _shell(
        cluster,
        "from django.test import Client\n"
        "from shop.models import User\n"
        "keys = []\n"
        f"for name in {list(usernames)!r}:\n"
        "    client = Client()\n"
        "    client.force_login(User.objects.get(username=name))\n"
        "    keys.append(client.cookies['sessionid'].value)\n"
        "print(' '.join(keys))\n",
    ).split()


def _admin_edit(node: str, admin_session: str, product_id: int, changes: dict[str, str]) -> None:
    """Change a product through Django admin on `node`, as a browser submits the change form."""
    url = f"{node}/admin/shop/product/{product_id}/change/"
    status, headers, page = _request(url, headers={"Cookie": f"sessionid={admin_session}"})
    assert status == 200, page[-2000:]
    cookies = {"sessionid": admin_session}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";", 1)[0]
    form = _FormFields("product_form")
    form.feed(page.decode())
    assert ("name_en", changes["name_en"]) not in form.fields
    fields = [(name, changes.get(name, value)) for name, value in form.fields]
    status, _, body = _request(
        url,
        method="POST",
        data=urlencode(fields).encode(),
        headers={
            "Cookie": "; ".join(f"{key}={value}" for key, value in cookies.items()),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 302, body.decode(errors="replace")[-3000:]


def test_an_admin_edit_on_node_a_is_fresh_on_node_b_within_two_seconds(cluster):
    """Node B has the product list cached (in-process for anonymous visitors, in shared caches for signed-in
    shoppers) and the product's API answer; a name and price change in admin on node A bumps the catalogue
    version, and B serves the new values within the 2 s target."""
    node_a, node_b = cluster.info["nodes"][:2]
    admin, shopper = _sessions(cluster, "admin", "shopper")
    viewers = ({}, {"Cookie": f"sessionid={shopper}"})
    listings = [_get(node_b + "/products/", headers)[2].decode() for headers in viewers]
    slug = next(
        slug
        for slug in re.findall(r'href="/product/([\w-]+)/"', listings[1])
        if f'href="/product/{slug}/"' in listings[0]
    )
    product_id, old_price = _shell(
        cluster,
        "from shop.models import Product\n"
        f"product = Product.objects.get(slug={slug!r})\n"
        "print(product.pk, product.price)\n",
    ).split()
    api = f"{node_b}/api/v1/products/{product_id}/"
    old_name = json.loads(_get(api)[2])["product"]["name"]
    assert all(html.escape(old_name) in listing for listing in listings)
    new_name = f"Cluster edit {uuid.uuid4().hex[:8]}"
    new_price = str(Decimal(old_price) + 1)

    # The English name: admin shows a field per language (modeltranslation) and the visitors here read English.
    _admin_edit(node_a, admin, int(product_id), {"name_en": new_name, "price": new_price})
    saved = time.monotonic()

    def fresh_on_b() -> bool:
        pages = [_get(node_b + "/products/", headers)[2].decode() for headers in viewers]
        product = json.loads(_get(api)[2])["product"]
        return all(new_name in page and html.escape(old_name) not in page for page in pages) and (
            product["name"],
            product["price"],
        ) == (new_name, new_price)

    while not fresh_on_b():
        assert time.monotonic() - saved < FRESH_SECONDS, f"node B still serves {old_name!r}"
        time.sleep(0.1)


def _recsys_state(cluster: Cluster, task_id: str) -> dict:
    return json.loads(
        _shell(
            cluster,
            "import json\n"
            "from recsys.models import ModelVersion\n"
            f"row = ModelVersion.objects.filter(task_id={task_id!r}).values("
            "'pk', 'status', 'artifact_name').first()\n"
            "print(json.dumps(row))\n",
        )
    )


def test_a_model_trained_by_the_worker_is_served_by_both_nodes_without_its_local_files(cluster):
    """The worker trains and stores the artefact in the bucket; its own folder is then deleted, and a
    newcomer scored on request on node A and another on node B get the new model's list (not popularity,
    not the previous version): each node loaded the model from the object store."""
    task_id = _shell(
        cluster,
        "from recsys import tasks\n"
        "print(tasks.retrain.apply_async(kwargs={'force': True, 'score': False}).id)\n",
    )
    deadline = time.monotonic() + 300
    state = _recsys_state(cluster, task_id)
    while not state or state["status"] not in {"serving", "rejected", "ready"}:
        assert time.monotonic() < deadline, f"the worker did not finish training: {state}"
        time.sleep(2)
        state = _recsys_state(cluster, task_id)
    if state["status"] != "serving":
        # On the small demo shop a model need not beat popularity: promote it as staff would.
        _shell(
            cluster,
            "from recsys.models import ModelVersion\n"
            "from recsys.services import model_version_promote\n"
            f"model_version_promote(version=ModelVersion.objects.get(pk={state['pk']}), "
            "actor_note='cluster test')\n"
            "print('promoted')\n",
        )
    digest = Path(state["artifact_name"]).name.split(".")[0]
    shutil.rmtree(cluster.workdir / "worker" / "models", ignore_errors=True)
    assert list(cluster.workdir.rglob(f"*{digest}*")) == []
    tokens = _shell(
        cluster,
        "from shop.models import User\n"
        "from shop.services import api_token_issue\n"
        "from social.models import Follow\n"
        "from recsys.services.serving import user_signals_changed\n"
        "from django.db.models import Count\n"
        "rows = Follow.objects.values('followee').annotate(n=Count('pk')).order_by('-n', 'followee')\n"
        "popular = User.objects.filter(pk__in=[row['followee'] for row in rows[:3]])\n"
        "tokens = []\n"
        "for index in (1, 2):\n"
        f"    user = User.objects.create(username=f'newcomer{{index}}-{uuid.uuid4().hex[:6]}')\n"
        "    for followee in popular:\n"
        "        Follow.objects.create(follower=user, followee=followee)\n"
        "    user_signals_changed(user.pk)\n"
        "    tokens.append(api_token_issue(user=user).key)\n"
        "print(' '.join(tokens))\n",
    ).split()

    answers = [
        json.loads(_get(node + "/api/v1/recs/for_you/?k=5", {"Authorization": f"Token {token}"})[2])
        for node, token in zip(cluster.info["nodes"][:2], tokens, strict=True)
    ]

    assert [answer["model_version"] for answer in answers] == [state["pk"], state["pk"]]
    assert all(answer["results"] for answer in answers)


DRILL_CLIENTS = 4


def _drill_shoppers(cluster: Cluster) -> tuple[int, list[tuple[str, int]]]:
    """A product without options (one variant) with stock to spare and DRILL_CLIENTS shoppers, each with a token and a conversation
    handed to a person (so no assistant replies)."""
    output = _shell(
        cluster,
        "import json\n"
        "from shop.models import Product, User\n"
        "from shop.services import api_token_issue\n"
        "from support import services\n"
        "from django.db.models import Count, Q\n"
        "from shop.models import ProductVariant\n"
        "product = (Product.objects.filter(is_active=True)\n"
        "    .annotate(options=Count('variants', filter=Q(variants__is_active=True)))\n"
        "    .filter(options=1).order_by('pk').first())\n"
        "ProductVariant.objects.filter(product=product).update(stock=100000)\n"
        "Product.objects.filter(pk=product.pk).update(stock=100000)\n"
        "shoppers = []\n"
        f"for index in range({DRILL_CLIENTS}):\n"
        f"    user = User.objects.create(username=f'killdrill{{index}}-{uuid.uuid4().hex[:6]}')\n"
        "    conversation = services.conversation_start(user=user, session_key=None)\n"
        "    services.conversation_request_human(conversation=conversation)\n"
        "    shoppers.append((api_token_issue(user=user).key, conversation.id))\n"
        "print(json.dumps([product.pk, shoppers]))\n",
    )
    product_id, shoppers = json.loads(output)
    return product_id, [(token, conversation) for token, conversation in shoppers]


def _drill_stored(cluster: Cluster, keys: list[str]) -> dict:
    return json.loads(
        _shell(
            cluster,
            "import json\n"
            "from django.db.models import Count, Sum\n"
            "from shop.models import Order\n"
            "from support.models import Message\n"
            f"orders = Order.objects.filter(idempotency_key__in={keys!r})\n"
            "bad = [o.number for o in orders.annotate(n=Count('lines'), s=Sum('lines__line_total'))"
            " if o.n == 0 or o.s != o.subtotal]\n"
            f"messages = list(Message.objects.filter(client_id__in={keys!r})"
            ".values_list('client_id', flat=True))\n"
            "print(json.dumps({'orders': sorted(orders.values_list('idempotency_key', flat=True)), "
            "'bad_orders': bad, 'messages': sorted(messages)}))\n",
        )
    )


def test_a_node_killed_mid_request_loses_no_order_message_or_upload(cluster):
    """Shoppers chat, check out and upload avatars through the proxy while node C freezes (SIGSTOP: the
    requests the proxy hands it stay in flight) and is then killed (SIGKILL). nginx never resends a POST it
    already sent, so those requests answer 502; the client resends each with the same idempotency key or
    client id. Every order and message is stored exactly once, and each avatar the profile names is served."""
    from tests.live.test_media_live import _multipart, _png

    proxy = cluster.info["proxy"]
    product_id, shoppers = _drill_shoppers(cluster)
    stop = threading.Event()
    statuses: list[int] = []
    keys: list[str] = []

    def send(method: str, path: str, token: str, body: bytes, content_type: str) -> dict:
        for _ in range(40):
            status, _, answer = _request(
                proxy + path,
                method=method,
                data=body,
                headers={"Authorization": f"Token {token}", "Content-Type": content_type},
            )
            statuses.append(status)
            if 200 <= status < 300:
                return json.loads(answer)
            # Cut off (0, 502), refused while C is marked down (503/504) or too fast (429): send it again.
            assert status in {0, 429, 502, 503, 504}, (path, status, answer[:500])
            time.sleep(0.3)
        raise AssertionError(f"{path} never succeeded")

    def shopper(index: int, token: str, conversation_id: int) -> str:
        avatar = ""
        round_ = 0
        while not stop.is_set():
            round_ += 1
            started = time.monotonic()
            key = f"kill-{os.getpid()}-{index}-{round_}"
            keys.append(key)
            as_json = "application/json"
            send(
                "POST",
                f"/api/v1/support/conversations/{conversation_id}/messages/",
                token,
                json.dumps({"client_id": key, "body": f"message {key}"}).encode(),
                as_json,
            )
            cart = {"product_id": product_id, "quantity": 1}
            send("POST", "/api/v1/cart/items/", token, json.dumps(cart).encode(), as_json)
            checkout = {
                "idempotency_key": key,
                "full_name": "Drill Shopper",
                "line1": "1 Fault Street",
                "city": "Berlin",
                "postal_code": "10115",
                "country": "DE",
                "card_number": "4242 4242 4242 4242",
            }
            send("POST", "/api/v1/checkout/", token, json.dumps(checkout).encode(), as_json)
            body, content_type = _multipart("avatar", "me.png", _png())
            avatar = send("PATCH", "/api/v1/social/profiles/me/", token, body, content_type)[
                "avatar"
            ]
            # At most 2 chat messages a second per shopper: under the chat's rate limit.
            time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
        return avatar

    with ThreadPoolExecutor(DRILL_CLIENTS) as pool:
        futures = [
            pool.submit(shopper, index, token, conversation_id)
            for index, (token, conversation_id) in enumerate(shoppers)
        ]
        time.sleep(3)
        node_c = cluster.pid_of("web3")
        os.killpg(node_c, signal.SIGSTOP)
        time.sleep(1.5)
        os.killpg(node_c, signal.SIGKILL)
        time.sleep(3)
        stop.set()
        avatars = [future.result() for future in futures]

    assert {0, 502} & set(statuses), "no request was in flight on the killed node"
    stored = _drill_stored(cluster, keys)
    assert stored["orders"] == sorted(keys)
    assert stored["messages"] == sorted(keys)
    assert stored["bad_orders"] == []
    for (token, _), avatar in zip(shoppers, avatars, strict=True):
        profile = json.loads(
            _get(proxy + "/api/v1/social/profiles/me/", {"Authorization": f"Token {token}"})[2]
        )
        assert profile["avatar"] == avatar
        assert _get(proxy + avatar)[0] == 200


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


def test_with_the_object_store_down_an_upload_is_503_and_nothing_points_at_a_missing_file(cluster):
    """Runs last (the store stays down): moto is killed; an avatar upload through the proxy answers 503 with
    the message, the profile keeps the avatar it had, and the node reports its storage not ready."""
    from tests.live.test_media_live import _multipart, _png

    proxy, node_b = cluster.info["proxy"], cluster.info["nodes"][1]
    token = cluster.token(f"storedown-{uuid.uuid4().hex[:6]}")
    before = upload_avatar(proxy, token)["avatar"]
    os.killpg(cluster.pid_of("s3"), signal.SIGKILL)
    body, content_type = _multipart("avatar", "me.png", _png())

    status, _, answer = _request(
        proxy + "/api/v1/social/profiles/me/",
        method="PATCH",
        data=body,
        headers={"Authorization": f"Token {token}", "Content-Type": content_type},
    )

    assert status == 503
    assert json.loads(answer) == {
        "detail": "File storage is unavailable right now; nothing was saved. Try again shortly."
    }
    profile = json.loads(
        _get(proxy + "/api/v1/social/profiles/me/", {"Authorization": f"Token {token}"})[2]
    )
    assert profile["avatar"] == before
    status, _, ready = _get(node_b + "/readyz")
    assert status == 503
    assert json.loads(ready)["checks"]["storage"] != "ok"
