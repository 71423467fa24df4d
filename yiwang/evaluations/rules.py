"""Plain rules of 好差评: levels, default rating and deadlines (the rectification workflow: workflow.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
BAD_LEVELS = frozenset({4, 5})
LEVEL_NAMES = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}


def is_bad(level: int) -> bool:
    """GB/T 39046 表A.8: 4 不满意 and 5 非常不满意 are bad reviews."""
    if level not in LEVEL_NAMES:
        raise ValueError(f"满意度代码应为 1–5，而不是 {level}")
    return level in BAD_LEVELS


def stars(level: int) -> int:
    """The glossary's `rating` (5 stars = 非常满意 … 1 star = 非常不满意) from the GB/T code."""
    return 6 - level


def level_from_stars(n: int) -> int:
    return 6 - n


def end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59), tzinfo=TZ)


@dataclass(frozen=True)
class Deadline:
    at: datetime
    provisional: bool


def working_deadline(start: datetime, days: int, add_working_days: Callable) -> Deadline:
    """The end of the `days`-th working day after the (local) day of `start`."""
    wd = add_working_days(start.astimezone(TZ).date(), days)
    return Deadline(end_of_day(wd.date), wd.provisional)


def default_due(invited_at: datetime, natural_days: int) -> datetime:
    """No rating within `natural_days` natural days counts as the default level."""
    return invited_at + timedelta(days=natural_days)
