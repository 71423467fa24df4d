"""What every figure shares: the bench database, Django set-up, timing helpers, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yiwang_bench"


def bench_url() -> str:
    return os.environ.get("YIWANG_BENCH_DATABASE_URL", DEFAULT_URL)


def url_with_db(url: str, dbname: str) -> str:
    p = urlparse(url)
    return urlunparse(p._replace(path="/" + dbname))


def db_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def ensure_database(url: str) -> bool:
    """Create the database named in url if it is missing (via the server's `postgres` database).
    Returns True when it was created."""
    import psycopg

    name = db_name(url)
    with psycopg.connect(url_with_db(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def child_env(url: str | None = None) -> dict[str, str]:
    """The environment of every process the bench starts: the bench database, production settings."""
    env = dict(os.environ)
    env["YIWANG_DATABASE_URL"] = url or bench_url()
    env["YIWANG_DEBUG"] = "0"
    env["YIWANG_DEMO"] = "1"  # the bench's accounts are the demo's, with its public password
    env["YIWANG_LOG_LEVEL"] = "ERROR"
    env["YIWANG_DB_CONN_MAX_AGE"] = "600"
    env["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def django_setup(url: str | None = None) -> None:
    """Point this process at the bench database and start Django (idempotent)."""
    for k, v in child_env(url).items():
        if k.startswith(("YIWANG_", "DJANGO_")):
            os.environ[k] = v
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "max_ms": round(max(ms), 3),
    }


def rate(fn, *, seconds: float, batch: int = 1000) -> tuple[float, int]:
    """Calls of fn() per second over about `seconds` of wall time (checked every `batch` calls)."""
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(batch):
            fn()
        n += batch
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start), n


def rss_peak_kb(pid: int) -> int | None:
    """VmHWM (peak resident set) of a process, in kB; None if it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children_of(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
        except OSError:
            continue
        # the ppid is the 2nd field after the parenthesised command name
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(p.name))
    return out


def machine() -> dict:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "loadavg_at_start": list(os.getloadavg()),
    }
    try:
        import psycopg

        with psycopg.connect(bench_url()) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            for name in ("shared_buffers", "synchronous_commit", "fsync", "max_connections"):
                info[f"pg_{name}"] = conn.execute(f"SHOW {name}").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - the machine description must not stop the run
        info["postgresql"] = f"unknown ({exc.__class__.__name__})"
    try:
        info["git_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        pass
    return info


@dataclass
class Figure:
    """One line (or a few) of the table: a measure, its baseline in the same run, and the ratio."""

    key: str
    title: str
    value: float | None = None
    unit: str = ""
    baseline_name: str = ""
    baseline: float | None = None
    baseline_unit: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    detail: dict = field(default_factory=dict)
    skipped: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


class SkipFigure(Exception):
    """Raised by a figure that cannot run here (the case engine not there yet, a tool missing)."""
