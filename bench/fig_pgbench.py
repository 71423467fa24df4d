"""The machine's write ceiling: pgbench's TPC-B-like transactions per second on the same PostgreSQL.

A scratch database (<bench db>_pgbench) is initialised at scale 10 (1 M accounts, 10 branches, so 4
clients do not all queue on one branch row) and run with 4 clients for a fixed time. It is the
baseline of figure 1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from urllib.parse import urlparse

from .common import Figure, SkipFigure, db_name, ensure_database, url_with_db

SCALE = 10
CLIENTS = 4


def pgbench_path() -> str | None:
    for candidate in (shutil.which("pgbench"), "/usr/lib/postgresql/15/bin/pgbench"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def pg_args(url: str) -> tuple[list[str], dict]:
    p = urlparse(url)
    args = ["-h", p.hostname or "127.0.0.1", "-p", str(p.port or 5432), "-U", p.username or "postgres"]
    env = dict(os.environ)
    if p.password:
        env["PGPASSWORD"] = p.password
    return args, env


def run(ctx) -> list[Figure]:
    exe = pgbench_path()
    if exe is None:
        raise SkipFigure("pgbench not found (apt-get install postgresql-client)")
    url = url_with_db(ctx.url, db_name(ctx.url) + "_pgbench")
    ensure_database(url)
    conn, env = pg_args(url)
    dbname = db_name(url)
    ctx.log(f"pgbench -i -s {SCALE} {dbname}")
    subprocess.run([exe, "-i", "-q", "-s", str(SCALE), *conn, dbname], env=env, check=True,
                   capture_output=True, text=True, timeout=600)
    seconds = int(ctx.seconds(10, 30))
    ctx.log(f"pgbench -c {CLIENTS} -j 2 -T {seconds} -M prepared")
    out = subprocess.run([exe, "-c", str(CLIENTS), "-j", "2", "-T", str(seconds), "-M", "prepared", *conn, dbname],
                         env=env, check=True, capture_output=True, text=True, timeout=seconds + 120).stdout
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    if not m:
        raise RuntimeError("could not read tps from pgbench output:\n" + out)
    tps = float(m.group(1))
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    ctx.shared["pgbench_tps"] = tps
    return [
        Figure(
            key="1b_pgbench",
            title="写入上限 pgbench TPC-B",
            value=round(tps),
            unit="tps",
            baseline_name="",
            target="(baseline of figure 1)",
            detail={"scale": SCALE, "clients": CLIENTS, "threads": 2, "seconds": seconds, "mode": "prepared",
                    "latency_avg_ms": float(lat.group(1)) if lat else None, "database": dbname},
        )
    ]
