"""The bulk deadline recomputation after a calendar change (the benchmark's figure 5, in `make test`):
every running case whose window covers the new holiday moves, with its event (seq = version), its
outbox row and its deemed-approval timer; a case changed meanwhile goes through case_act; the rest
stay untouched."""

from datetime import date

import pytest

from tests.cases.conftest import SPJYXK, at

pytestmark = pytest.mark.django_db


def _check(case):
    from yiwang.cases import clock
    from yiwang.cases.models import CaseEvent

    case.refresh_from_db()
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    h = clock.history_from_events(events, promised_days=case.promised_days)
    assert clock.deadline_from_history(h).date == case.deadline
    assert events[-1].seq == case.version
    return case, events


def test_a_holiday_moves_every_covered_running_case_with_event_outbox_and_timer(accepted_case):
    from yiwang.cases import services
    from yiwang.core.models import OutboxMessage, Timer
    from yiwang.workcalendar import index
    from yiwang.workcalendar.models import CalendarDay

    cases = [accepted_case(SPJYXK, on=date(2026, 12, 1)) for _ in range(3)]  # deadline 12-08
    early = accepted_case(SPJYXK, on=date(2026, 11, 2))  # deadline before the holiday: untouched
    assert {c.deadline for c in cases} == {date(2026, 12, 8)}
    CalendarDay.objects.create(date=date(2026, 12, 3), kind="holiday", name="临时休假")
    index.invalidate()

    moved = services.cases_recompute_deadlines(since=date(2026, 12, 3), now=at(date(2026, 12, 2)))
    assert moved >= 3
    for c in cases:
        c, events = _check(c)
        assert c.deadline == date(2026, 12, 9)
        assert events[-1].action == "calendar_moved" and events[-1].data["deadline_before"] == "2026-12-08"
        assert "工作日历" in events[-1].reason
        assert OutboxMessage.objects.filter(topic="case.calendar_moved", payload__number=c.number).exists()
        if c.implementation.item.deemed_approval_allowed:
            assert Timer.objects.get(kind=services.TIMER_DEEMED_APPROVAL, key=c.number, fired_at=None,
                                     cancelled_at=None).due_at.date() == date(2026, 12, 10)
    early_after, events = _check(early)
    assert early_after.version == early.version and events[-1].action != "calendar_moved"
    index.invalidate()


def test_a_case_changed_meanwhile_is_moved_through_case_act(accepted_case):
    from yiwang.cases import services
    from yiwang.cases.services import _Moved, _recompute_write
    from yiwang.workcalendar import index
    from yiwang.workcalendar.models import CalendarDay

    case = accepted_case(SPJYXK, on=date(2026, 12, 1))
    CalendarDay.objects.create(date=date(2026, 12, 3), kind="holiday", name="临时休假")
    index.invalidate()
    row = _Moved(case.pk, case.number, case.version - 1, case.status, case.deadline, date(2026, 12, 9), False, 0,
                 "ok", False, {})  # read before someone's change: the version no longer matches
    assert _recompute_write([row], since=date(2026, 12, 3), now=at(date(2026, 12, 2))) == 1
    case, events = _check(case)
    assert case.deadline == date(2026, 12, 9) and events[-1].action == "calendar_moved"
    assert services.cases_recompute_deadlines(since=date(2026, 12, 3), now=at(date(2026, 12, 2))) == 0
    index.invalidate()
