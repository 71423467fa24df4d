"""Figure: a reproducible 双随机 draw over 200 000 enterprises and 2 000 inspectors, with the cap and
conflicts applied, against `ORDER BY random() LIMIT k` per risk class over the same candidates, in the
same run.

The data live in temporary tables of this session (nothing is left behind): candidates with a risk
class, 2 % of them already inspected this year (the cap), 2 000 declared conflicts. Both sides read
the candidates that the cap leaves; the draw then ranks every one by SM3(seed ‖ id) and assigns two
inspectors per target (rules.draw), the baseline lets PostgreSQL pick k at random per class — not
reproducible, no inspectors.
"""

from __future__ import annotations

import random
import statistics
import time

from .common import Figure, SkipFigure

ENTERPRISES = 200_000
INSPECTORS = 2_000
RISK_MIX = ["low"] * 70 + ["medium"] * 20 + ["medium_high"] * 8 + ["high"] * 2


def _setup(cursor, rng: random.Random) -> list[str]:
    cursor.execute("CREATE TEMP TABLE bench_cand (uscc varchar(18) PRIMARY KEY, risk varchar(16) NOT NULL)")
    cursor.execute("CREATE TEMP TABLE bench_capped (uscc varchar(18) PRIMARY KEY)")
    rows = [(f"91430321MA{i:08d}", rng.choice(RISK_MIX)) for i in range(ENTERPRISES)]
    cursor.executemany("INSERT INTO bench_cand VALUES (%s, %s)", rows)
    capped = rng.sample([u for u, _ in rows], ENTERPRISES // 50)
    cursor.executemany("INSERT INTO bench_capped VALUES (%s)", [(u,) for u in capped])
    cursor.execute("ANALYZE bench_cand")
    cursor.execute("ANALYZE bench_capped")
    return [u for u, _ in rows]


ELIGIBLE = "FROM bench_cand c WHERE NOT EXISTS (SELECT 1 FROM bench_capped x WHERE x.uscc = c.uscc)"


def _ours(cursor, seed: str, inspectors: tuple, pairs: list, split: list) -> int:
    from yiwang.supervision import rules

    t0 = time.perf_counter()
    cursor.execute(f"SELECT uscc, risk {ELIGIBLE} ORDER BY uscc")
    cands = tuple(cursor.fetchall())
    split.append(time.perf_counter() - t0)  # reading the list out, apart from ranking it
    conflicts = frozenset(rules.conflict_token(seed, i, c) for i, c in pairs)
    rules.candidates_hash(cands)  # the frozen list's hash is part of every draw
    result = rules.draw(rules.DrawInput(seed=seed, candidates=cands, inspectors=inspectors, conflicts=conflicts))
    return len(result.targets)


def _baseline(cursor) -> int:
    from yiwang.supervision import rules

    cursor.execute(f"SELECT risk, count(*) {ELIGIBLE} GROUP BY risk")
    n = 0
    for risk, count in cursor.fetchall():
        k = rules.quota(count, rules.DEFAULT_RATIOS[risk])
        cursor.execute(f"SELECT uscc {ELIGIBLE} AND c.risk = %s ORDER BY random() LIMIT %s", [risk, k])
        n += len(cursor.fetchall())
    return n


def run(ctx) -> list[Figure]:
    from django.db import connection, transaction

    from yiwang.supervision import rules

    if connection.vendor != "postgresql":
        raise SkipFigure("needs PostgreSQL (ORDER BY random() over temp tables)")
    rng = random.Random(ctx.seed)
    inspectors = tuple(f"4303210{i:05d}" for i in range(INSPECTORS))
    repeats = 3 if ctx.quick else 5
    with transaction.atomic(), connection.cursor() as cursor:
        ids = _setup(cursor, rng)
        pairs = [(rng.choice(inspectors), rng.choice(ids)) for _ in range(2_000)]
        ours, base, reads, targets = [], [], [], (0, 0)
        for r in range(repeats):
            t0 = time.perf_counter()
            n_ours = _ours(cursor, f"bench-seed-{r}", inspectors, pairs, reads)
            t1 = time.perf_counter()
            n_base = _baseline(cursor)
            t2 = time.perf_counter()
            ours.append(t1 - t0)
            base.append(t2 - t1)
            targets = (n_ours, n_base)
        transaction.set_rollback(True)
    ours_s, base_s = statistics.median(ours), statistics.median(base)
    ratio = base_s / ours_s
    return [Figure(
        key="15_draw", title="双随机抽取（SM3排序、年度上限、回避、每户2人）", value=round(ours_s * 1000),
        unit="ms", baseline_name="ORDER BY random() LIMIT k per risk class", baseline=round(base_s * 1000),
        baseline_unit="ms", ratio=round(ratio, 2), target="≥ 0.5 (baseline time / draw time)", met=ratio >= 0.5,
        detail={"enterprises": ENTERPRISES, "inspectors": INSPECTORS, "capped": ENTERPRISES // 50,
                "conflicts": len(pairs), "targets": targets[0], "baseline_targets": targets[1], "repeats": repeats,
                "sm3": rules.SM3_IMPLEMENTATION, "read_ms": round(statistics.median(reads) * 1000),
                "draw_runs_ms": [round(x * 1000) for x in ours], "baseline_runs_ms": [round(x * 1000) for x in base]},
    )]
