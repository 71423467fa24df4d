"""The sign-for timer: a unit that does not sign within 1 working day is flagged, the dispatcher and
the supervisors are told; the request stays with the unit. Table-driven over holidays."""

from datetime import datetime, timedelta

import pytest

from yiwang.core.models import OutboxMessage, Timer
from yiwang.core.timers import timers_fire_due
from yiwang.evaluations.rules import TZ
from yiwang.hotline import services

pytestmark = pytest.mark.django_db


def at(*a):
    return datetime(*a, tzinfo=TZ)


@pytest.mark.parametrize("dispatched,sign_due", [
    (at(2025, 6, 3, 10), "2025-06-04"),     # Tuesday → Wednesday
    (at(2025, 6, 6, 16), "2025-06-09"),     # Friday → Monday
    (at(2025, 5, 30, 9), "2025-06-03"),     # Friday before 端午 (05-31..06-02) → Tuesday
    (at(2025, 9, 30, 17), "2025-10-09"),    # National Day 10-01..10-08 → Thursday
    (at(2025, 10, 10, 10), "2025-10-11"),   # Friday → Saturday 10-11, a worked day (调休)
    (at(2025, 10, 4, 10), "2025-10-09"),    # dispatched on a holiday → the 1st working day after
    (at(2025, 1, 27, 10), "2025-02-05"),    # eve of Spring Festival 01-28..02-04 → Wednesday 02-05
])
def test_sign_due_and_late_sign_flag_follow_the_calendar(make_request, operator, dispatched, sign_due):
    req = services.request_dispatch(request=make_request(), actor=operator, now=dispatched)
    due = req.sign_due_at.astimezone(TZ)
    assert due.date().isoformat() == sign_due and (due.hour, due.minute) == (23, 59)  # end of that day
    timers_fire_due(now=req.sign_due_at - timedelta(minutes=1))
    req.refresh_from_db()
    assert not req.sign_overdue
    timers_fire_due(now=req.sign_due_at + timedelta(seconds=1))
    req.refresh_from_db()
    assert req.sign_overdue and req.status == "dispatched" and req.unit.code == "XTX-SCJG"
    notice = OutboxMessage.objects.get(topic="hotline.sign_overdue_notice", payload__request=req.number)
    assert notice.payload["dispatcher"] == "operator" and "supervisor" in notice.payload["supervisors"]
    assert req.events.filter(action="sign_overdue").count() == 1


def test_signing_in_time_cancels_the_sign_timer(make_request, operator, scjg_user):
    req = services.request_dispatch(request=make_request(), actor=operator)
    assert Timer.objects.filter(kind=services.TIMER_SIGN, key=str(req.pk), fired_at__isnull=True, cancelled_at__isnull=True).exists()
    services.request_sign(request=req, actor=scjg_user)
    timers_fire_due(now=req.sign_due_at + timedelta(days=3))
    req.refresh_from_db()
    assert not req.sign_overdue and req.status == "handling"


def test_a_late_sign_for_is_still_accepted_and_the_flag_stays(make_request, operator, scjg_user):
    req = services.request_dispatch(request=make_request(), actor=operator)
    assert services.request_flag_sign_overdue(request_id=req.pk)
    assert not services.request_flag_sign_overdue(request_id=req.pk)  # once
    req = services.request_sign(request=req, actor=scjg_user)
    assert req.status == "handling" and req.sign_overdue


def test_redispatch_after_a_return_clears_the_flag_and_restarts_the_clock(make_request, operator, scjg_user):
    req = services.request_dispatch(request=make_request(), actor=operator, now=at(2025, 6, 3, 10))
    services.request_flag_sign_overdue(request_id=req.pk)
    services.request_return(request=req, actor=scjg_user, reason="不属于本单位职责")
    req = services.request_dispatch(request=req, actor=operator, now=at(2025, 6, 5, 10))
    assert not req.sign_overdue and req.sign_due_at.astimezone(TZ).date().isoformat() == "2025-06-06"
