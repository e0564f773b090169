"""Stored files on real servers with DJANGO_DEBUG=0 (issue 12 item 5, issue 18).

One production server on the local filesystem serves the seeded product pictures with their type, nosniff and
a year's cache. Two production nodes on an S3 server (moto's standalone server; CI starts one and exports
LIVE_S3_ENDPOINT_URL, elsewhere the test starts its own), each with its own MEDIA_ROOT: an avatar uploaded
through node A is served by node B, and nothing of it is on A's disk.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from email.message import Message
from io import BytesIO
from pathlib import Path

import pytest

from tests.live.conftest import ROOT, LiveStack, _stop, _wait_for_http, free_port, require

pytestmark = [pytest.mark.live]

SECRET = secrets.token_urlsafe(50)


def _production_env(live_stack: LiveStack, name: str, **extra: str) -> dict[str, str]:
    home = live_stack.tmp / name
    home.mkdir(exist_ok=True)
    return {
        **live_stack.env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(live_stack.tmp / "static"),
        "MEDIA_ROOT": str(home / "media"),
        **extra,
    }


def _serve(live_stack: LiveStack, name: str, env: dict[str, str]) -> tuple[str, subprocess.Popen]:
    port = free_port()
    log_path = live_stack.tmp / f"{name}.log"
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
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_for_http(url + "/healthz", process, log_path)
    return url, process


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive) and body; error statuses are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _token(env: dict[str, str], username: str) -> str:
    """An API token issued under the nodes' own settings: a token carries a mark of the password hash keyed by
    SECRET_KEY, so it must be made with the key the nodes check it with."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from shop.services import api_token_issue\n"
        f"u, _ = get_user_model().objects.get_or_create(username='{username}')\n"
        "print(api_token_issue(user=u).key)\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def upload_avatar(base_url: str, token: str) -> dict:
    body, content_type = _multipart("avatar", "me.png", _png())
    request = urllib.request.Request(
        base_url + "/api/v1/social/profiles/me/",
        data=body,
        method="PATCH",
        headers={"Content-Type": content_type, "Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


@pytest.fixture(scope="module")
def collected_static(live_stack: LiveStack) -> None:
    """Production pages need the hashed static manifest, as after the release step."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_production_env(live_stack, "collect"),
        check=True,
        timeout=300,
    )


def test_production_serves_seeded_pictures_with_type_nosniff_and_long_cache(
    live_stack, collected_static
):
    env = _production_env(
        live_stack, "prod-fs", MEDIA_ROOT=live_stack.env["MEDIA_ROOT"], STORAGE_BACKEND="filesystem"
    )
    url, process = _serve(live_stack, "prod-fs", env)
    try:
        media = Path(live_stack.env["MEDIA_ROOT"])
        picture = next(path for path in media.rglob("*.webp") if "products" in path.parts)
        status, headers, body = _get(f"{url}/media/{picture.relative_to(media).as_posix()}")

        assert status == 200
        assert body == picture.read_bytes()
        assert headers["Content-Type"] == "image/webp"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert _get(f"{url}/media/../config/settings.py")[0] == 404
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def s3_endpoint(live_stack: LiveStack):
    """The S3 server CI started, or one of our own; a fresh bucket either way."""
    endpoint = os.environ.get("LIVE_S3_ENDPOINT_URL", "")
    process = None
    if not endpoint:
        moto = shutil.which("moto_server", path=str(Path(sys.executable).parent))
        require(moto is not None, "needs moto_server (pip install 'moto[server]')")
        assert moto is not None  # require() skipped or failed the test otherwise
        port = free_port()
        log_path = live_stack.tmp / "moto.log"
        process = subprocess.Popen(
            [moto, "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        endpoint = f"http://127.0.0.1:{port}"
        _wait_for_http(endpoint + "/", process, log_path, timeout=30)
    import boto3

    bucket = f"live-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="live", aws_secret_access_key="live-secret",
    ).create_bucket(Bucket=bucket)  # fmt: skip
    yield {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "live",
        "AWS_SECRET_ACCESS_KEY": "live-secret",
    }
    _stop(process)


def test_upload_through_node_a_is_served_by_node_b_from_object_storage(
    live_stack, collected_static, s3_endpoint
):
    env_a = _production_env(live_stack, "node-a", **s3_endpoint)
    env_b = _production_env(live_stack, "node-b", **s3_endpoint)
    node_a, process_a = _serve(live_stack, "node-a", env_a)
    node_b, process_b = _serve(live_stack, "node-b", env_b)
    try:
        profile = upload_avatar(node_a, _token(env_a, "s3-uploader"))
        avatar = profile["avatar"]
        assert avatar.startswith("/media/avatars/")

        status, headers, body = _get(node_b + avatar)

        assert status == 200
        assert body.startswith(b"\x89PNG") or headers["Content-Type"] in {
            "image/jpeg",
            "image/webp",
        }
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in headers["Cache-Control"]
        # Nothing landed on either node's disk.
        for env in (env_a, env_b):
            media = Path(env["MEDIA_ROOT"])
            assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
        assert _get(node_b + "/readyz")[0] == 200
    finally:
        _stop(process_a)
        _stop(process_b)
