"""`make cluster`: the compose topology as plain processes on one machine (no container daemon needed).

Starts an S3 server (moto's standalone server, in memory, bucket created), N web nodes (uvicorn on ports
BASE_PORT+1..N, DJANGO_DEBUG=0, each with its own working folder and MEDIA_ROOT so nothing is shared through
a local disk), a Celery worker, B beats (only the lease holder fires) and Debian's nginx in front (config
generated from deploy/nginx/site.conf.template into the work folder; the system nginx is never touched).
PostgreSQL and Redis are used, not started: DATABASE_URL (else a SQLite file in the work folder) and
REDIS_URL (default redis://127.0.0.1:6379/0). Ctrl-C or SIGTERM stops everything, nginx last-in first-out.

    python deploy/cluster.py [--web-nodes 2] [--beats 1] [--port 8100] [--workdir var/cluster]
    [--ready-file PATH]  (written, as JSON with the URLs, once every part answers; the live tests wait on it)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "site.conf.template"
BUCKET = "socialshop-media"


def log(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


def nginx_size_bytes(size: str) -> int:
    """nginx's size syntax (`10m`, `512k`, `1g`, plain bytes) in bytes."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    size = size.strip().lower()
    if size and size[-1] in units:
        return int(size[:-1]) * units[size[-1]]
    return int(size)


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx not found: apt-get install -y nginx")
    return nginx


def nginx_prepare(
    *,
    prefix: Path,
    listen: str,
    upstreams: list[str],
    max_body: str,
    static_root: Path,
    logs: Path,
    nginx: str,
) -> list[str]:
    """Write an nginx configuration from deploy/nginx/site.conf.template into `prefix` (balancing over the
    `upstreams` URLs), check it, and return the command that runs it in the foreground. The benchmark uses it
    too, for proxies over fewer nodes."""
    for folder in ("temp", "cache"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    site = TEMPLATE.read_text()
    values = {
        "LISTEN": listen,
        "UPSTREAM_SERVERS": "\n    ".join(
            f"server {url.removeprefix('http://')};" for url in upstreams
        ),
        "CLIENT_MAX_BODY_SIZE": max_body,
        "STATIC_ROOT": str(static_root),
        "CACHE_DIR": str(prefix / "cache"),
    }
    for key, value in values.items():
        site = site.replace("${" + key + "}", value)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = prefix / "temp"
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {logs / (prefix.name + '-error.log')} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log {logs / (prefix.name + '-access.log')};\n"
        f"    client_body_temp_path {temp}/body;\n"
        f"    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n"
        f"    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"{site}\n"
        "}\n"
    )
    command = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
    subprocess.run([*command[:-2], "-t", "-q"], check=True)
    return command


