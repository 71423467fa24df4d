"""The legal clock, rule by rule, over the official 2026 calendar (National Day 10-01..10-07,
调休 Saturday 10-10 worked, Mid-autumn 09-25)."""

from datetime import date

import pytest

from yiwang.cases import clock

D = date


@pytest.mark.parametrize(
    "accepted, promised, extension, pauses, expected, paused_days",
    [
        # plain: 5 working days from Monday 09-28 crosses National Day: 29, 30, 10-08, 09, 10(Sat, 调休)
        (D(2026, 9, 28), 5, 0, [], D(2026, 10, 10), 0),
        (D(2026, 9, 28), 1, 0, [], D(2026, 9, 29), 0),
        (D(2026, 9, 30), 1, 0, [], D(2026, 10, 8), 0),
        # instant: 0 days is the acceptance day itself
        (D(2026, 9, 28), 0, 0, [], D(2026, 9, 28), 0),
        # extension adds working days
        (D(2026, 9, 28), 5, 3, [], D(2026, 10, 14), 0),
        # a pause from Friday 11-06 to Monday 11-09 across the weekend: only Monday is not counted
        (D(2026, 11, 2), 5, 0, [(D(2026, 11, 6), D(2026, 11, 9))], D(2026, 11, 10), 1),
        # a pause across the whole National Day: the holiday days were never working days anyway
        (D(2026, 9, 28), 5, 0, [(D(2026, 9, 30), D(2026, 10, 9))], D(2026, 10, 13), 2),
        # a pause still running counts nothing yet
        (D(2026, 11, 2), 5, 0, [(D(2026, 11, 4), None)], D(2026, 11, 9), 0),
        # two pauses
        (D(2026, 11, 2), 2, 0, [(D(2026, 11, 2), D(2026, 11, 3)), (D(2026, 11, 4), D(2026, 11, 6))],
         D(2026, 11, 9), 3),
    ],
)
def test_deadline_from_history(db, accepted, promised, extension, pauses, expected, paused_days):
    d = clock.deadline_from_history(clock.ClockHistory(accepted, promised, extension, pauses))
    assert (d.date, d.paused_days) == (expected, paused_days)


def test_deadline_into_a_year_without_calendar_is_provisional(db):
    d = clock.deadline_from_history(clock.ClockHistory(D(2026, 12, 28), 10, 0, []))
    assert d.date.year == 2027 and d.provisional


def test_deemed_acceptance_day_is_five_working_days_after_receipt(db):
    # received Monday 09-28: 29, 30, 10-08, 09, 10 (调休 Saturday)
    assert clock.deemed_acceptance_day(D(2026, 9, 28)) == D(2026, 10, 10)


def test_delivery_is_due_ten_working_days_after_the_decision(db):
    assert clock.delivery_due(D(2026, 9, 28)) == D(2026, 10, 16)


@pytest.mark.parametrize(
    "deadline, today, paused, expected",
    [
        (D(2026, 11, 10), D(2026, 11, 5), False, "ok"),
        (D(2026, 11, 10), D(2026, 11, 9), False, "near"),  # one working day left
        (D(2026, 11, 9), D(2026, 11, 6), False, "near"),  # Friday → Monday is one working day
        (D(2026, 11, 10), D(2026, 11, 10), False, "near"),  # the last day
        (D(2026, 11, 10), D(2026, 11, 11), False, "overdue"),
        (D(2026, 11, 10), D(2026, 11, 11), True, "ok"),  # a paused clock is never overdue
        (None, D(2026, 11, 11), False, ""),
    ],
)
def test_due_state(db, deadline, today, paused, expected):
    assert clock.due_state(deadline=deadline, today=today, paused=paused, near_days=1) == expected


def test_near_due_days_are_configurable(db):
    assert clock.due_state(deadline=D(2026, 11, 13), today=D(2026, 11, 10), paused=False, near_days=3) == "near"
    assert clock.due_state(deadline=D(2026, 11, 13), today=D(2026, 11, 10), paused=False, near_days=1) == "ok"


def test_days_used_never_counts_paused_days(db):
    pauses = [(D(2026, 11, 3), D(2026, 11, 5))]
    # 11-02 → 11-09: 11-03..11-09 = 5 working days, less 2 paused (04, 05)
    assert clock.days_used(accepted_on=D(2026, 11, 2), until=D(2026, 11, 9), pauses=pauses) == 3
    # a pause still running: counted up to today only
    assert clock.days_used(accepted_on=D(2026, 11, 2), until=D(2026, 11, 5), pauses=[(D(2026, 11, 3), None)]) == 1


def test_days_left(db):
    assert clock.days_left(deadline=D(2026, 11, 10), today=D(2026, 11, 6)) == 2
    assert clock.days_left(deadline=D(2026, 11, 10), today=D(2026, 11, 12)) == -2
