"""Inspections on the engine (result, re-check, publication within 20 working days), 首违免罚, credit
grade and the commitment bar, tasks from approvals (双推送)."""

from datetime import date

import pytest
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import OutboxMessage
from yiwang.core.timers import Timer
from yiwang.core.workflow import available_actions
from yiwang.parties.models import CreditRecord, Party
from yiwang.supervision import selectors, services
from yiwang.supervision.models import LenientOffence
from yiwang.supervision.workflow import INSPECTION, PUBLISH_TIMER, TASK, TASK_TIMER
from yiwang.workcalendar.index import add_working_days

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(users, scjg, items, enterprise, roster):
    return services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-01"], inspectors=roster[:2],
                                    basis_kind="manual", actor=users["xtx-scjg"], on=date(2026, 9, 21),
                                    now=at(date(2026, 9, 21)))


def _record(inspection, users, *, result="passed", on=date(2026, 9, 25), **kw):
    data = {"result": result, "findings": "现场检查情况", "inspected_on": on.isoformat(), **kw}
    return services.inspection_act(inspection=inspection, action="record", actor=users["xtx-scjg"], input=data,
                                   now=at(on))


@pytest.mark.parametrize(("on", "due"), [
    (date(2026, 9, 25), date(2026, 10, 29)),  # across 国庆: 10-01..10-07 off, Saturday 10-10 worked
    (date(2026, 6, 1), date(2026, 6, 30)),  # 端午 06-19 off
    (date(2026, 12, 1), date(2026, 12, 29)),
])
def test_a_result_is_published_within_20_working_days(inspection, users, on, due):
    assert add_working_days(on, 20).date == due
    insp = _record(inspection, users, on=on)
    assert insp.deadline == due and insp.status == "concluded"
    timer = Timer.objects.get(kind=PUBLISH_TIMER, key=insp.number, fired_at__isnull=True, cancelled_at__isnull=True)
    assert timezone.localtime(timer.due_at).date() == date.fromordinal(due.toordinal() + 1)


@pytest.mark.parametrize(("result", "status", "credit"), [
    ("passed", "concluded", None), ("rectify", "rectifying", "inspection_rectify"), ("case", "concluded", "inspection_case"),
])
def test_the_result_decides_the_state_and_the_credit_record(inspection, users, enterprise, result, status, credit):
    extra = {"rectify_due": "2026-10-20"} if result == "rectify" else {}
    insp = _record(inspection, users, result=result, **extra)
    assert insp.status == status
    kinds = set(CreditRecord.objects.filter(party=enterprise, source=f"inspection:{insp.number}").values_list("kind",
                                                                                                                flat=True))
    assert kinds == ({credit} if credit else set())


@pytest.mark.parametrize(("extra", "field"), [
    ({"result": "rectify"}, "rectify_due"),
    ({"result": "rectify", "rectify_due": "2026-09-01"}, "rectify_due"),
    ({"inspected_on": "2099-01-01"}, "inspected_on"),
    ({"findings": ""}, "findings"),
    ({"result": "maybe"}, "result"),
])
def test_a_bad_result_is_refused_at_its_field(inspection, users, extra, field):
    data = {"result": "passed", "findings": "情况", "inspected_on": "2026-09-25", **extra}
    with pytest.raises(DomainError) as exc:
        services.inspection_act(inspection=inspection, action="record", actor=users["xtx-scjg"], input=data,
                                now=at(date(2026, 9, 25)))
    assert exc.value.field == field and exc.value.status == 400


def test_rectification_is_rechecked_then_published(inspection, users):
    insp = _record(inspection, users, result="rectify", rectify_due="2026-10-20")
    assert [a.name for a in available_actions(INSPECTION, subject=insp, actor=users["xtx-scjg"])] == ["recheck",
                                                                                                    "publish"]
    insp = services.inspection_act(inspection=insp, action="recheck", actor=users["xtx-scjg"],
                                   input={"rectified": True, "findings": "已整改"})
    assert (insp.status, insp.result) == ("concluded", "rectified")
    insp = services.inspection_act(inspection=insp, action="publish", actor=users["xtx-scjg"])
    assert insp.published_at is not None
    assert available_actions(INSPECTION, subject=insp, actor=users["xtx-scjg"]) == []
    assert not Timer.objects.filter(kind=PUBLISH_TIMER, key=insp.number, fired_at__isnull=True,
                                    cancelled_at__isnull=True).exists()


