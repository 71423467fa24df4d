"""Figure 4: add_working_days calls per second against a naive day-by-day loop over chinesecalendar."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from .common import Figure


def naive_add_working_days(start: date, n: int) -> date:
    """What a first implementation does: step a day at a time and ask chinesecalendar each time."""
    import chinese_calendar

    d, k = start, 0
    while k < n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d):
            k += 1
    return d


def cases(seed: int, count: int = 2000) -> list[tuple[date, int]]:
    """Starts over 2024–2025 and the promised-day counts a county catalogue has (1–20, some 45/60)."""
    rng = random.Random(seed)
    first = date(2024, 1, 1).toordinal()
    days = [1, 2, 3, 5, 5, 5, 7, 10, 10, 15, 20, 20, 20, 45, 60]
    return [(date.fromordinal(first + rng.randrange(730)), rng.choice(days)) for _ in range(count)]


def run(ctx) -> list[Figure]:
    from yiwang.workcalendar import index

    seconds = ctx.seconds(3.0, 10.0)
    pairs = cases(ctx.seed)
    # The two must agree before their speeds mean anything.
    for start, n in pairs[:500]:
        fast = index.add_working_days(start, n).date
        slow = naive_add_working_days(start, n)
        if fast != slow:
            raise AssertionError(f"add_working_days({start}, {n}) = {fast}, naive loop says {slow}")

    def measure(fn) -> tuple[float, int]:
        i, n_calls, t0 = 0, 0, time.perf_counter()
        deadline = t0 + seconds
        while True:
            for _ in range(200):
                s, k = pairs[i]
                fn(s, k)
                i = (i + 1) % len(pairs)
            n_calls += 200
            t = time.perf_counter()
            if t >= deadline:
                return n_calls / (t - t0), n_calls

    fast_rate, fast_n = measure(index.add_working_days)
    slow_rate, slow_n = measure(naive_add_working_days)
    ratio = fast_rate / slow_rate
    return [
        Figure(
            key="4_calendar",
            title="日历 add_working_days",
            value=round(fast_rate),
            unit="calls/s",
            baseline_name="naive day-by-day loop over chinesecalendar",
            baseline=round(slow_rate),
            baseline_unit="calls/s",
            ratio=round(ratio, 1),
            target="≥ 100×",
            met=ratio >= 100,
            detail={"calls": fast_n, "baseline_calls": slow_n, "seconds_each": seconds,
                    "mix": "starts over 2024–2025, 1–60 working days", "agreed_on": 500},
        )
    ]