class Cluster:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(args.workdir).resolve()
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.reported: set[str] = set()
        self.python = sys.executable

    # --- helpers ---------------------------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], env: dict[str, str], cwd: Path = ROOT) -> None:
        log_path = self.workdir / "logs" / f"{name}.log"
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process))
        log(f"{name}: pid {process.pid}, log {log_path}")

    def wait_http(self, name: str, url: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=3) as response:
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s")

    def wait_log(self, name: str, needle: str, timeout: float = 90) -> None:
        path = self.workdir / "logs" / f"{name}.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if needle in path.read_text(errors="replace"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{name} did not log {needle!r} within {timeout:.0f} s")

    def check_alive(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                tail = (self.workdir / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def report_exits(self) -> None:
        """Once up, a part that dies is reported and the rest keep running (as on real hosts: a dead beat
        hands its lease to the other, a dead node leaves the proxy the other one)."""
        for name, process in self.processes:
            if process.poll() is not None and name not in self.reported:
                self.reported.add(name)
                log(f"{name} exited with {process.returncode}; the rest keep running")

    def manage(self, env: dict[str, str], *args: str) -> None:
        subprocess.run([self.python, "manage.py", *args], cwd=ROOT, env=env, check=True)

    # --- the parts -------------------------------------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        args = self.args
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.pop("SOCIALSHOP_TESTING", None)
        secret = env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
        proxy = f"http://127.0.0.1:{args.port}"
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secret,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_CSRF_TRUSTED_ORIGINS=f"{proxy},http://localhost:{args.port}",
            # Plain HTTP on loopback: nothing to redirect to.
            DJANGO_SECURE_SSL_REDIRECT="0",
            REDIS_URL=env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            STORAGE_BACKEND="s3",
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{args.s3_port}",
            AWS_S3_REGION_NAME="us-east-1",
            AWS_ACCESS_KEY_ID="cluster",
            AWS_SECRET_ACCESS_KEY="cluster-secret",
            STATIC_ROOT=str(self.workdir / "static"),
            # Trained models in the bucket's private part: every node loads what the worker trained.
            RECSYS_ARTIFACT_STORAGE="private",
            # The nodes refuse what the proxy refuses, for a request that reaches them directly.
            MAX_REQUEST_BODY_BYTES=str(nginx_size_bytes(args.max_body)),
            CELERY_TASK_ALWAYS_EAGER="0",
            PYTHONUNBUFFERED="1",
            LOG_FORMAT="json",
        )
        if not env.get("DATABASE_URL"):
            env["SQLITE_PATH"] = str(self.workdir / "cluster.sqlite3")
        return env

    def node_env(self, env: dict[str, str], name: str) -> dict[str, str]:
        """A process's own folder: its MEDIA_ROOT, model files and metrics live there and nowhere else."""
        home = self.workdir / name
        (home / "prometheus").mkdir(parents=True, exist_ok=True)
        return {
            **env,
            "MEDIA_ROOT": str(home / "media"),
            "RECSYS_ARTIFACT_DIR": str(home / "models"),
            "PROMETHEUS_MULTIPROC_DIR": str(home / "prometheus"),
        }

    def start_s3(self, env: dict[str, str]) -> None:
        moto = shutil.which("moto_server", path=str(Path(self.python).parent)) or shutil.which(
            "moto_server"
        )
        if moto is None:
            raise RuntimeError("moto_server not found: pip install 'moto[server]' (the dev extra)")
        self.spawn("s3", [moto, "-H", "127.0.0.1", "-p", str(self.args.s3_port)], env)
        self.wait_http("s3", f"http://127.0.0.1:{self.args.s3_port}/")
        import boto3

        boto3.client(
            "s3",
            endpoint_url=env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
        ).create_bucket(Bucket=BUCKET)

    def release(self, env: dict[str, str]) -> None:
        """The release step: migrate, collect static files, seed the demo shop once."""
        release_env = self.node_env(env, "release")
        self.manage(release_env, "migrate", "--noinput", "-v", "0")
        self.manage(release_env, "createcachetable")
        self.manage(release_env, "collectstatic", "--noinput", "-v", "0")
        if self.args.seed:
            # The demo stores its pictures through the storage API: straight into the bucket.
            self.manage(release_env, "seed_demo", "--small" if self.args.small else "--if-empty")

    def start_web(self, env: dict[str, str]) -> list[str]:
        urls = []
        for index in range(1, self.args.web_nodes + 1):
            name = f"web{index}"
            port = self.args.port + index
            node_env = self.node_env(env, name)
            # Each node runs from its own folder (the code is found through PYTHONPATH).
            node_env["PYTHONPATH"] = str(ROOT)
            command = [
                self.python, "-m", "uvicorn", "config.asgi:application",
                "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(self.args.web_workers),
                "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1",
                "--timeout-graceful-shutdown", "10", "--log-level", "warning",
            ]  # fmt: skip
            self.spawn(name, command, node_env, cwd=self.workdir / name)
            urls.append(f"http://127.0.0.1:{port}")
        for index, url in enumerate(urls, start=1):
            self.wait_http(f"web{index}", url + "/healthz")
        return urls

    def start_celery(self, env: dict[str, str]) -> None:
        worker_env = {**self.node_env(env, "worker"), "PYTHONPATH": str(ROOT)}
        self.spawn(
            "worker",
            [
                self.python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                "cluster-worker@%h",
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            worker_env,
            cwd=self.workdir / "worker",
        )
        self.wait_log("worker", " ready.")
        for index in range(1, self.args.beats + 1):
            name = f"beat{index}"
            beat_env = {**self.node_env(env, name), "PYTHONPATH": str(ROOT)}
            self.spawn(
                name,
                [
                    self.python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(self.workdir / name / "celerybeat-schedule"),
                ],  # fmt: skip
                beat_env,
                cwd=self.workdir / name,
            )

    def start_nginx(self, urls: list[str]) -> str:
        nginx = nginx_binary()
        prefix = self.workdir / "nginx"
        listen = f"127.0.0.1:{self.args.port}"
        command = nginx_prepare(
            prefix=prefix,
            listen=listen,
            upstreams=urls,
            max_body=self.args.max_body,
            static_root=self.workdir / "static",
            logs=self.workdir / "logs",
            nginx=nginx,
        )
        self.spawn("nginx", command, os.environ.copy())
        proxy = f"http://{listen}"
        self.wait_http("nginx", proxy + "/healthz")
        return proxy

    # --- life cycle ------------------------------------------------------------------------------------

    def start(self) -> dict[str, object]:
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        (self.workdir / "logs").mkdir(parents=True)
        env = self.base_env()
        self.start_s3(env)
        self.release(env)
        urls = self.start_web(env)
        self.start_celery(env)
        proxy = self.start_nginx(urls)
        return {
            "proxy": proxy,
            "nodes": urls,
            "s3": env["AWS_S3_ENDPOINT_URL"],
            "bucket": BUCKET,
            "workdir": str(self.workdir),
            "env": {key: env[key] for key in ("DJANGO_SECRET_KEY", "REDIS_URL") if key in env},
        }

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log(f"{name}: did not stop in 20 s; killing")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log("stopped")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--web-nodes", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=1, help="uvicorn workers per node")
    parser.add_argument("--beats", type=int, default=1)
    parser.add_argument("--port", type=int, default=8100, help="nginx; nodes take the next ports")
    parser.add_argument("--s3-port", type=int, default=9100)
    parser.add_argument("--max-body", default="12m")
    parser.add_argument("--workdir", default=str(ROOT / "var" / "cluster"))
    parser.add_argument("--no-seed", dest="seed", action="store_false")
    parser.add_argument("--small", action="store_true", help="seed the small demo")
    parser.add_argument("--ready-file")
    args = parser.parse_args()

    cluster = Cluster(args)
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        info = cluster.start()
        log(f"up: {info['proxy']} (nodes {', '.join(info['nodes'])}); Ctrl-C stops")  # type: ignore[arg-type]
        if args.ready_file:
            Path(args.ready_file).write_text(json.dumps(info))
        while not stopping:
            cluster.report_exits()
            time.sleep(0.5)
        return 0
    except Exception as exc:  # noqa: BLE001 - report, stop what started, fail
        log(f"failed: {exc}")
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
