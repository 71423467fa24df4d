"""The processes of a run: a fresh database from a template, the Redis db, gunicorn web servers,
`yiwang worker`s and HAProxy — each in its own process group, so that kill -9 takes a whole web
server (master and workers, as a machine that dies) and stopping the run leaves nothing behind."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..common import ROOT, child_env, db_name, url_with_db

BIN = Path(sys.executable).parent


def keys_env() -> dict[str, str]:
    """Real keys (production settings refuse the published ones): the caller's, else var/'s (made once)."""
    if os.environ.get("YIWANG_SECRET_KEY") or os.environ.get("YIWANG_SECRET_KEY_FILE"):
        return {}
    from yiwang.localkeys import ensure_keys

    var = ROOT / "var"
    ensure_keys(var)
    return {"YIWANG_SECRET_KEY_FILE": str(var / "secret_key"), "YIWANG_MASTER_KEY_FILE": str(var / "master_key")}


def run_env(url: str, redis_url: str, prefix: str) -> dict[str, str]:
    env = child_env(url)
    env.update(keys_env())
    env.update({"YIWANG_REDIS_URL": redis_url, "YIWANG_REDIS_PREFIX": prefix, "YIWANG_LOG_LEVEL": "ERROR",
                "YIWANG_NOTIFICATION_SENDER": "bench.cluster.sink.RecordingSender"})
    return env


def psql(url: str, sql: str, *params, server: bool = False) -> list[tuple]:
    """One statement on the run's database, or (server=True) on the server's `postgres` database."""
    import psycopg

    with psycopg.connect(url_with_db(url, "postgres") if server else url, autocommit=True) as conn:
        cur = conn.execute(sql, params or None)
        return cur.fetchall() if cur.description else []


def template_stamp(env: dict[str, str]) -> str:
    """What the template depends on: every migration, the demo data, and the seal master key."""
    h = hashlib.sha256()
    files = sorted(ROOT.glob("yiwang/*/migrations/*.py")) + sorted((ROOT / "yiwang" / "demo").rglob("*.*"))
    for p in files:
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(ROOT)).encode() + p.read_bytes())
    key_file = env.get("YIWANG_MASTER_KEY_FILE", "")
    h.update((env.get("YIWANG_MASTER_KEY", "") + (Path(key_file).read_text() if key_file else "")).encode())
    return "yiwang-cluster-template " + h.hexdigest()[:16]


TEMPLATE = "yiwang_cluster_tpl"


def fresh_database(url: str, env: dict[str, str], log) -> None:
    """Drop the run's database and copy it from yiwang_cluster_tpl (migrated, demo loaded), which is
    rebuilt only when a migration, the demo data or the master key changed (≈ 2 minutes)."""
    name, tpl = db_name(url), TEMPLATE
    stamp = template_stamp(env)
    rows = psql(url, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", tpl,
                 server=True)
    if not rows or rows[0][0] != stamp:
        log(f"building the template database {tpl} (migrate, load_demo)")
        psql(url, f'DROP DATABASE IF EXISTS "{tpl}" WITH (FORCE)', server=True)
        psql(url, f'CREATE DATABASE "{tpl}"', server=True)
        tpl_env = dict(env, YIWANG_DATABASE_URL=url_with_db(url, tpl))
        for cmd in (["migrate", "--noinput"], ["load_demo"]):
            subprocess.run([str(BIN / "yiwang"), *cmd], cwd=ROOT, env=tpl_env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        psql(url, f"COMMENT ON DATABASE \"{tpl}\" IS '{stamp}'", server=True)
    psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', server=True)
    psql(url, f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"', server=True)


def flush_redis(redis_url: str) -> None:
    """Empty the run's own Redis database (a number no one else uses: YIWANG_CLUSTER_REDIS_URL)."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


class Proc:
    """One supervised process group: started, killed with SIGKILL, restarted, stopped."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logdir: Path, port: int | None = None):
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.log_path = logdir / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                          stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.popen.pid, sig)  # the group this process leads (start_new_session)
        except ProcessLookupError:
            pass

    def kill9(self) -> None:
        if not self.alive:
            return
        self._signal_group(signal.SIGKILL)
        self.popen.wait()
        self.kills += 1

    def stop(self) -> None:
        if not self.alive:  # never signal a group whose leader is gone: its number may be reused
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGKILL)  # whatever is left of the group, the master's children included
        self.popen.wait()

    def wait_up(self, seconds: float = 90) -> None:
        """Until the web server answers /api/v1/ping on its own port."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/ping")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer on :{self.port} within {seconds} s")


def web(name: str, port: int, env: dict[str, str], logdir: Path) -> Proc:
    workers = os.environ.get("YIWANG_CLUSTER_WEB_WORKERS", "2")
    threads = os.environ.get("YIWANG_CLUSTER_WEB_THREADS", "4")
    argv = [str(BIN / "gunicorn"), "yiwang.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", workers,
            "--worker-class", "gthread", "--threads", threads, "--keep-alive", "30", "--graceful-timeout", "10",
            "--log-level", "warning"]
    return Proc(name, argv, env, logdir, port)


def worker(name: str, env: dict[str, str], logdir: Path) -> Proc:
    return Proc(name, [str(BIN / "yiwang"), "worker", "--interval", "0.5"], env, logdir)


HAPROXY_CFG = """global
    maxconn 512
    stats socket {sock} mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # Only a failed connection is retried (the request was not sent); a request that reached a web
    # server that then died is answered 502 and left to the client, which knows whether it may repeat it.
    retries 3
    option redispatch
frontend yiwang
    bind 127.0.0.1:{port}
    default_backend web
backend web
    balance leastconn
    option httpchk GET /api/v1/ping
    http-check expect status 200
    # A loaded web server answers its check late rather than not at all: a dead one refuses the
    # connection at once (and the request is redispatched), so the check may be patient.
    timeout check 5s
    default-server inter 1s fall 2 rise 1
{servers}
"""


def haproxy_path() -> str | None:
    return shutil.which("haproxy") or (os.path.exists("/usr/sbin/haproxy") and "/usr/sbin/haproxy") or None


def balancer(port: int, backends: list[Proc], logdir: Path) -> Proc:
    """HAProxy (Debian's) in the foreground; `make cluster` installs it when it is missing."""
    exe = haproxy_path()
    if exe is None:
        raise RuntimeError("HAProxy is not installed: apt-get install haproxy (make cluster does it)")
    sock = logdir / "haproxy.sock"
    servers = "\n".join(f"    server {b.name} 127.0.0.1:{b.port} check" for b in backends)
    cfg = logdir / "haproxy.cfg"
    cfg.write_text(HAPROXY_CFG.format(sock=sock, port=port, servers=servers), encoding="utf-8")
    return Proc("haproxy", [exe, "-f", str(cfg), "-db"], dict(os.environ), logdir, port)


def haproxy_command(logdir: Path, command: str) -> str:
    """One command on HAProxy's runtime socket (e.g. `set server web/web2 state maint`)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(logdir / "haproxy.sock"))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode()
