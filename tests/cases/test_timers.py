"""Timers run by `yiwang worker`: deemed acceptance, deemed approval, deemed consent, limits; the
calendar moving running deadlines. The cases are dated in the past, so their timers are due."""

from datetime import date

from django.core.management import call_command

from yiwang.cases import services
from yiwang.cases.models import Case, CaseEvent, CoReview
from yiwang.core.models import Timer

from .conftest import LHYS, QYSLDJ, at


def worker_once():
    call_command("worker", "--once")


def test_deemed_acceptance_after_five_working_days_fires_once_across_worker_restarts(make_case):
    case = make_case(QYSLDJ, on=date(2026, 9, 28))
    timer = Timer.objects.get(kind="case.deemed_acceptance", key=case.number)
    assert timer.due_at == at(date(2026, 10, 11), 0)  # the 5th working day is the 调休 Saturday 10-10
    worker_once()
    worker_once()  # a restarted worker finds nothing left to do
    case.refresh_from_db()
    assert case.status == "accepted" and case.accepted_on == date(2026, 9, 28) and case.deemed == "deemed_acceptance"
    assert CaseEvent.objects.filter(case=case, action="deemed_accept").count() == 1
    ev = CaseEvent.objects.get(case=case, action="deemed_accept")
    assert ev.actor is None and "第三十二条" in ev.reason
    timer.refresh_from_db()
    assert timer.fired_at is not None and timer.attempts == 1


def test_a_timer_does_nothing_when_the_case_moved_on(make_case, users):
    case = make_case(QYSLDJ, on=date(2026, 9, 28))
    services.case_act(case=case.number, actor=users["clerk"], action="refuse", reason="不属于受理范围",
                      now=at(date(2026, 9, 28)))
    worker_once()
    case.refresh_from_db()
    assert case.status == "refused"
    assert not CaseEvent.objects.filter(case=case, action="deemed_accept").exists()


def test_resubmission_restarts_the_acceptance_period(make_case, users):
    case = make_case(QYSLDJ, on=date(2026, 11, 2))
    services.case_act(case=case.number, actor=users["clerk"], action="request_correction", reason="补签字",
                      now=at(date(2026, 11, 2)))
    services.case_act(case=case.number, actor=users["xtcy"], action="resubmit", now=at(date(2026, 11, 5)))
    pending = Timer.objects.filter(kind="case.deemed_acceptance", key=case.number, fired_at__isnull=True,
                                   cancelled_at__isnull=True)
    assert [t.due_at for t in pending] == [at(date(2026, 11, 13), 0)]


def test_deemed_approval_at_the_deadline_once(accepted_case, users):
    from yiwang.catalogue.models import ServiceItem

    ServiceItem.objects.filter(basic_code="QYSLDJ").update(deemed_approval_allowed=True)
    case = accepted_case(QYSLDJ, on=date(2026, 9, 28))  # promised 1 day: deadline 09-29
    services.case_act(case=case.number, actor=users["approver"], action="review", now=at(date(2026, 9, 28)))
    assert Timer.objects.filter(kind="case.deemed_approval", key=case.number, fired_at__isnull=True,
                                cancelled_at__isnull=True).get().due_at == at(date(2026, 9, 30), 0)
    worker_once()
    worker_once()
    case.refresh_from_db()
    assert case.status == "approved" and case.deemed == "deemed_approval" and case.decided_on == date(2026, 9, 30)
    assert CaseEvent.objects.filter(case=case, action="deemed_approve").count() == 1


def test_no_deemed_approval_where_the_item_does_not_allow_it(accepted_case):
    case = accepted_case(QYSLDJ, on=date(2026, 9, 28))
    assert not Timer.objects.filter(kind="case.deemed_approval", key=case.number).exists()


