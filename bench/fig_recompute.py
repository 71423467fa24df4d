"""Figure 5: a holiday added to the calendar — time to recompute every running case's deadline.

The holiday goes on a working day a few days ahead, which lies inside the window of most running
cases. What is timed is what the platform does: the calendar change (calendar_day_set, which bumps
the version and enqueues the task) and the task that recomputes the deadlines and the due states
(yiwang.cases.tasks.recompute_deadlines, run here in-process instead of by the worker). Then every
running case is checked against the clock recomputed from scratch: none may be missed. The holiday
is removed afterwards (timed too) so that the data set stays as generated.

Baseline: one SQL UPDATE that rewrites the deadline column of the same running cases (rolled back),
i.e. what touching those rows costs this database at the least.
"""

from __future__ import annotations

import time
from datetime import date

from .common import Figure, SkipFigure


def check_all(today: date) -> tuple[int, int]:
    """(running cases checked, those whose stored deadline differs from the clock's)."""
    from yiwang.cases import clock
    from yiwang.cases.models import RUNNING, Case

    checked = missed = 0
    for accepted_on, promised, extension, pauses, deadline in (
        Case.objects.filter(status__in=RUNNING)
        .values_list("accepted_on", "promised_days", "extension_days", "pauses", "deadline")
        .iterator(chunk_size=5000)
    ):
        h = clock.ClockHistory(accepted_on=accepted_on, promised_days=promised, extension_days=extension,
                               pauses=[(date.fromisoformat(p[0]), date.fromisoformat(p[1]) if p[1] else None)
                                       for p in pauses])
        checked += 1
        if clock.deadline_from_history(h).date != deadline:
            missed += 1
    return checked, missed


def recompute(since: date) -> int:
    from yiwang.cases.tasks import recompute_deadlines

    fn = getattr(recompute_deadlines, "func", None) or recompute_deadlines.call
    return fn(since=since.isoformat())


def run(ctx) -> list[Figure]:
    try:
        from yiwang.cases.models import RUNNING, Case
        from yiwang.cases.tasks import recompute_deadlines  # noqa: F401
    except ImportError as exc:
        raise SkipFigure(f"the case engine is not there yet ({exc})")
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.workcalendar.index import add_working_days, invalidate
    from yiwang.workcalendar.models import CalendarDay
    from yiwang.workcalendar.services import calendar_day_remove, calendar_day_set

    today = timezone.localdate()
    day = add_working_days(today, 3).date
    if CalendarDay.objects.filter(date=day).exists():
        raise SkipFigure(f"{day} already has a calendar entry; pick another day")
    running = Case.objects.filter(status__in=RUNNING)
    n_running = running.count()
    affected = running.filter(deadline__gte=day).count()
    if not n_running:
        raise SkipFigure("no running cases: run the data figure first")

    with transaction.atomic():
        t0 = time.perf_counter()
        with connection.cursor() as c:
            c.execute("UPDATE cases_case SET deadline = deadline + 1, updated_at = now() "
                      "WHERE status IN ('accepted', 'in_review', 'paused') AND deadline >= %s", [day])
        baseline = time.perf_counter() - t0
        transaction.set_rollback(True)

    t0 = time.perf_counter()
    calendar_day_set(day=day, kind="holiday", name="基准测试临时假日")
    invalidate()
    moved = recompute(day)
    elapsed = time.perf_counter() - t0
    try:
        checked, missed = check_all(today)
    finally:
        t1 = time.perf_counter()
        calendar_day_remove(day=day)
        invalidate()
        moved_back = recompute(day)
        revert = time.perf_counter() - t1
    checked_after, missed_after = check_all(today)
    ctx.log(f"holiday on {day}: {moved:,} of {n_running:,} running cases moved in {elapsed:.2f} s; "
            f"{missed} missed; removed again in {revert:.2f} s ({moved_back:,} moved back, {missed_after} missed)")
    return [Figure(
        key="5_recompute", title="新增节假日后重算期限", value=round(elapsed, 2), unit="s",
        baseline_name="one SQL UPDATE of those rows", baseline=round(baseline, 3), baseline_unit="s",
        ratio=round(elapsed / baseline, 1) if baseline else None, target="< 60 s, 0 missed",
        met=elapsed < 60 and missed == 0 and missed_after == 0,
        detail={"holiday": day.isoformat(), "running_cases": n_running, "deadline_on_or_after": affected,
                "moved": moved, "checked": checked, "missed": missed, "revert_seconds": round(revert, 2),
                "moved_back": moved_back, "missed_after_revert": missed_after,
                "cases_per_second": round(moved / elapsed, 1) if elapsed else None})]
