"""The rules of supervision as plain functions (no Django, no database): the reproducible draw, the
once-a-year cap, the first-violation exemption, the credit grade and the commitment bar.

The draw must stay importable without Django: `python -m yiwang.supervision.redraw` re-runs it in a
fresh process from a published seed and a frozen candidate list.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# ---------------------------------------------------------------- SM3


def _openssl_sm3(data: bytes = b"") -> bytes:
    return hashlib.new("sm3", data).digest()


def _gmalg_sm3(data: bytes = b"") -> bytes:
    from gmalg import SM3

    h = SM3()
    h.update(data)
    return h.value()


def _sm3_digests() -> dict:
    """Every SM3 implementation this process has, fastest first: GmSSL's C (gmssl-pyx, one call per
    digest, ≈2× OpenSSL through hashlib's copy), OpenSSL 3's, gmalg's pure Python. All give the
    GB/T 32905 digest (a test pins each to it and to each other), so a published draw re-runs to the
    same result whichever one the re-running machine has."""
    found = {}
    try:
        from gmssl_pyx import sm3_hash

        found["gmssl"] = sm3_hash
    except ImportError:  # pragma: no cover - gmssl-pyx is a dependency; a re-run elsewhere may lack it
        pass
    try:
        hashlib.new("sm3", b"")
        found["openssl"] = _openssl_sm3
    except ValueError:  # pragma: no cover - an OpenSSL without SM3
        pass
    found["python"] = _gmalg_sm3
    return found


SM3_IMPLEMENTATIONS = _sm3_digests()
SM3_IMPLEMENTATION = next(iter(SM3_IMPLEMENTATIONS))
sm3_digest = SM3_IMPLEMENTATIONS[SM3_IMPLEMENTATION]


def sm3_hex(data: bytes) -> str:
    return sm3_digest(data).hex()


# ---------------------------------------------------------------- the draw

RISK_CLASSES = {"high": "高风险", "medium_high": "中高风险", "medium": "中风险", "low": "低风险"}
# 河南 2021 risk-based ratios (percent): 30 %, 10 %, 2 %, 1 % — a plan may set its own.
DEFAULT_RATIOS = {"high": "30", "medium_high": "10", "medium": "2", "low": "1"}
MIN_INSPECTORS = 2  # at least two inspectors per target (国办发〔2015〕58号, 行政处罚法第四十二条)


@dataclass(frozen=True)
class DrawInput:
    """Everything a draw depends on, as published: the seed, the frozen candidates ([id, risk class]),
    the inspectors (ids), the declared conflicts (salted tokens) and the ratios (percent per class)."""

    seed: str
    candidates: tuple[tuple[str, str], ...]
    inspectors: tuple[str, ...]
    conflicts: frozenset[str] = frozenset()  # conflict_token(seed, inspector, candidate) of each 回避
    ratios: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RATIOS))
    per_target: int = MIN_INSPECTORS
    # 联合抽查: (unit code, its roster) per unit of the visit, the leading unit first; empty for one unit.
    teams: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class DrawnTarget:
    candidate: str
    risk: str
    rank: str  # SM3(seed ‖ "|" ‖ id), hex
    inspectors: tuple[str, ...]
    teams: tuple[tuple[str, tuple[str, ...]], ...] = ()  # 联合抽查: each unit's inspectors at this target


@dataclass(frozen=True)
class DrawResult:
    targets: tuple[DrawnTarget, ...]
    short: tuple[str, ...] = ()  # candidates that could not get enough conflict-free inspectors

    def as_json(self) -> dict:
        return {"targets": [_target_json(t) for t in self.targets], "short": list(self.short)}


def _target_json(t: DrawnTarget) -> dict:
    out = {"candidate": t.candidate, "risk": t.risk, "rank": t.rank, "inspectors": list(t.inspectors)}
    if t.teams:  # only a joint draw has the key: a one-unit draw's result (and hash) is as it always was
        out["teams"] = {unit: list(names) for unit, names in t.teams}
    return out


class DrawError(ValueError):
    """The draw cannot be made as declared (a ratio out of range, too few inspectors)."""


def candidates_hash(candidates: Iterable[tuple[str, str]]) -> str:
    """SM3 of the frozen list, one "id,risk" line each, in the list's own (id) order."""
    text = "\n".join(map(",".join, candidates))
    return sm3_hex((text + "\n" if text else "").encode())