def test_an_unpublished_result_is_marked_overdue_by_its_timer(inspection, users):
    from yiwang.core.timers import timers_fire_due

    insp = _record(inspection, users)
    timers_fire_due(now=at(date(2026, 11, 2)))
    insp.refresh_from_db()
    assert insp.publish_overdue and insp.events.last().action == "flag_publish_overdue"
    assert "20个工作日" in insp.events.last().reason
    assert selectors.overdue_counts()["publish_overdue"] >= 1


def test_another_unit_cannot_record_the_result(inspection, users):
    from yiwang.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.inspection_act(inspection=inspection, action="record", actor=users["xtx-ga"],
                                input={"result": "passed", "findings": "x", "inspected_on": "2026-09-25"})


def test_two_clerks_recording_at_once_one_is_told(inspection, users):
    stale = inspection.version
    _record(inspection, users)
    with pytest.raises(Conflict):
        services.inspection_act(inspection=inspection, action="publish", actor=users["xtx-scjg"], version=stale)


# ---------------------------------------------------------------- 首违免罚


def test_a_first_minor_violation_is_exempted_and_a_second_is_not(users, scjg, enterprise):
    offence = LenientOffence.objects.get(code="SCJG-MF-02")
    first = services.violation_record(unit=scjg, party=enterprise, offence=offence, description="未公示许可证",
                                      occurred_on=date(2026, 3, 2), minor_harm=True, corrected=True,
                                      guidance="remind", guidance_text="请在显著位置公示", actor=users["xtx-scjg"])
    assert first.exempted and first.guidance == "remind"
    second = services.violation_record(unit=scjg, party=enterprise, offence=offence, description="再次未公示许可证",
                                       occurred_on=date(2026, 8, 3), minor_harm=True, corrected=True,
                                       guidance="remind", actor=users["xtx-scjg"])
    assert not second.exempted and first.number in second.reason and "非首次" in second.reason
    kinds = list(CreditRecord.objects.filter(source__in=[f"violation:{first.number}", f"violation:{second.number}"])
                 .order_by("id").values_list("kind", flat=True))
    assert kinds == ["exemption", "penalty"]
    counts = selectors.overdue_counts()
    assert counts["exempted"] >= 1 and counts["not_exempted"] >= 1


def test_an_exemption_needs_its_guidance(users, scjg, enterprise):
    with pytest.raises(DomainError) as exc:
        services.violation_record(unit=scjg, party=enterprise, offence=LenientOffence.objects.get(code="SCJG-MF-01"),
                                  description="未按时公示年报", occurred_on=date(2026, 7, 1), minor_harm=True,
                                  corrected=True, actor=users["xtx-scjg"])
    assert exc.value.field == "guidance"
    assert not CreditRecord.objects.filter(party=enterprise, kind__in=["exemption", "penalty"]).exists()


# ---------------------------------------------------------------- credit


def test_a_failed_commitment_lowers_the_grade_and_closes_the_commitment_path_until_repaired(users, enterprise):
    assert selectors.grade_of(enterprise).grade == "A" and selectors.commitment_barred(enterprise) is None
    rec = CreditRecord.objects.create(party=enterprise, kind="false_commitment", reason="办件X 事后核查不通过",
                                      source="case:X")
    assert selectors.grade_of(enterprise).grade == "C"
    reason = selectors.commitment_barred(enterprise)
    assert reason and "3年内不适用告知承诺制" in reason
    assert selectors.commitment_barred(enterprise, years=1) is not None  # the window is configurable
    services.credit_repair(record=rec, actor=users["supervisor"], note="已履行承诺并公开作出信用承诺")
    assert selectors.grade_of(enterprise).grade == "A" and selectors.commitment_barred(enterprise) is None
    assert CreditRecord.objects.filter(pk=rec.pk).exists()  # history kept
    with pytest.raises(Conflict):
        services.credit_repair(record=rec, actor=users["supervisor"], note="再次")


def test_credit_api_shows_the_grade_and_live_records(api_client, enterprise):
    CreditRecord.objects.create(party=enterprise, kind="penalty", reason="罚款", source="violation:X")
    body = api_client.get(f"/api/v1/credit/{enterprise.number}").json()
    assert body["grade"] == "C" and body["risk"] == "medium_high" and body["records"][0]["kind_name"] == "行政处罚"
    assert api_client.get("/api/v1/credit/91430321MA4X99999X").status_code == 404


