"""Real threads on PostgreSQL: two staff on one case, concurrent submissions, two workers."""

from datetime import date

from .conftest import QYSLDJ, XTCY, at, form_for


def _users():
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.filter(username__in=["clerk", "approver"])}


def test_two_staff_on_one_case_one_wins_the_other_gets_409(postgres, run_threads):
    from yiwang.cases import services
    from yiwang.cases.models import CaseEvent
    from yiwang.core.errors import Conflict

    users = _users()
    case = services.case_submit(actor=users["clerk"], item=QYSLDJ, applicant=XTCY, form=form_for(QYSLDJ),
                                channel="window", now=at(date(2026, 11, 2)))
    paper = ["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"]

    def act(i):
        if i == 0:
            return services.case_accept(case=case.number, actor=users["clerk"], paper=paper, version=case.version)
        return services.case_act(case=case.number, actor=users["clerk"], action="refuse", reason="重复申请",
                                 version=case.version)

    results = run_threads(act, 2)
    oks = [r for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert len(oks) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict), results
    assert errors[0].status == 409 and "刷新" in errors[0].message
    events = list(CaseEvent.objects.filter(case=case).values_list("seq", "action"))
    assert len(events) == 2 and events[0] == (1, "submit")


def test_same_action_twice_at_once_is_applied_once(postgres, run_threads):
    from yiwang.cases import services
    from yiwang.cases.models import CaseEvent

    users = _users()
    case = services.case_submit(actor=users["clerk"], item=QYSLDJ, applicant=XTCY, form=form_for(QYSLDJ),
                                channel="window", now=at(date(2026, 11, 2)))
    results = run_threads(lambda i: services.case_act(case=case.number, actor=users["clerk"], action="refuse",
                                                      reason=f"理由{i}"), 4)
    assert sum(r[0] == "ok" for r in results) == 1
    assert CaseEvent.objects.filter(case=case, action="refuse").count() == 1


def test_concurrent_submissions_get_unique_numbers(postgres, run_threads):
    from yiwang.cases import services

    users = _users()
    results = run_threads(lambda i: services.case_submit(
        actor=users["clerk"], item=QYSLDJ, applicant=XTCY, form=form_for(QYSLDJ), channel="window",
        now=at(date(2026, 11, 3))).number, 8)
    assert all(r[0] == "ok" for r in results), results
    numbers = [r[1] for r in results]
    assert len(set(numbers)) == 8
    assert sorted(n[-4:] for n in numbers) == [f"{i:04d}" for i in range(1, 9)]


def test_two_workers_at_once_fire_a_timer_once(postgres, run_threads):
    from django.core.management import call_command

    from yiwang.cases import services
    from yiwang.cases.models import CaseEvent

    users = _users()
    cases = [services.case_submit(actor=users["clerk"], item=QYSLDJ, applicant=XTCY, form=form_for(QYSLDJ),
                                  channel="window", now=at(date(2026, 9, 28))) for _ in range(5)]
    results = run_threads(lambda i: call_command("worker", "--once"), 2)
    assert all(r[0] == "ok" for r in results), results
    for case in cases:
        assert CaseEvent.objects.filter(case=case, action="deemed_accept").count() == 1
