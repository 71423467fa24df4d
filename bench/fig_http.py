"""Figure 2 (HTTP through the production server) and figure 6 (peak memory of web and worker).

gunicorn serves yiwang.wsgi on 127.0.0.1 and a free port (2 worker processes × 4 threads, DEBUG
off); `yiwang worker` runs beside it. A load generator in its own process (bench/loadgen.py) hits
one endpoint at a time for a fixed time: GET /api/v1/ping (the minimal JSON endpoint: the baseline),
POST /api/v1/cases and GET /api/v1/cases/{number} as the window clerk with a bearer token.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

from .common import ROOT, Figure, SkipFigure, child_env, children_of, rss_peak_kb

# gunicorn on 2 cores: 2 processes × 4 threads (the threads overlap the database waits, ≈ 40 % of a
# request); YIWANG_BENCH_WORKERS / YIWANG_BENCH_THREADS to try another shape.
WORKERS = int(os.environ.get("YIWANG_BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("YIWANG_BENCH_THREADS", "4"))
CONCURRENCY = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, dict | str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    resp = conn.getresponse()
    raw = resp.read().decode()
    conn.close()
    try:
        return resp.status, json.loads(raw)
    except ValueError:
        return resp.status, raw


def wait_up(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if request(port, "GET", "/api/v1/ping")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /api/v1/ping within a minute")


def load(ctx, port: int, method: str, paths: list[str], bodies=None, headers=None) -> dict:
    spec = {"host": "127.0.0.1", "port": port, "method": method, "paths": paths, "bodies": bodies,
            "headers": headers or {}, "seconds": ctx.seconds(5, 15), "warmup": 1.0, "concurrency": CONCURRENCY}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)
    try:
        out = subprocess.run([sys.executable, "-m", "bench.loadgen", f.name], cwd=ROOT, env=child_env(ctx.url),
                             capture_output=True, text=True, timeout=spec["seconds"] + 120, check=True).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out.strip().splitlines()[-1])


def bare_django_rss_kb(ctx) -> int:
    """The floor: peak RSS of a process that only starts Django and imports the URL conf."""
    code = ("import django, resource; django.setup(); import yiwang.urls; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(ctx.url), capture_output=True,
                         text=True, check=True).stdout
    return int(out.strip().splitlines()[-1])


def has_worker_command() -> bool:
    from django.core.management import get_commands

    return "worker" in get_commands()


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run(ctx) -> list[Figure]:
    from . import casespec

    port = free_port()
    env = child_env(ctx.url)
    exe = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [exe, "yiwang.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--worker-class", "gthread", "--threads", str(THREADS), "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    worker = None
    if has_worker_command():
        worker = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "yiwang"), "worker"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures: list[Figure] = []
    results: dict[str, dict] = {}
    try:
        wait_up(port, server)
        ctx.log(f"gunicorn on 127.0.0.1:{port}: {WORKERS} workers × {THREADS} threads; load {CONCURRENCY} clients")
        results["ping"] = ping = load(ctx, port, "GET", ["/api/v1/ping"])
        ctx.log(f"GET /api/v1/ping: {ping['rps']} req/s, p50 {ping['p50_ms']} ms, p99 {ping['p99_ms']} ms")
        figures.append(Figure(key="2a_ping", title="HTTP GET /api/v1/ping（基线）", value=ping["rps"], unit="req/s",
                              target="(baseline of figure 2)", detail=ping))

        status, token = request(port, "POST", "/api/v1/auth/token",
                                {"username": casespec.CLERK, "password": casespec.PASSWORD})
        if status != 200:
            raise RuntimeError(f"POST /api/v1/auth/token as {casespec.CLERK}: {status} {token}")
        auth = {"Authorization": f"Bearer {token['token']}"}
        reason = casespec.http_ready(port, request, auth)
        if reason:
            figures.append(Figure(key="2b_submit", title="HTTP POST /api/v1/cases", skipped=reason,
                                  target="≥ 25 % of ping, p99 < 100 ms"))
            figures.append(Figure(key="2c_detail", title="HTTP GET /api/v1/cases/{number}", skipped=reason))
        else:
            from .fig_lifecycle import choose_plan

            rng = random.Random(ctx.seed)
            bodies = casespec.submit_bodies(rng, 20_000, choose_plan(ctx))
            results["submit"] = sub = load(ctx, port, "POST", ["/api/v1/cases"], bodies, auth)
            ctx.log(f"POST /api/v1/cases: {sub['rps']} req/s, p50 {sub['p50_ms']} ms, p99 {sub['p99_ms']} ms, "
                    f"statuses {sub['statuses']}")
            ok = sub["statuses"].get("201", 0) + sub["statuses"].get("200", 0)
            ratio = sub["rps"] / ping["rps"]
            figures.append(Figure(
                key="2b_submit", title="HTTP POST /api/v1/cases", value=sub["rps"], unit="req/s",
                baseline_name="GET /api/v1/ping", baseline=ping["rps"], baseline_unit="req/s",
                ratio=round(ratio, 3), target="≥ 0.25 × ping, p99 < 100 ms",
                met=ratio >= 0.25 and (sub["p99_ms"] or 1e9) < 100 and ok == sub["requests"],
                detail={**sub, "p99_ms": sub["p99_ms"], "all_2xx": ok == sub["requests"]}))
            paths = casespec.detail_paths(rng, 2000)
            results["detail"] = det = load(ctx, port, "GET", paths, None, auth)
            ctx.log(f"GET /api/v1/cases/{{number}}: {det['rps']} req/s, p50 {det['p50_ms']} ms, "
                    f"p99 {det['p99_ms']} ms, statuses {det['statuses']}")
            ratio = det["rps"] / ping["rps"]
            figures.append(Figure(
                key="2c_detail", title="HTTP GET /api/v1/cases/{number}", value=det["rps"], unit="req/s",
                baseline_name="GET /api/v1/ping", baseline=ping["rps"], baseline_unit="req/s",
                ratio=round(ratio, 3), target="p99 < 100 ms",
                met=(det["p99_ms"] or 1e9) < 100 and det["statuses"].get("200", 0) == det["requests"],
                detail=det))
        # Figure 6: peak resident memory, read before the processes end.
        web = {pid: rss_peak_kb(pid) for pid in children_of(server.pid)}
        web = {k: v for k, v in web.items() if v}
        worker_kb = rss_peak_kb(worker.pid) if worker and worker.poll() is None else None
    finally:
        stop(server)
        stop(worker)
    floor = bare_django_rss_kb(ctx)
    web_max = max(web.values()) if web else None
    figures.append(Figure(
        key="6a_mem_web", title="内存：web worker 峰值 RSS", value=round(web_max / 1024, 1) if web_max else None,
        unit="MB", baseline_name="bare django.setup() process", baseline=round(floor / 1024, 1), baseline_unit="MB",
        ratio=round(web_max / floor, 2) if web_max else None, target="(reported)",
        detail={"workers_kb": web, "threads": THREADS}))
    figures.append(Figure(
        key="6b_mem_worker", title="内存：yiwang worker 峰值 RSS",
        value=round(worker_kb / 1024, 1) if worker_kb else None, unit="MB",
        baseline_name="bare django.setup() process", baseline=round(floor / 1024, 1), baseline_unit="MB",
        ratio=round(worker_kb / floor, 2) if worker_kb else None, target="(reported)",
        skipped="" if worker_kb else "`yiwang worker` is not there (or exited)",
        detail={"note": "the worker ran beside the HTTP load: it fired timers and relayed the outbox"}))
    ctx.shared["http"] = results
    if not figures:
        raise SkipFigure("nothing measured")
    return figures
