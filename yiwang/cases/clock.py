"""The legal clock as plain functions (行政许可法 arts. 32, 42, 44, 45, 82).

Limits count working days (art. 82) with the official calendar. The deadline is a pure function
of the case's history: the acceptance date, the promised days, the extension, and the pauses of
special procedures (art. 45: their working days are not counted). A pause still running counts
nothing yet: the deadline shown is the one that holds if the case resumes the day it paused.

Conventions: a pause begun on day S and ended on day E does not count the working days in (S, E]
— the day of pausing was worked, the day of resuming is the first day the clock runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from yiwang.workcalendar.index import WorkDate, WorkDays

ACCEPTANCE_DAYS = 5  # art. 32: silence for 5 working days counts as acceptance
DELIVERY_DAYS = 10  # art. 44
MAX_EXTENSION_DAYS = 10  # art. 42

AddFn = Callable[[date, int], WorkDate]
BetweenFn = Callable[[date, date], WorkDays]


def _fns(add: AddFn | None, between: BetweenFn | None) -> tuple[AddFn, BetweenFn]:
    if add is None or between is None:
        from yiwang.workcalendar import index

        return add or index.add_working_days, between or index.working_days_between
    return add, between


@dataclass
class ClockHistory:
    accepted_on: date | None = None
    promised_days: int = 0
    extension_days: int = 0
    pauses: list[tuple[date, date | None]] = field(default_factory=list)

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None


@dataclass(frozen=True)
class Deadline:
    date: date | None
    provisional: bool
    paused_days: int


def paused_working_days(pauses: Iterable[tuple[date, date | None]], *, between: BetweenFn | None = None) -> int:
    _, between = _fns(None, between)
    return sum(between(start, end).days for start, end in pauses if end is not None and end > start)


def deadline_from_history(h: ClockHistory, *, add: AddFn | None = None, between: BetweenFn | None = None) -> Deadline:
    if h.accepted_on is None:
        return Deadline(None, False, 0)
    add, between = _fns(add, between)
    paused = paused_working_days(h.pauses, between=between)
    result = add(h.accepted_on, h.promised_days + h.extension_days + paused)
    return Deadline(result.date, result.provisional, paused)


def history_from_events(events: Iterable, *, promised_days: int) -> ClockHistory:
    """Rebuild the clock's inputs from CaseEvent rows (or anything with .action, .on and .data)."""
    h = ClockHistory(promised_days=promised_days)
    for e in events:
        if e.action in ("accept", "deemed_accept"):
            h.accepted_on = date.fromisoformat(e.data["accepted_on"])
        elif e.action == "pause":
            h.pauses.append((e.on, None))
        elif e.action == "resume":
            start, _ = h.pauses[-1]
            h.pauses[-1] = (start, e.on)
        elif e.action == "extend":
            h.extension_days += int(e.data["days"])
    return h


def deemed_acceptance_day(received_on: date, *, add: AddFn | None = None) -> date:
    """The last working day of the acceptance period; silence past it counts as acceptance."""
    add, _ = _fns(add, None)
    return add(received_on, ACCEPTANCE_DAYS).date


def delivery_due(decided_on: date, *, add: AddFn | None = None) -> date:
    add, _ = _fns(add, None)
    return add(decided_on, DELIVERY_DAYS).date


def due_state(*, deadline: date | None, today: date, paused: bool, near_days: int,
              between: BetweenFn | None = None) -> str:
    """ok, near (at most near_days working days left, the deadline day included) or overdue."""
    if deadline is None:
        return ""
    if paused:
        return "ok"
    if today > deadline:
        return "overdue"
    _, between = _fns(None, between)
    left = between(today, deadline).days
    return "near" if left <= near_days else "ok"


def days_left(*, deadline: date | None, today: date, between: BetweenFn | None = None) -> int | None:
    """Working days from today to the deadline (0 on the deadline day, negative when overdue)."""
    if deadline is None:
        return None
    _, between = _fns(None, between)
    return between(today, deadline).days


def days_used(*, accepted_on: date | None, until: date, pauses: Iterable[tuple[date, date | None]],
              between: BetweenFn | None = None) -> int | None:
    """Working days counted so far: from acceptance to `until`, less the paused ones."""
    if accepted_on is None:
        return None
    _, between = _fns(None, between)
    closed = [(s, min(e or until, until)) for s, e in pauses if s < until]
    return max(0, between(accepted_on, until).days - paused_working_days(closed, between=between))


def midnight_after(d: date):
    """The first instant of the day after d, in the site's time zone: when a day's limit has passed."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
