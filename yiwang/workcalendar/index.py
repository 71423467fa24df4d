"""Working-day arithmetic from a precomputed index — no day-by-day loops.

The index is the sorted list of working days (as ordinals) from 2000 to 2100: covered years
follow their official holidays and 调休 working days, other years weekends only. Each query is
a binary search. A result that depends on a year without an official calendar is marked
provisional, never raised and never silent.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

FIRST = date(2000, 1, 1)
LAST = date(2100, 12, 31)


class CalendarRangeError(ValueError):
    """A date outside the years the index spans."""


@dataclass(frozen=True, slots=True)
class WorkDate:
    date: date
    provisional: bool


@dataclass(frozen=True, slots=True)
class WorkDays:
    days: int
    provisional: bool


class CalendarIndex:
    __slots__ = ("covered", "_work", "_first", "_last", "_working_set")

    def __init__(self, *, covered: set[int], holidays: set[date], workdays: set[date]):
        self.covered = frozenset(covered)
        first, last = FIRST.toordinal(), LAST.toordinal()
        hol = {d.toordinal() for d in holidays}
        extra = {d.toordinal() for d in workdays}
        work = []
        # weekday() of ordinal o is (o + 6) % 7 — so we never build a date object per day.
        for o in range(first, last + 1):
            if o in extra or ((o + 6) % 7 < 5 and o not in hol):
                work.append(o)
        self._work = work
        self._working_set = frozenset(work)
        self._first, self._last = first, last

    def _check(self, d: date) -> int:
        o = d.toordinal()
        if o < self._first or o > self._last:
            raise CalendarRangeError(f"日期 {d} 超出日历支持的范围（{FIRST.year}–{LAST.year}年）")
        return o

    def _provisional(self, after: date, upto: date) -> bool:
        """Whether any day in (after, upto] lies in a year without an official calendar."""
        if upto <= after:
            return False
        first_year = (after + timedelta(days=1)).year
        return any(y not in self.covered for y in range(first_year, upto.year + 1))

    def is_working_day(self, d: date) -> bool:
        return self._check(d) in self._working_set

    def add_working_days(self, start: date, n: int) -> WorkDate:
        """The n-th working day strictly after start; n = 0 gives start itself."""
        if n < 0:
            raise ValueError("工作日数不能为负数")
        o = self._check(start)
        if n == 0:
            return WorkDate(start, False)
        i = bisect_right(self._work, o) + n - 1
        if i >= len(self._work):
            raise CalendarRangeError(f"结果超出日历支持的范围（{LAST.year}年以后）")
        result = date.fromordinal(self._work[i])
        return WorkDate(result, self._provisional(start, result))

    def working_days_between(self, a: date, b: date) -> WorkDays:
        """Working days in (a, b]; negative, counting (b, a], when b is before a."""
        oa, ob = self._check(a), self._check(b)
        if ob >= oa:
            return WorkDays(bisect_right(self._work, ob) - bisect_right(self._work, oa), self._provisional(a, b))
        return WorkDays(bisect_right(self._work, ob) - bisect_right(self._work, oa), self._provisional(b, a))


_lock = threading.Lock()
_index: CalendarIndex | None = None
_index_version: int | None = None
_checked_at = 0.0
_suspect = False
RECHECK_SECONDS = 2.0


def _load_from_db() -> tuple[CalendarIndex, int]:
    from .models import CalendarDay, CalendarVersion, CalendarYear, DayKind

    version = CalendarVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    covered = set(CalendarYear.objects.values_list("year", flat=True))
    holidays, workdays = set(), set()
    for d, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(d)
    return CalendarIndex(covered=covered, holidays=holidays, workdays=workdays), version


def get_index() -> CalendarIndex:
    """This process's index; rebuilt when another process (or this one) changed the calendar.

    The hot path is one clock read: the version row is read at most every RECHECK_SECONDS — and on
    every call while this process has changed the calendar in a transaction that may still roll back.
    """
    global _index, _index_version, _checked_at, _suspect
    now = time.monotonic()
    index = _index
    if index is not None and not _suspect and now - _checked_at < RECHECK_SECONDS:
        return index
    from django.db import connection

    from .models import CalendarVersion

    version = CalendarVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    with _lock:
        if _index is None or version != _index_version:
            _index, _index_version = _load_from_db()
        _checked_at = now
        if _suspect and not connection.in_atomic_block:
            _suspect = False  # read outside any transaction: the version is a committed one
        return _index


def invalidate() -> None:
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0


def mark_changed() -> None:
    """Called by a change to the calendar inside a transaction: until the version is read again
    outside any transaction, every call checks it, so a rollback is never seen as the calendar."""
    global _suspect
    invalidate()
    _suspect = True


def add_working_days(start: date, n: int) -> WorkDate:
    return get_index().add_working_days(start, n)


def working_days_between(a: date, b: date) -> WorkDays:
    return get_index().working_days_between(a, b)


def is_working_day(d: date) -> bool:
    return get_index().is_working_day(d)