# ---------------------------------------------------------------- tasks (双推送)


def _case(users, impl_code: str, *, commitment: bool = False):
    """A real demo case through the case engine: submitted at the window, accepted, approved."""
    from yiwang.cases import services as cases
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.select_related("item").get(impl_code=impl_code)
    now = at(date(2026, 9, 28))
    case = cases.case_submit(actor=users["clerk"], item=impl_code, form={f: f"示例{f}" for f in impl.item.form_fields},
                             applicant={"kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"},
                             channel="window", now=now)
    paper = [m.name for m in impl.item.materials.filter(source="applicant")]

    def act(a, who, **kw):
        return cases.case_act(case=case.number, actor=users[who], action=a, now=now, **kw)

    act("accept", "clerk", data={"paper": paper, "tolerate": [], "commitment": commitment})
    if commitment:
        return act("decide_on_acceptance", "clerk")
    act("review", "approver")
    return act("approve", "approver")


@pytest.fixture
def approved_case(users):
    return _case(users, "430321-QYSLDJ")


@pytest.mark.parametrize(("impl", "commitment", "kind"), [("430321-QYSLDJ", False, "approval"),
                                                          ("430321-SPJYXK", True, "commitment")])
def test_the_reaction_opens_a_task_of_the_kind_of_approval(users, impl, commitment, kind):
    from yiwang.core.workflow.reactions import deliver
    from yiwang.supervision.models import SupervisionTask

    case = _case(users, impl, commitment=commitment)
    assert case.status == "approved"
    deliver({"reaction": "supervision.task_from_approval", "key": case.number})
    assert SupervisionTask.objects.get(case_number=case.number).kind == kind


def test_an_approved_case_becomes_a_task_the_supervising_unit_claims_and_reports_back(approved_case, users):
    from yiwang.core.workflow.reactions import deliver

    deliver({"reaction": "supervision.task_from_approval", "key": approved_case.number})
    deliver({"reaction": "supervision.task_from_approval", "key": approved_case.number})  # once only
    from yiwang.supervision.models import SupervisionTask

    task = SupervisionTask.objects.get(case_number=approved_case.number)
    item = approved_case.implementation.item
    assert task.unit_id == (item.supervising_unit_id or approved_case.deciding_unit_id)
    assert task.status == "pending" and task.kind == "approval"
    unit_user = users["xtx-scjg"]
    task = services.task_act(task=task, action="claim", actor=unit_user)
    with pytest.raises(DomainError) as exc:
        services.task_act(task=task, action="report", actor=unit_user, input={"result": "none"})
    assert exc.value.field == "note"
    task = services.task_act(task=task, action="report", actor=unit_user, input={"result": "document",
                                                                                 "note": "书面核查无异常"})
    assert task.status == "reported" and task.pushed_at
    push = OutboxMessage.objects.filter(topic="supervision.result_pushed").latest("id")
    assert push.payload["case_number"] == approved_case.number and push.payload["to_unit"] == task.approving_unit.code
    assert available_actions(TASK, subject=task, actor=unit_user) == []


def test_an_unclaimed_task_is_marked_overdue(approved_case, users):
    from yiwang.core.timers import timers_fire_due
    from yiwang.supervision.models import SupervisionTask

    task = services.supervision_task_open(case_number=approved_case.number, unit=approved_case.deciding_unit,
                                          kind="approval", party=approved_case.applicant,
                                          approving_unit=approved_case.deciding_unit, item_name="x",
                                          now=at(date(2026, 9, 29)))
    assert task.deadline == date(2026, 10, 9)  # 3 working days over 国庆
    assert Timer.objects.filter(kind=TASK_TIMER, key=task.number).exists()
    timers_fire_due(now=at(date(2026, 10, 12)))
    task = SupervisionTask.objects.get(pk=task.pk)
    assert task.overdue and task.status == "pending"


def test_commitment_barred_for_a_party_with_no_records(db):
    party = Party.objects.get(number="91430321MA4L16JQ95")
    assert selectors.commitment_barred(party) is None


# ---------------------------------------------------------------- 信用修复 as an application


