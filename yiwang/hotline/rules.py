"""Plain rules of the hotline: deadlines per kind, anonymity, dispatch matching. (The transitions are
declared in workflow.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings

from yiwang.evaluations.rules import TZ, end_of_day

# Working days per kind (广东省 12345 管理办法 2022; configure YIWANG_HOTLINE_DAYS per deployment).
# 表扬 is passed on to the unit for its record; 5 working days is our choice.
DEFAULT_DAYS = {"consult": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15, "praise": 5}
DEFAULT_URGENT_HOURS = 24
SIGN_WORKING_DAYS = 1
MAX_RETURNS = 3
# Who may stay anonymous: a 举报 protects the whistle-blower, a 建议 or 表扬 needs no answer to a person,
# and a 咨询 can be answered on the line. 求助 and 投诉 need someone to help and to call back.
ANONYMOUS_KINDS = frozenset({"report", "suggestion", "praise", "consult"})


def days_table() -> dict[str, int]:
    return {**DEFAULT_DAYS, **getattr(settings, "YIWANG_HOTLINE_DAYS", {})}


def urgent_hours() -> int:
    return int(getattr(settings, "YIWANG_HOTLINE_URGENT_HOURS", DEFAULT_URGENT_HOURS))


@dataclass(frozen=True)
class RequestDeadline:
    deadline_at: datetime
    near_due_at: datetime
    provisional: bool


def request_deadline(kind: str, received_at: datetime, *, urgent: bool, add_working_days: Callable,
                     days: dict[str, int] | None = None, hours: int | None = None) -> RequestDeadline:
    """Urgent: received + hours, near due at three quarters. Otherwise: the end of the n-th working day
    after the day of receipt; near due from the end of the working day before (one working day left)."""
    if urgent:
        h = hours if hours is not None else urgent_hours()
        return RequestDeadline(received_at + timedelta(hours=h), received_at + timedelta(hours=h * 3 / 4), False)
    n = (days or days_table())[kind]
    day0 = received_at.astimezone(TZ).date()
    last = add_working_days(day0, n)
    before = add_working_days(day0, n - 1) if n > 1 else None
    near = end_of_day(before.date) if before else received_at
    return RequestDeadline(end_of_day(last.date), near, last.provisional)


def sign_due(dispatched_at: datetime, add_working_days: Callable) -> datetime:
    return end_of_day(add_working_days(dispatched_at.astimezone(TZ).date(), SIGN_WORKING_DAYS).date)


# 11-digit mobile numbers (号段 13x–19x), optionally with the country code; or a fixed line: area code
# (0 + 2–3 digits: 010, 0731) and a local number of 7–8 digits not starting with 0, an optional
# extension after a hyphen or 转.
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?([1-9]\d{6,7})(?:(?:-|转)(\d{1,6}))?$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－—＋", "0123456789--+")
PHONE_HINT = "请填写11位手机号码（如13812345678）或区号加座机号码（如0731-12345678）"


def phone_normalise(text: str) -> str | None:
    """The number as stored (13812345678, 0731-12345678, 0731-12345678-801), or None when it is
    neither a mobile nor a fixed-line number. Spaces and full-width digits are accepted."""
    raw = "".join((text or "").translate(_FULL_WIDTH).split()).replace("(", "").replace(")", "")
    m = _MOBILE.match(raw)
    if m:
        return m.group(1)
    m = _LANDLINE.match(raw)
    if m:
        return "-".join(g for g in m.groups() if g)
    return None


def may_be_anonymous(kind: str) -> bool:
    return kind in ANONYMOUS_KINDS


@dataclass(frozen=True)
class RuleView:
    id: int
    category_id: int | None
    region_code: str | None
    unit_id: int


def dispatch_match(rules: Sequence[RuleView], *, category_chain: Iterable[int], region_chain: Iterable[str]):
    """The first rule (in order) whose category is the request's category or an ancestor, and whose
    region is the request's region or an ancestor; empty fields match anything."""
    cats, regions = set(category_chain), set(region_chain)
    for r in rules:
        if (r.category_id is None or r.category_id in cats) and (r.region_code is None or r.region_code in regions):
            return r
    return None


# --- the public view (what a public 12345 board shows) ---------------------------------------------
# Kinds that may appear on the public board. Never 举报 (it would expose the matter reported and, with
# it, the whistle-blower); never 求助 (help is about a person's own circumstances: illness, money,
# family). A request marked private by its requester, and an enterprise demand (a firm's business
# matters), never appear either.
PUBLIC_KINDS = frozenset({"consult", "complaint", "suggestion", "praise"})
COORD_PLACES = 2  # about 1 km: the neighbourhood, not the door
_HOUSE_NUMBER = re.compile(r"[0-9０-９]|[一二三四五六七八九十百千零〇两]+\s*(?:号|栋|幢|单元|室|楼|层|组|弄)")
_PLACE_LEVEL = re.compile(r"^.*(?:大道|路|街|巷|村|社区|小区|镇|乡|区|县|市)")
_DIGIT_RUN = re.compile(r"\d(?:[\s\-]?\d){9,}[\dXx]?")


def may_be_public(kind: str, *, private: bool, is_demand: bool) -> bool:
    return kind in PUBLIC_KINDS and not private and not is_demand


def mask_address(address: str, fallback: str) -> str:
    """District/road level: cut at the first house, building or room number, then back to the last
    road, street, village or district word. 易俗河镇金霞路18号3栋 → 易俗河镇金霞路; a bare building
    name gives the fallback (the region's name)."""
    head = _HOUSE_NUMBER.split(address or "", maxsplit=1)[0]
    m = _PLACE_LEVEL.match(head.strip())
    return m.group(0) if m else fallback


def round_coord(value) -> str:
    return "" if value is None else f"{round(float(value), COORD_PLACES):.{COORD_PLACES}f}"


def scrub_numbers(text: str) -> str:
    """Runs of 10 or more digits (a phone, an ID or a card number; not a date) become asterisks: a
    unit's public reply that quotes one by mistake does not publish it."""
    return _DIGIT_RUN.sub(lambda m: "*" * len(m.group(0)), text or "")


# --- the 12345 bulletin (简报) -----------------------------------------------------------------------
BULLETIN_PERIODS = {"day": "日报", "week": "周报", "month": "月报"}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # the day after the last
    label: str

    def previous(self) -> Period:
        return bulletin_period(self.kind, self.start - timedelta(days=1))


def bulletin_period(kind: str, day: date) -> Period:
    """The day, the natural week (Monday to Sunday) or the month containing `day`."""
    if kind == "day":
        return Period(kind, day, day + timedelta(days=1), f"{day.year}年{day.month}月{day.day}日")
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
        iso = start.isocalendar()
        return Period(kind, start, end, f"{iso.year}年第{iso.week}周（{start:%m月%d日}至{end - timedelta(days=1):%m月%d日}）")
    if kind == "month":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return Period(kind, start, end, f"{start.year}年{start.month}月")
    raise ValueError(f"简报周期应为 {'、'.join(BULLETIN_PERIODS)}")


def rate(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def change(now: int, before: int) -> float | None:
    """Period on period (环比), in per cent; None when the earlier period had none."""
    return round(100.0 * (now - before) / before, 1) if before else None
