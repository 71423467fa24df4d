"""`python -m bench` — run the figures, print the table, write bench/results.json.

    python -m bench                     # 10 000 cases, short runs (what `make bench` does)
    python -m bench --scale 1000000     # the real run
    python -m bench --only calendar     # one figure (calendar, pgbench, data, http, lifecycle, queues,
                                        # recompute, datasharing, supervision, dashboard, policies, sm2); several with commas

The database is YIWANG_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/yiwang_bench),
created when missing. Never point it at a database whose data you want: the bench generates cases in it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

from .common import Figure, SkipFigure, bench_url, django_setup, ensure_database, machine

# (name, module): the order is the order they run in; later figures use what earlier ones measured
# (pgbench's tps) or made (the data set the HTTP, queue and recompute figures run against).
FIGURES = [
    ("calendar", "bench.fig_calendar"),
    ("sm2", "bench.fig_sm2"),
    ("pgbench", "bench.fig_pgbench"),
    ("data", "bench.datagen"),
    ("http", "bench.fig_http"),
    ("lifecycle", "bench.fig_lifecycle"),
    ("queues", "bench.fig_queues"),
    ("recompute", "bench.fig_recompute"),
    ("datasharing", "bench.fig_datasharing"),
    ("supervision", "bench.fig_supervision"),
    ("dashboard", "bench.fig_dashboard"),
    ("policies", "bench.fig_policies"),
]


class Context:
    def __init__(self, args):
        self.scale: int = args.scale
        self.seed: int = args.seed
        self.url: str = bench_url()
        self.quick: bool = args.scale < 100_000
        self.results: dict[str, list[Figure]] = {}
        self.shared: dict = {}  # what one figure hands to another (pgbench tps, peak RSS, …)
        self.regenerate: bool = args.regenerate

    def seconds(self, quick: float, full: float) -> float:
        return quick if self.quick else full

    def log(self, msg: str) -> None:
        print(f"  · {msg}", flush=True)


def fmt(v, unit="") -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v >= 100:
        v = round(v)
    if isinstance(v, float):
        s = f"{v:.3g}" if v < 10 else f"{v:.1f}"
    else:
        s = f"{v:,}" if isinstance(v, int) else str(v)
    return f"{s} {unit}".strip()


def table(figures: list[Figure]) -> str:
    rows = [("figure", "measure", "value", "baseline (same run)", "ratio", "target", "met")]
    for f in figures:
        if f.skipped:
            rows.append((f.key, f.title, "skipped", f.skipped[:60], "", f.target, ""))
            continue
        base = f"{f.baseline_name}: {fmt(f.baseline, f.baseline_unit)}" if f.baseline_name else ""
        met = {True: "yes", False: "NO", None: ""}[f.met]
        rows.append((f.key, f.title, fmt(f.value, f.unit), base, fmt(f.ratio), f.target, met))
    widths = [max(_w(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(_pad(c, widths[i]) for i, c in enumerate(r)).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _w(s: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(s))


def _pad(s: str, width: int) -> str:
    return str(s) + " " * (width - _w(s))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--scale", type=int, default=10_000, help="cases to generate (10000 quick, 1000000 real)")
    p.add_argument("--only", default="", help="comma-separated figure names: " + ", ".join(n for n, _ in FIGURES))
    p.add_argument("--seed", type=int, default=20260101, help="seed of the data generator and the request mix")
    p.add_argument("--regenerate", action="store_true", help="generate the data set even if it is there")
    p.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    args = p.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - {n for n, _ in FIGURES}
    if unknown:
        p.error("unknown figure(s): " + ", ".join(sorted(unknown)))

    ctx = Context(args)
    started = time.time()
    print(f"Yiwang bench — scale {args.scale:,} cases, database {ctx.url}", flush=True)
    if ensure_database(ctx.url):
        print(f"  · created database {ctx.url.rsplit('/', 1)[-1]}", flush=True)
    django_setup(ctx.url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from yiwang.demo.loader import load_demo

    load_demo()
    info = machine()
    print(f"  · machine: {info['nproc']} CPU ({info['cpu']}), {info['memory_gb']} GB, "
          f"PostgreSQL {info['postgresql']}, load {info['loadavg_at_start'][0]:.2f}", flush=True)

    all_figures: list[Figure] = []
    for name, module in FIGURES:
        if only and name not in only:
            continue
        print(f"[{name}]", flush=True)
        t0 = time.perf_counter()
        try:
            figures = importlib.import_module(module).run(ctx)
        except SkipFigure as skip:
            figures = [Figure(key=name, title=name, skipped=str(skip))]
        except Exception as exc:  # noqa: BLE001 - one broken figure must not hide the others
            traceback.print_exc()
            figures = [Figure(key=name, title=name, skipped=f"error: {exc.__class__.__name__}: {exc}")]
        for f in figures:
            f.detail.setdefault("wall_seconds", round(time.perf_counter() - t0, 1))
        ctx.results[name] = figures
        all_figures += figures
        for f in figures:
            print(f"  = {f.key}: {fmt(f.value, f.unit)}" + (f" (ratio {fmt(f.ratio)})" if f.ratio else "")
                  + (f" skipped: {f.skipped}" if f.skipped else ""), flush=True)

    print()
    print(table(all_figures))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started))
    out = {
        "scale": args.scale,
        "seed": args.seed,
        "started_at": stamp,
        "wall_seconds": round(time.time() - started, 1),
        "machine": info,
        "figures": [dict(f.as_dict(), figure=name, measured_at=stamp)
                    for name, figs in ctx.results.items() for f in figs],
    }
    out = _merged(Path(args.out), out, only)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out} ({out['wall_seconds']} s)")
    return 0


def _merged(path: Path, out: dict, only: set[str]) -> dict:
    """A run of some figures (--only) at the scale of the file's run replaces those figures and keeps the
    others, each with its own `measured_at`; any other run replaces the file."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return out
    if not only or old.get("scale") != out["scale"]:
        return out
    order = [n for n, _ in FIGURES]
    kept = [f for f in old.get("figures", []) if f.get("figure") not in only]
    figures = sorted(kept + out["figures"], key=lambda f: order.index(f["figure"]) if f.get("figure") in order
                     else len(order))
    return dict(old, figures=figures, partial_runs=[*old.get("partial_runs", []),
                                                    {"started_at": out["started_at"], "only": sorted(only),
                                                     "wall_seconds": out["wall_seconds"]}])


if __name__ == "__main__":
    sys.exit(main())
