"""The 管 figures on the leaders' dashboard (issue 15): each fold table by table, then the rollup's
figures against counts made from the supervision tables themselves and against a recount."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from yiwang.dashboards import rules, selectors, services
from yiwang.dashboards.rules import Ev

TZ = ZoneInfo("Asia/Shanghai")
D = date(2027, 3, 1)


def ev(action, day, deadline=None, **data):
    return Ev(0, action, "", D + timedelta(days=day), deadline, data)


def counters(contribs):
    return sorted((c, d.isoformat() if d else None, v) for c, d, v in contribs)


@pytest.mark.parametrize(("events", "expected"), [
    ([ev("push", 0, D + timedelta(days=3))], [("sup.task_pushed", 0)]),
    ([ev("push", 0, D + timedelta(days=3)), ev("claim", 3)],  # on the last day of the limit: on time
     [("sup.task_claimed_on_time", 0), ("sup.task_pushed", 0)]),
    ([ev("push", 0, D + timedelta(days=3)), ev("flag_overdue", 4), ev("claim", 5), ev("report", 6)],
     [("sup.task_claim_overdue", 0), ("sup.task_pushed", 0), ("sup.task_reported", 0)]),
    ([ev("push", 0, D + timedelta(days=3)), ev("claim", 1), ev("flag_overdue", 20)],  # claimed, result late
     [("sup.task_claimed_on_time", 0), ("sup.task_pushed", 0), ("sup.task_result_overdue", 0)]),
    ([ev("claim", 1)], []),  # no push, no cohort
])
def test_a_tasks_history_counts_on_the_day_it_was_pushed(events, expected):
    assert counters(rules.task_contributions(events=events)) == sorted(
        (c, (D + timedelta(days=d)).isoformat(), 1) for c, d in expected)


DUE = (D + timedelta(days=28)).isoformat()


@pytest.mark.parametrize(("events", "expected"), [
    ([ev("assign", 0, draw="CC1")], [("sup.drawn", 0)]),
    ([ev("assign", 0)], []),  # a manual inspection is no part of the 双随机 plan
    ([ev("assign", 0, draw="CC1"), ev("record", 5, publish_due=DUE)],
     [("sup.drawn", 0), ("sup.drawn_done", 0), ("sup.recorded", 5)]),
    ([ev("assign", 0, draw="CC1"), ev("record", 5, publish_due=DUE), ev("publish", 28)],  # on the due day
     [("sup.drawn", 0), ("sup.drawn_done", 0), ("sup.recorded", 5), ("sup.published", 5),
      ("sup.published_on_time", 5)]),
    ([ev("assign", 0), ev("record", 5, publish_due=DUE), ev("publish", 29)],  # a day late, not flagged yet
     [("sup.recorded", 5), ("sup.published", 5)]),
    ([ev("assign", 0), ev("record", 5, publish_due=DUE), ev("flag_publish_overdue", 29), ev("publish", 30)],
     [("sup.recorded", 5), ("sup.published", 5)]),
    ([ev("assign", 0), ev("record", 5, publish_due=DUE),  # the calendar moved the deadline later
      ev("calendar_moved", 6, publish_due=(D + timedelta(days=31)).isoformat()), ev("publish", 30)],
     [("sup.recorded", 5), ("sup.published", 5), ("sup.published_on_time", 5)]),
])
def test_an_inspections_history_gives_plan_completion_and_timely_publication(events, expected):
    assert counters(rules.inspection_contributions(events=events)) == sorted(
        (c, (D + timedelta(days=d)).isoformat(), 1) for c, d in expected)


@pytest.mark.parametrize(("listed", "exempted", "expected"), [
    (True, True, ["sup.exempted", "sup.listed"]),
    (True, False, ["sup.listed", "sup.not_exempted"]),
    (False, False, []),  # not on any list: no part of the 首违免罚 figures
])
def test_a_violation_counts_as_exempted_or_not(listed, exempted, expected):
    out = rules.violation_contributions(occurred_on=D, listed=listed, exempted=exempted)
    assert sorted(c for c, _, _ in out) == expected and all(d == D for _, d, _ in out)


@pytest.mark.parametrize(("events", "expected"), [
    ([ev("apply", 0, D + timedelta(days=7))], [("sup.repair_applied", 0)]),
    ([ev("apply", 0, D + timedelta(days=7)), ev("approve", 7)],
     [("sup.repair_applied", 0), ("sup.repair_approved", 0), ("sup.repair_decided", 0), ("sup.repair_on_time", 0)]),
    ([ev("apply", 0, D + timedelta(days=7)), ev("flag_overdue", 8), ev("reject", 9)],
     [("sup.repair_applied", 0), ("sup.repair_decided", 0)]),
])
def test_a_repair_application_counts_on_the_day_applied(events, expected):
    assert counters(rules.repair_contributions(events=events)) == sorted(
        (c, (D + timedelta(days=d)).isoformat(), 1) for c, d in expected)


def test_every_supervision_figure_is_defined_with_its_parts():
    sup = [f for f in rules.FIGURES if f.code.startswith("SUP-")]
    assert {f.code for f in sup} >= {"SUP-TS", "SUP-RL", "SUP-RLCQ", "SUP-FKCQ", "SUP-SSJ", "SUP-GS", "SUP-MF",
                                     "SUP-XF"}
    for f in sup:
        assert f.definition and f.numerator.startswith("sup.") and (f.kind == "count") == (not f.denominator)
        assert rules.FIGURES_BY_CODE[f.code] is f


# ---------------------------------------------------------------- the rollup against the tables


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=TZ)


def u(name):
    return get_user_model().objects.get(username=name)


def figures(start="2024-01-01", end="2028-12-31"):
    scope = selectors.scope_for(u("leader"))
    f = selectors.filters_parse(scope, start=start, end=end)
    return {r.now.figure.code: r.now for r in selectors.overview(scope, f)}


def by_hand() -> dict[str, tuple[int, int]]:
    """The figures counted straight from the supervision tables (the tests' own definition)."""
    from yiwang.supervision.models import (
        Inspection,
        InspectionEvent,
        RepairApplication,
        SupervisionTask,
        TaskEvent,
        Violation,
    )

    pushes = {e.task_id: e.deadline for e in TaskEvent.objects.filter(action="push")}
    claims = {e.task_id: e.on for e in TaskEvent.objects.filter(action="claim")}
    flags = {}
    for e in TaskEvent.objects.filter(action="flag_overdue"):
        flags[e.task_id] = "result" if e.task_id in claims and claims[e.task_id] <= e.on else "claim"
    tasks = SupervisionTask.objects.count()
    drawn = Inspection.objects.filter(draw__isnull=False)
    recorded = Inspection.objects.exclude(result="")
    published_on_time = sum(1 for i in recorded.filter(published_at__isnull=False)
                            if not i.publish_overdue and timezone.localdate(i.published_at) <= i.deadline)
    assert InspectionEvent.objects.filter(action="record").count() == recorded.count()
    return {
        "SUP-TS": (tasks, 0),
        "SUP-RL": (sum(1 for t, on in claims.items() if on <= pushes[t]), tasks),
        "SUP-RLCQ": (sum(1 for v in flags.values() if v == "claim"), 0),
        "SUP-FKCQ": (sum(1 for v in flags.values() if v == "result"), 0),
        "SUP-FK": (SupervisionTask.objects.filter(status="reported").count(), tasks),
        "SUP-SSJ": (drawn.exclude(result="").count(), drawn.count()),
        "SUP-GS": (published_on_time, recorded.count()),
        "SUP-MF": (Violation.objects.filter(exempted=True).count(), 0),
        "SUP-MFBY": (Violation.objects.filter(exempted=False, offence__isnull=False).count(), 0),
        "SUP-XF": (RepairApplication.objects.filter(status="approved").count(), 0),
    }


@pytest.mark.django_db
def test_the_supervision_figures_recount_from_the_tables_as_the_work_goes_on():
    from yiwang.parties.models import CreditRecord, Party
    from yiwang.supervision import services as sup
    from yiwang.supervision.models import Inspection, LenientOffence, SupervisionTask

    def check():
        got = figures()
        want = by_hand()
        assert {k: (got[k].numerator, got[k].denominator) for k in want} == want
        assert services.cells_as_dict() == services.recount()
        return got

    before = check()
    assert before["SUP-SSJ"].denominator > 0  # the demo's draws, the joint one once per unit
    scjg, xtcy = u("xtx-scjg"), Party.objects.get(number="91430321MA4T8K2P6K")
    unit = Inspection.objects.filter(draw__isnull=False, unit__code="XTX-SCJG").first().unit
    # 双推送: one task claimed on time, one never claimed and marked overdue
    t1 = sup.supervision_task_open(case_number="T-DASH-1", unit=unit, kind="approval", party=xtcy,
                                   approving_unit=unit, item_name="x")
    sup.task_act(task=t1, action="claim", actor=scjg)
    t2 = sup.supervision_task_open(case_number="T-DASH-2", unit=unit, kind="approval", party=xtcy,
                                   approving_unit=unit, item_name="x")
    sup.task_act(task=SupervisionTask.objects.get(pk=t2.pk), action="flag_overdue", actor=None)
    # 双随机: one drawn inspection recorded and published
    insp = Inspection.objects.filter(draw__isnull=False, status="assigned", unit=unit).first()
    sup.inspection_act(inspection=insp, action="record", actor=scjg,
                       input={"result": "passed", "findings": "无问题", "inspected_on": timezone.localdate().isoformat()})
    sup.inspection_act(inspection=Inspection.objects.get(pk=insp.pk), action="publish", actor=scjg)
    # 首违免罚: the first exempted, the second not
    offence = LenientOffence.objects.filter(unit=unit).first()
    for _ in range(2):
        sup.violation_record(unit=unit, party=xtcy, description="年报逾期", occurred_on=timezone.localdate(),
                             minor_harm=True, corrected=True, actor=scjg, offence=offence, guidance="remind")
    # 信用修复: an old failed commitment repaired
    rec = CreditRecord.objects.create(party=xtcy, kind="false_commitment", reason="事后核查不通过", source="case:D")
    CreditRecord.objects.filter(pk=rec.pk).update(created_at=timezone.now() - timedelta(days=400))
    app = sup.repair_apply(record=CreditRecord.objects.get(pk=rec.pk), actor=u("xtcy"), reason="已改正")
    sup.repair_act(application=app, action="approve", actor=u("supervisor"), input={"note": "属实"})

    after = check()
    assert after["SUP-TS"].numerator == before["SUP-TS"].numerator + 2
    assert after["SUP-RL"].numerator == before["SUP-RL"].numerator + 1
    assert after["SUP-RLCQ"].numerator == before["SUP-RLCQ"].numerator + 1
    assert after["SUP-SSJ"].numerator == before["SUP-SSJ"].numerator + 1
    assert after["SUP-GS"].numerator == before["SUP-GS"].numerator + 1
    assert (after["SUP-MF"].numerator, after["SUP-MFBY"].numerator) == (before["SUP-MF"].numerator + 1,
                                                                          before["SUP-MFBY"].numerator + 1)
    assert after["SUP-XF"].numerator == before["SUP-XF"].numerator + 1
    snapshot = services.cells_as_dict()
    services.rollup_rebuild()
    assert services.cells_as_dict() == snapshot