def test_co_review_silence_is_consent(make_case, users):
    case = make_case(LHYS, on=date(2026, 9, 28))
    paper = [m.name for m in case.implementation.item.materials.filter(source="applicant")]
    case = services.case_accept(case=case, actor=users["clerk"], paper=paper, now=at(date(2026, 9, 28)))
    services.case_act(case=case.number, actor=users["xtx-zrzy"], action="co_review", data={"consent": True},
                      reason="规划核实通过", now=at(date(2026, 9, 29)))
    worker_once()
    rows = {r.unit.code: (r.consent, r.deemed) for r in CoReview.objects.filter(case=case).select_related("unit")}
    assert rows == {"XTX-ZRZY": (True, False), "XTX-RF": (True, True)}
    services.case_act(case=case.number, actor=users["xtx-zj"], action="review", now=at(date(2026, 10, 12)))
    case = services.case_act(case=case.number, actor=users["xtx-zj"], action="approve", now=at(date(2026, 10, 12)))
    assert case.status == "approved"


def test_co_review_objection_blocks_approval(make_case, users):
    import pytest

    from yiwang.core.errors import DomainError

    case = make_case(LHYS, on=date(2026, 11, 2))
    paper = [m.name for m in case.implementation.item.materials.filter(source="applicant")]
    services.case_accept(case=case, actor=users["clerk"], paper=paper, now=at(date(2026, 11, 2)))
    services.case_act(case=case.number, actor=users["xtx-rf"], action="co_review", data={"consent": False},
                      reason="人防工程不合格", now=at(date(2026, 11, 3)))
    services.case_act(case=case.number, actor=users["xtx-zj"], action="review", now=at(date(2026, 11, 3)))
    with pytest.raises(DomainError, match="尚未出具意见|有异议"):
        services.case_act(case=case.number, actor=users["xtx-zj"], action="approve", now=at(date(2026, 11, 3)))


def test_missed_supply_and_delivery_limits_are_flagged(make_case, users):
    case = make_case(QYSLDJ, on=date(2026, 9, 28))
    case = services.case_accept(case=case, actor=users["clerk"], tolerate=["住所（经营场所）使用证明"],
                                paper=["公司登记（备案）申请书", "公司章程"], now=at(date(2026, 9, 28)))
    assert case.supply_due == date(2026, 10, 10)
    worker_once()
    case.refresh_from_db()
    assert case.supply_overdue
    other = make_case("430321-GZKZBA", on=date(2026, 9, 28))
    other = services.case_accept(case=other, actor=users["clerk"], now=at(date(2026, 9, 28)))
    worker_once()
    other.refresh_from_db()
    assert other.status == "approved" and other.delivery_overdue


def test_a_holiday_added_to_a_running_case_moves_its_deadline(accepted_case, users,
                                                               django_capture_on_commit_callbacks):
    from yiwang.workcalendar import services as cal

    case = accepted_case("430321-SPJYXK", on=date(2026, 12, 1))  # promised 5: 12-02..12-08
    assert case.deadline == date(2026, 12, 8)
    with django_capture_on_commit_callbacks(execute=True):
        cal.calendar_day_set(day=date(2026, 12, 3), kind="holiday", name="临时休假")
    worker_once()  # runs the recompute task the calendar change queued
    case.refresh_from_db()
    assert case.deadline == date(2026, 12, 9)
    ev = CaseEvent.objects.get(case=case, action="calendar_moved")
    assert ev.data["deadline_before"] == "2026-12-08" and "工作日历" in ev.reason
    unrelated = Case.objects.filter(status="accepted", deadline__lt=date(2026, 12, 3))
    assert not CaseEvent.objects.filter(case__in=unrelated, action="calendar_moved").exists()


def test_due_sweep_marks_near_and_overdue(accepted_case):
    a = accepted_case(QYSLDJ, on=date(2026, 11, 2))  # deadline 11-03
    b = accepted_case("430321-SPJYXK", on=date(2026, 11, 2))  # deadline 11-09
    services.cases_due_sweep(today=date(2026, 11, 6))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.due_state, b.due_state) == ("overdue", "near")
