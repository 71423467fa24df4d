"""One harness, two presets: `make cluster` (two web servers behind HAProxy and two workers, a
same-run baseline of one of each, kill -9 of a web server and a worker) and `make soak` (one web
server and one worker, each killed several times). See docs/deployment.md for the figures."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..common import ROOT, db_name, django_setup, url_with_db
from . import procs
from .load import Api, Load, evaluation_timers_forward, lock_sampler
from .reconcile import read_back


@dataclass
class Preset:
    name: str
    seconds: float
    webs: int
    workers: int
    balancer: bool
    # (name, share of the run, webs, workers, kills: [(share of the phase, process name)])
    phases: list = field(default_factory=list)
    db: str = ""
    redis_db: int = 12
    port: int = 18080


def preset(name: str) -> Preset:
    seconds = float(os.environ.get(f"YIWANG_{name.upper()}_SECONDS", "60" if name == "cluster" else "120"))
    if name == "cluster":
        kills = [(0.1, "web1"), (0.35, "worker1"), (0.6, "web2"), (0.8, "worker2")]
        return Preset("cluster", seconds, 2, 2, True, db="yiwang_cluster", redis_db=12, port=18080, phases=[
            ("1 web + 1 worker", 0.3, 1, 1, []), ("2 web + 2 workers", 0.3, 2, 2, []),
            ("2 web + 2 workers, kill -9", 0.4, 2, 2, kills)])
    if name == "soak":
        kills = [((i + 0.5) / 8, "web1" if i % 2 == 0 else "worker1") for i in range(8)]
        return Preset("soak", seconds, 1, 1, False, db="yiwang_soak", redis_db=13, port=18180, phases=[
            ("1 web + 1 worker, kill -9", 1.0, 1, 1, kills)])
    raise SystemExit(f"unknown preset {name!r}: cluster or soak")


class Run:
    def __init__(self, p: Preset):
        self.p = p
        # The PostgreSQL server (YIWANG_CLUSTER_DATABASE_URL); the run's database on it is always p.db.
        server = os.environ.get("YIWANG_CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        self.url = url_with_db(server, p.db)
        self.redis_url = os.environ.get("YIWANG_CLUSTER_REDIS_URL", f"redis://127.0.0.1:6379/{p.redis_db}")
        self.prefix = f"yiwang-{p.name}"
        self.logdir = ROOT / "var" / p.name
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.env = procs.run_env(self.url, self.redis_url, self.prefix)
        self.procs: dict[str, procs.Proc] = {}
        self.phases: list[tuple[str, float, float]] = []
        self.kills: list[tuple[float, str]] = []

    def log(self, msg: str) -> None:
        print(f"  · {msg}", flush=True)

    def setup(self) -> None:
        procs.fresh_database(self.url, self.env, self.log)
        procs.flush_redis(self.redis_url)
        for i in range(1, self.p.webs + 1):
            self.procs[f"web{i}"] = procs.web(f"web{i}", self.p.port + i, self.env, self.logdir)
        for i in range(1, self.p.workers + 1):
            self.procs[f"worker{i}"] = procs.worker(f"worker{i}", self.env, self.logdir)
        webs = [self.procs[f"web{i}"] for i in range(1, self.p.webs + 1)]
        for w in webs:
            w.start()
        for w in webs:
            w.wait_up()
        self.port = webs[0].port
        if self.p.balancer:
            self.procs["haproxy"] = lb = procs.balancer(self.p.port, webs, self.logdir)
            lb.start()
            lb.wait_up(30)
            self.port = self.p.port

    def plan(self) -> tuple[dict, list[dict], dict]:
        """The item, its bodies and the two tokens (Django in this process, on the run's database)."""
        os.environ.update({k: v for k, v in self.env.items() if k.startswith(("YIWANG_", "DJANGO_"))})
        django_setup(self.url)
        from .. import casespec
        from ..fig_lifecycle import choose_plan

        ctx = type("Ctx", (), {"url": self.url})()
        plan = choose_plan(ctx)
        if not plan["form"]:
            raise RuntimeError(f"{plan['item']} has no form field to carry the submission's reference")
        plan["ref_field"] = next(iter(plan["form"]))
        bodies = casespec.submit_bodies(random.Random(7), 500, plan)
        api, tokens = Api(self.port), {}
        for role, user in (("clerk", plan["clerk"]), ("approver", plan["approver"])):
            status, doc = api.call("POST", "/api/v1/auth/token", "", {"username": user, "password": casespec.PASSWORD})
            if status != 200:
                raise RuntimeError(f"token for {user}: {status} {doc}")
            tokens[role] = doc["token"]
        api.close()
        from django.db import connections

        connections.close_all()
        return plan, bodies, tokens

    def topology(self, webs: int, workers: int) -> None:
        """Bring the running set to `webs` web servers (the others in maintenance) and `workers` workers."""
        for i in range(1, self.p.workers + 1):
            w = self.procs[f"worker{i}"]
            if i <= workers and not w.alive:
                w.start()
            elif i > workers and w.alive:
                w.stop()
        if self.p.balancer:
            for i in range(1, self.p.webs + 1):
                state = "ready" if i <= webs else "maint"
                procs.haproxy_command(self.logdir, f"set server web/web{i} state {state}")

    def chaos(self, kills: list[tuple[float, str]], t0: float, length: float) -> threading.Thread:
        def go():
            back = t0
            for share, name in kills:
                # on schedule, but never sooner than 5 s after the last one came back (load in between)
                time.sleep(max(0.0, t0 + share * length - time.time(), back + 5.0 - time.time()))
                proc = self.procs[name]
                proc.kill9()
                self.kills.append((time.time(), name))
                self.log(f"kill -9 {name} (process group {proc.popen.pid}) at +{time.time() - t0:.1f} s")
                time.sleep(2.0)  # down for a while, as a machine that reboots
                proc.start()
                if proc.port:
                    proc.wait_up()
                back = time.time()
                self.log(f"{name} restarted at +{back - t0:.1f} s")

        t = threading.Thread(target=go, name="chaos", daemon=True)
        t.start()
        return t

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.stop()


def run_load(run: Run, plan: dict, bodies: list[dict], tokens: dict) -> tuple[Load, object]:
    since = procs.psql(run.url, "SELECT now()")[0][0]  # the database's clock: created_at is compared with it
    load = Load(port=run.port, plan=plan, bodies=bodies, tokens=tokens, run_id=f"{run.p.name[:2]}{int(time.time())}",
                threads=int(os.environ.get("YIWANG_CLUSTER_CLIENTS", "8")), db_url=run.url)
    load.helpers_stop, load.locks = threading.Event(), {}
    for target, args in ((evaluation_timers_forward, (run.url, since, load.helpers_stop)),
                         (lock_sampler, (run.url, load.helpers_stop, load.locks))):
        threading.Thread(target=target, args=args, daemon=True).start()
    load.start()
    for name, share, webs, workers, kills in run.p.phases:
        run.topology(webs, workers)
        t0, length = time.time(), share * run.p.seconds
        run.log(f"phase “{name}”: {length:.0f} s" + (" and until the last one killed is back" if kills else ""))
        chaos = run.chaos(kills, t0, length) if kills else None
        time.sleep(max(0.0, t0 + length - time.time()))
        if chaos is not None:
            chaos.join(timeout=600)  # a phase with kills lasts until its last restart
        run.phases.append((name, t0, time.time()))
    load.stop(drain_seconds=float(os.environ.get("YIWANG_CLUSTER_DRAIN_SECONDS", "60")))
    return load, since


def main(name: str) -> int:
    p = preset(name)
    run = Run(p)
    exe = procs.haproxy_path() if p.balancer else None
    print(f"make {p.name}: {p.webs} web server(s) (gunicorn) {'behind HAProxy ' + exe if exe else 'direct'}, "
          f"{p.workers} worker(s), PostgreSQL {db_name(run.url)}, Redis {run.redis_url}, {p.seconds:.0f} s", flush=True)
    try:
        run.setup()
        plan, bodies, tokens = run.plan()
        run.log(f"item {plan['item']}, clerk {plan['clerk']}, approver {plan['approver']}; load on :{run.port}")
        load, since = run_load(run, plan, bodies, tokens)
        result = read_back(run, load, since)
        load.helpers_stop.set()
        result["lock_samples"] = load.locks
    finally:
        run.stop_all()
    from .report import print_report

    out = Path(run.logdir / "results.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return print_report(run, result)
