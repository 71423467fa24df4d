"""Plain rules of 好差评: levels, default rating and deadlines (the rectification workflow: workflow.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
BAD_LEVELS = frozenset({4, 5})
LEVEL_NAMES = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}


# 差评问题类型: what a bad review is about, asked of the rater with a description (国办发〔2019〕51号:
# 差评 are verified and rectified, so they must say what went wrong). The categories follow the
# 好差评 systems' 差评 options (GB/T 39734—2020 附录A 差评评价内容; its table was not available to us,
# so the list is configurable in code and mapped when reporting to the national system).
PROBLEM_TYPES = {
    "guide": "办事指南不清晰、不准确",
    "materials": "材料多、重复提交",
    "visits": "多次跑动、来回跑",
    "slow": "办理时间长、超时办结",
    "attitude": "服务态度差",
    "skill": "业务不熟练、答复不清楚",
    "waiting": "排队等候时间长",
    "online": "网上办事不方便",
    "fees": "违规收费",
    "shirking": "推诿扯皮、吃拿卡要",
    "other": "其他问题",
}


def bad_review_problem(level: int, problem_type: str, text: str) -> tuple[str, str] | None:
    """(field, message) when a bad review lacks what its rectification needs: the problem type and a
    description of what happened; None when the rating may be recorded."""
    if not is_bad(level):
        return None
    if problem_type not in PROBLEM_TYPES:
        return "problem_type", "请选择差评问题类型（不满意、非常不满意时必选）"
    if len((text or "").strip()) < 5:
        return "text", "请具体说明遇到的问题（不少于5个字），以便核实整改"
    return None


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
