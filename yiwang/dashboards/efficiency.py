"""岗位效能评价: one score per staff member, window or unit, from figures the dashboard already counts.

A plain function over the parts' values, so that the weighting a supervisor publishes is applied the same
way on the page, in the Excel file, in the API and in "my own" view:

- 满意度 = 好评率 (EVA-HP); 差评控制 = 100 − 差评率 (EVA-CP); 差评整改 = 差评整改率 (EVA-ZG);
  按时办结 = 按时办结率 (GOV-AS); 办件量 = decided cases ÷ the most any ranked subject decided × 100.
- A part with nothing to measure is handled as a reviewer would: no bad review to rectify counts as 100
  (nothing was left undone); no rating at all, or no decided case, leaves the part out and its weight is
  shared among the others (a subject is not marked down for what it had no occasion to do).
"""

from __future__ import annotations

from dataclasses import dataclass

# part code → (label, figure it comes from)
PARTS: dict[str, tuple[str, str]] = {
    "satisfaction": ("满意度（好评率）", "EVA-HP"),
    "bad": ("差评控制（100 − 差评率）", "EVA-CP"),
    "rectification": ("差评整改率", "EVA-ZG"),
    "on_time": ("按时办结率", "GOV-AS"),
    "volume": ("办件量（相对最多者）", "GOV-AS"),  # the figure's denominator: decided cases
}
DEFAULT_WEIGHTS: dict[str, int] = {"satisfaction": 30, "bad": 15, "rectification": 15, "on_time": 30, "volume": 10}
MAX_WEIGHT = 100


@dataclass(frozen=True)
class PartValues:
    """What one subject measured in the period: rates in %, None where there was nothing to measure."""

    good_rate: float | None
    bad_rate: float | None
    rectified_rate: float | None
    bad_count: int
    on_time_rate: float | None
    decided: int


@dataclass(frozen=True)
class Score:
    key: object
    score: float | None  # None: nothing to measure at all
    parts: dict[str, float | None]


def weights_check(weights: dict) -> dict[str, int]:
    """The weights as integers 0–100, every part named, at least one above 0; ValueError names the part."""
    out = {}
    for part in PARTS:
        raw = weights.get(part, 0)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValueError(part) from None
        if not 0 <= value <= MAX_WEIGHT or str(raw).strip() not in (str(value), f"{value}.0"):
            raise ValueError(part)
        out[part] = value
    if not any(out.values()):
        raise ValueError("satisfaction")
    return out


def part_scores(v: PartValues, *, most_decided: int) -> dict[str, float | None]:
    rectification = v.rectified_rate if v.bad_count else (100.0 if v.good_rate is not None else None)
    return {
        "satisfaction": v.good_rate,
        "bad": None if v.bad_rate is None else round(100 - v.bad_rate, 2),
        "rectification": rectification,
        "on_time": v.on_time_rate,
        "volume": round(v.decided / most_decided * 100, 2) if most_decided and v.decided else None,
    }


def score(parts: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """The weighted mean of the parts that were measured (their weights re-normalised)."""
    used = {p: w for p, w in weights.items() if w and parts.get(p) is not None}
    total = sum(used.values())
    if not total:
        return None
    return round(sum(parts[p] * w for p, w in used.items()) / total, 2)


def scores(values: dict[object, PartValues], weights: dict[str, int]) -> list[Score]:
    """Every subject's score, best first (ties: more cases decided first); unmeasured subjects last."""
    most = max((v.decided for v in values.values()), default=0)
    out = []
    for key, v in values.items():
        parts = part_scores(v, most_decided=most)
        out.append(Score(key, score(parts, weights), parts))
    out.sort(key=lambda s: (s.score is None, -(s.score or 0), -values[s.key].decided, str(s.key)))
    return out