@pytest.fixture
def old_false_commitment(enterprise):
    from datetime import timedelta

    rec = CreditRecord.objects.create(party=enterprise, kind="false_commitment", reason="办件Z 事后核查不通过",
                                      source="case:Z")
    CreditRecord.objects.filter(pk=rec.pk).update(created_at=timezone.now() - timedelta(days=400))
    return CreditRecord.objects.get(pk=rec.pk)


def test_a_repair_is_applied_for_and_approved_then_the_record_stops_counting(users, enterprise, old_false_commitment):
    from yiwang.supervision.workflow import REPAIR

    assert selectors.commitment_barred(enterprise)
    app = services.repair_apply(record=old_false_commitment, actor=users["xtcy"], reason="已按承诺补齐条件")
    with pytest.raises(Conflict):
        services.repair_apply(record=old_false_commitment, actor=users["xtcy"], reason="再次")
    assert available_actions(REPAIR, subject=app, actor=users["xtx-scjg"]) == []
    app = services.repair_act(application=app, action="approve", actor=users["supervisor"], input={"note": "材料属实"})
    assert app.status == "approved"
    assert selectors.commitment_barred(enterprise) is None and selectors.grade_of(enterprise).grade == "A"
    assert [e.action for e in app.events.all()] == ["apply", "approve"]
    assert CreditRecord.objects.filter(pk=old_false_commitment.pk).exists()
    body = Client_for("xtcy").get("/my/supervision/").content.decode()
    assert "已修复，停止公示" in body


def Client_for(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def test_a_repair_is_applied_for_by_the_enterprise_itself_only(users, old_false_commitment):
    from yiwang.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.repair_apply(record=old_false_commitment, actor=users["xtkj"], reason="已改正")


def test_a_repair_application_needs_its_reason(users, old_false_commitment):
    with pytest.raises(DomainError) as exc:
        services.repair_apply(record=old_false_commitment, actor=users["xtcy"], reason=" ")
    assert exc.value.field == "reason"


def test_a_fresh_record_cannot_be_repaired_yet(users, enterprise):
    rec = CreditRecord.objects.create(party=enterprise, kind="penalty", reason="罚款", source="x")
    with pytest.raises(DomainError) as exc:
        services.repair_apply(record=rec, actor=users["xtcy"], reason="已缴纳罚款")
    assert "公示满90天" in exc.value.message


def test_a_repair_not_decided_in_time_is_marked_overdue(users, old_false_commitment):
    from yiwang.core.timers import timers_fire_due
    from yiwang.supervision.models import RepairApplication

    app = services.repair_apply(record=old_false_commitment, actor=users["xtcy"], reason="已改正",
                                now=at(date(2026, 9, 21)))
    assert app.deadline == date(2026, 9, 29)  # 5 working days; 中秋 09-25 is a holiday
    timers_fire_due(now=at(date(2026, 9, 30)))
    assert RepairApplication.objects.get(pk=app.pk).overdue
    services.repair_act(application=app, action="reject", actor=users["supervisor"], input={"note": "未见改正证明"})
    assert selectors.commitment_barred(old_false_commitment.party)


# ---------------------------------------------------------------- what the pages offer is what apply accepts


@pytest.mark.parametrize("who", ["xtx-scjg", "xtx-ga", "supervisor", "xtcy"])
def test_available_actions_are_exactly_those_apply_accepts(inspection, users, who):
    """For each state of an inspection and each demo role: every input-free action offered is accepted,
    every one not offered is refused (each tried in a rolled-back transaction)."""
    from django.db import transaction

    from yiwang.supervision.models import Inspection

    actor = users[who]
    states = [inspection]
    states.append(_record(Inspection.objects.get(pk=inspection.pk), users, result="rectify", rectify_due="2026-10-20"))
    for subject in states:
        subject = Inspection.objects.get(pk=subject.pk)
        offered = {a.name for a in available_actions(INSPECTION, subject=subject, actor=actor)}
        for name, act in INSPECTION.actions.items():
            if act.system_only:
                continue
            data = {"rectified": True, "findings": "复查"} if name == "recheck" else {}
            accepted = True
            try:
                with transaction.atomic():
                    services.inspection_act(inspection=subject, action=name, actor=actor, input=data)
                    transaction.set_rollback(True)
            except DomainError as exc:
                accepted = exc.field not in ("action",) and exc.status == 400  # refused only for its input
            assert (name in offered) == accepted, (who, subject.status, name)