def result_hash(result: dict) -> str:
    return sm3_hex(json.dumps(result, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())


def quota(n: int, percent: str) -> int:
    """How many of n a ratio takes: rounded up, so that a class with candidates is never skipped
    at a positive ratio; 100 % takes all."""
    p = Decimal(str(percent))
    if p < 0 or p > 100:
        raise DrawError(f"抽查比例应在0到100之间，当前为{percent}%")
    return min(n, math.ceil(n * p / 100))


def conflict_token(seed: str, inspector: str, candidate: str) -> str:
    """A declared conflict as published: salted by the seed, so the list shows no one's relatives."""
    return sm3_hex(f"{seed}|conflict|{inspector}|{candidate}".encode())[:32]


def draw(inp: DrawInput) -> DrawResult:
    """Targets: per risk class, every candidate ranked by SM3(seed ‖ "|" ‖ id), the first k by the
    class's ratio; all chosen targets then in rank order. Inspectors: the roster ranked by
    SM3(seed ‖ "|inspectors|" ‖ id) is a ring; each target starts on it at its own rank (mod the
    roster's size) and takes the next `per_target` inspectors that have no declared conflict with it
    and have not reached the even share ⌈targets × per_target / inspectors⌉ (one over
    when the last targets would otherwise go short). A joint draw (联合抽查, `teams`) does this for
    each unit's roster on its own ring, SM3(seed ‖ "|inspectors|" ‖ unit ‖ "|" ‖ id): one list of
    targets, every unit's inspectors at each, a target short when any unit cannot staff it. Pure: the
    same input gives the same result in any process."""
    if inp.per_target < MIN_INSPECTORS:
        raise DrawError(f"每个检查对象至少应派{MIN_INSPECTORS}名执法检查人员")
    teams = inp.teams or (("", inp.inspectors),)
    for unit, roster in teams:
        if len(roster) < inp.per_target:
            raise DrawError(f"{unit}执法检查人员不足：需至少{inp.per_target}人，名录库中仅{len(roster)}人")
    chosen = _choose(inp)
    rings = [[i for _, i in sorted(_ranks(f"{inp.seed}|inspectors" + (f"|{unit}" if unit else ""), roster))]
             for unit, roster in teams]  # each ring by digest
    loads = [[0] * len(ring) for ring in rings]
    shares = [math.ceil(len(chosen) * inp.per_target / len(ring)) if chosen else 0 for ring in rings]
    targets, short = [], []
    for rank, cid, risk in chosen:
        start = int(rank[:15], 16)
        staffed = [_staff(inp, ring, load, share, cid, start=start % len(ring))
                   for ring, load, share in zip(rings, loads, shares, strict=True)]
        if any(picks is None for picks in staffed):
            short.append(cid)
            continue
        for load, picks in zip(loads, staffed, strict=True):
            for p in picks:
                load[p] += 1
        names = [tuple(ring[p] for p in picks) for ring, picks in zip(rings, staffed, strict=True)]
        joint = tuple((unit, n) for (unit, _), n in zip(teams, names, strict=True)) if inp.teams else ()
        targets.append(DrawnTarget(cid, risk, rank, tuple(i for n in names for i in n), joint))
    return DrawResult(tuple(targets), tuple(short))


def _choose(inp: DrawInput) -> list[tuple[str, str, str]]:
    """(rank hex, id, risk) of the targets: per class the first k by SM3(seed ‖ "|" ‖ id), in rank order."""
    by_class: dict[str, list[str]] = {}
    for cid, risk in inp.candidates:
        by_class.setdefault(risk, []).append(cid)
    chosen: list[tuple[str, str, str]] = []
    for risk in sorted(by_class):
        ids = by_class[risk]
        k = quota(len(ids), inp.ratios.get(risk, "0"))
        if k:  # digests order as their hex does; only the chosen are turned into hex
            chosen += [(rank.hex(), cid, risk) for rank, cid in heapq.nsmallest(k, _ranks(inp.seed, ids))]
    chosen.sort()
    return chosen


def _staff(inp: DrawInput, ring: list[str], load: list[int], share: int, cid: str, *, start: int) -> list[int] | None:
    picks = _walk(inp, ring, load, share, cid, start=start)
    if len(picks) < inp.per_target:  # the even share is exact at the end: let one go one over
        picks = _walk(inp, ring, load, share + 1, cid, start=start)
    return picks if len(picks) >= inp.per_target else None


def _ranks(seed: str, ids: Iterable[str]) -> list[tuple[bytes, str]]:
    # The draw's hot loop: one C call per candidate, with no Python bytecode per item.
    ids = ids if isinstance(ids, (list, tuple)) else list(ids)
    return list(zip(map(sm3_digest, map(f"{seed}|".encode().__add__, map(str.encode, ids))), ids, strict=True))


def _walk(inp: DrawInput, ring: list[str], load: list[int], share: int, cid: str, *, start: int) -> list[int]:
    picks: list[int] = []
    n = len(ring)
    for step in range(n):
        p = (start + step) % n
        if load[p] >= share:
            continue
        if inp.conflicts and conflict_token(inp.seed, ring[p], cid) in inp.conflicts:
            continue
        picks.append(p)
        if len(picks) == inp.per_target:
            break
    return picks


def draw_from_json(doc: dict) -> dict:
    """The draw from its published document ({seed, candidates, inspectors, conflicts, ratios,
    per_target}); returns {result, result_hash, candidates_hash}."""
    inp = DrawInput(
        seed=doc["seed"], candidates=tuple((str(c), str(r)) for c, r in doc["candidates"]),
        inspectors=tuple(str(i) for i in doc["inspectors"]),
        conflicts=frozenset(str(t) for t in doc.get("conflicts", [])),
        ratios={k: str(v) for k, v in doc["ratios"].items()}, per_target=int(doc.get("per_target", MIN_INSPECTORS)),
        teams=tuple((str(u), tuple(str(i) for i in r)) for u, r in doc.get("teams", [])),
    )
    result = draw(inp).as_json()
    return {"result": result, "result_hash": result_hash(result), "candidates_hash": candidates_hash(inp.candidates)}


# ---------------------------------------------------------------- the once-a-year cap

BASIS_KINDS = {"random": "双随机抽查", "key": "重点检查", "complaint": "投诉举报核查", "manual": "其他涉企检查"}


def counts_to_cap(*, check_kind: str, basis_kind: str) -> bool:
    """衡阳县: one unit inspects one enterprise at most once a year. 重点检查事项 and checks driven by a
    complaint are excepted (each with its basis recorded)."""
    return not (check_kind == "key" or basis_kind in ("key", "complaint"))


def cap_year(day: date) -> int:
    """The cap counts calendar years: 31 December and 1 January are different years."""
    return day.year


def cap_breach(earlier: Iterable[tuple[int, bool, str]], *, year: int, counts: bool) -> str | None:
    """The earlier inspection (its number) that a new one in `year` would repeat, or None.
    `earlier`: (year, counts_to_cap, number) of the unit's inspections of the enterprise."""
    if not counts:
        return None
    for y, c, number in earlier:
        if c and y == year:
            return number
    return None


# ---------------------------------------------------------------- 首违免罚


@dataclass(frozen=True)
class Exemption:
    exempt: bool
    reason: str


def exemption_decide(*, on_list: bool, minor_harm: bool, corrected: bool, occurred_on: date,
                     prior: Iterable[tuple[date, str]], period_months: int) -> Exemption:
    """A violation is exempt from penalty when it is on the unit's list, its harm is minor, it was
    corrected in time and it is the enterprise's first of that kind within the period before it
    (《行政处罚法》第三十三条). `prior`: (date, number) of earlier violations of the same list item."""
    if not on_list:
        return Exemption(False, "该违法行为不在本单位首违免罚清单内，依法处理")
    if not minor_harm:
        return Exemption(False, "危害后果不属轻微，不适用首违免罚")
    if not corrected:
        return Exemption(False, "未及时改正，不适用首违免罚")
    since = months_before(occurred_on, period_months)
    earlier = sorted((d, n) for d, n in prior if since <= d <= occurred_on)
    if earlier:
        d, n = earlier[0]
        return Exemption(False, f"该企业于{d.isoformat()}已有同类违法行为（记录 {n}），"
                                f"{period_months}个月内非首次，不予免罚")
    return Exemption(True, "首次违法、危害后果轻微并及时改正，依法不予行政处罚，予以教育指导")


def months_before(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31][m - 1]
    return date(y, m, min(day.day, last))


# ---------------------------------------------------------------- credit

CREDIT_KINDS = {
    "false_commitment": "承诺不实（事后核查不通过）",
    "inspection_rectify": "检查发现问题（责令整改）",
    "inspection_case": "检查发现违法（立案查处）",
    "penalty": "行政处罚",
    "exemption": "首违免罚（教育指导）",
    "commendation": "表彰奖励",
}
# Points per record within the window; the grade is read off the score. Overridable by
# settings.YIWANG_CREDIT_RULES (same shape).
DEFAULT_CREDIT_RULES = {
    "base": 100,
    "window_years": 3,
    "points": {"false_commitment": -40, "inspection_case": -30, "penalty": -25, "inspection_rectify": -10,
               "exemption": -2, "commendation": 5},
    "grades": [["A", 95], ["B", 80], ["C", 55], ["D", None]],  # the first whose floor the score reaches
    "risk": {"A": "low", "B": "medium", "C": "medium_high", "D": "high"},
}
GRADE_LABELS = {"A": "A级（守信）", "B": "B级（基本守信）", "C": "C级（失信风险）", "D": "D级（严重失信）"}


@dataclass(frozen=True)
class Grade:
    grade: str
    score: int
    counted: tuple[str, ...]  # the kinds that counted, for the explanation


def credit_grade(records: Iterable[tuple[str, date]], *, today: date, rules: dict | None = None) -> Grade:
    """Grade one enterprise from its live (not repaired) records (kind, date)."""
    rules = rules or DEFAULT_CREDIT_RULES
    since = date(today.year - int(rules["window_years"]), today.month, min(today.day, 28))
    score, counted = int(rules["base"]), []
    for kind, on in records:
        if since <= on <= today and kind in rules["points"]:
            score += int(rules["points"][kind])
            counted.append(kind)
    score = min(score, int(rules["base"]))
    for grade, floor in rules["grades"]:
        if floor is None or score >= floor:
            return Grade(grade, score, tuple(counted))
    return Grade(rules["grades"][-1][0], score, tuple(counted))  # pragma: no cover - last floor is None


def risk_of(grade: str, rules: dict | None = None) -> str:
    """The grade drives the draw: a lower grade is a higher risk class, with a higher ratio."""
    return (rules or DEFAULT_CREDIT_RULES)["risk"][grade]


def commitment_bar(records: Iterable[tuple[str, date, str]], *, today: date, years: int) -> str | None:
    """Why the commitment path is closed: a false commitment (failed post-check) within `years`,
    not repaired. `records`: (kind, date, reason) of live records."""
    since = date(today.year - years, today.month, min(today.day, 28))
    hits = sorted((on, reason) for kind, on, reason in records if kind == "false_commitment" and since <= on <= today)
    if not hits:
        return None
    on, reason = hits[-1]
    return (f"该主体于{on.isoformat()}有承诺不实记录（{reason}），{years}年内不适用告知承诺制，"
            "请按一般程序申请；信用修复后可恢复")


# ---------------------------------------------------------------- 信用修复

# Per record kind, the days its public display must have lasted before a repair (the shortest
# publication periods of the NDRC's 失信行为纠正后的信用信息修复管理办法: 3 months for ordinary
# records, 1 year for serious ones); kinds absent here are not repaired (a commendation, an exemption).
REPAIR_MIN_DAYS = {"false_commitment": 90, "penalty": 90, "inspection_rectify": 0, "inspection_case": 365}


def repair_refusal(*, kind: str, recorded_on: date, today: date, repaired: bool) -> str | None:
    """Why a credit record cannot be repaired now, or None."""
    if repaired:
        return "该信用记录已修复"
    if kind not in REPAIR_MIN_DAYS:
        return f"“{CREDIT_KINDS.get(kind, kind)}”不属于可修复的失信记录"
    days = REPAIR_MIN_DAYS[kind]
    earliest = date.fromordinal(recorded_on.toordinal() + days)
    if today < earliest:
        return f"该类记录须公示满{days}天后方可申请修复（{earliest.isoformat()}起）"
    return None


# ---------------------------------------------------------------- 联合抽查 (one visit, several units)


def joint_visit_refusal(*, recorded: Iterable[date], inspected_on: date) -> str | None:
    """进一次门、查多项事: the units of a joint visit go through the door together, so every unit's
    result carries the visit's one date; `recorded`: the dates the other units already recorded."""
    days = sorted(set(recorded))
    if days and inspected_on != days[0]:
        return f"联合检查为同一次进门检查，本次已于{days[0].isoformat()}实施，检查日期应一致"
    return None
