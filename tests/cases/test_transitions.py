"""Every edge of the case workflow (yiwang/cases/workflow.py): allowed for its actors, refused (403)
for others, and every (status, action) pair that is no edge refused with a 409."""

import re
from datetime import date

import pytest

from yiwang.cases import services
from yiwang.cases import workflow as T
from yiwang.cases.models import CaseEvent, CaseStatus
from yiwang.core.errors import Conflict, DomainError, Forbidden
from yiwang.core.models import OutboxMessage
from yiwang.core.workflow import SAME, SYSTEM

from .conftest import LHYS, PDF, QYSLDJ, SPJYXK, at, form_for

DAY = date(2026, 11, 2)  # a Monday
NOW = at(DAY)
ACTOR_USER = {T.APPLICANT: "xtcy", T.INTAKE: "clerk", T.REVIEWER: "approver", T.DECIDER: "approver",
              T.HEAD: "head", T.CO_REVIEWER: "xtx-zrzy", T.REMOTE_INTAKE: "clerk", SYSTEM: None}
REMOTE = "430421-SPJYXK"  # 衡阳县's, on the 跨域通办清单 of 湘潭县's windows
OUTSIDER = "xtx-ga"  # approver and head of another department


def impl_for(action: str) -> str:
    if action == "forward":
        return REMOTE
    if action in ("co_review", "deemed_consent"):
        return LHYS
    if action in ("decide_on_acceptance", "post_check_pass", "post_check_fail", "flag_post_check_due"):
        return SPJYXK
    return QYSLDJ


def submit(users, impl):
    if impl == REMOTE:
        return remote_submit(users)
    return services.case_submit(actor=users["clerk"], item=impl, applicant={
        "kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"},
        form=form_for(impl), channel="window", now=NOW)


def remote_submit(users):
    """A case 湘潭县's window takes in for 衡阳县, its materials scanned (uploaded), not yet forwarded."""
    case = services.case_submit(actor=users["clerk"], item=REMOTE, applicant={
        "kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"},
        form=form_for(REMOTE), channel="window", receiving_region="430321", now=NOW)
    for name in paper(case):
        services.case_material_upload(case=case.number, actor=users["clerk"], name=name, filename="a.pdf",
                                      content=PDF, now=NOW)
    return case


def paper(case):
    return [m.name for m in case.implementation.item.materials.filter(source="applicant")]


def drive(users, status: str, action: str):
    """A case in `status`, set up so that `action`'s guards can pass."""
    impl = impl_for(action)
    case = submit(users, impl)
    clerk, approver = users["clerk"], users["approver"]
    if impl == LHYS:
        approver = users["xtx-zj"]

    def act(a, who=approver, **kw):
        return services.case_act(case=case.number, actor=who, action=a, now=NOW, **kw)

    if status == CaseStatus.SUBMITTED:
        return case
    if status == CaseStatus.CORRECTION_REQUESTED:
        return act("request_correction", clerk, reason="章程缺少签字")
    if status == CaseStatus.REFUSED:
        return act("refuse", clerk, reason="不属于本机关职权范围")
    if status == CaseStatus.WITHDRAWN:
        return act("withdraw", users["xtcy"])
    tolerate = ["住所（经营场所）使用证明"] if action in ("supply_material", "flag_supply_overdue") else []
    commitment = impl == SPJYXK
    case = act("accept", clerk, data={"paper": [p for p in paper(case) if p not in tolerate],
                                      "tolerate": tolerate, "commitment": commitment})
    if action == "flag_supply_overdue":
        from yiwang.cases.models import Case

        Case.objects.filter(pk=case.pk).update(supply_overdue=False)
    if status == CaseStatus.ACCEPTED:
        return case
    if commitment:
        case = act("decide_on_acceptance", clerk)
        if status == CaseStatus.APPROVED:
            return case
        if status == CaseStatus.DELIVERED:
            return act("deliver", clerk, data={"method": "window"})
        raise AssertionError(status)
    if status == CaseStatus.PAUSED:
        return act("pause", reason="专家评审", data={"procedure": "专家评审"})
    case = act("review")
    if status == CaseStatus.IN_REVIEW:
        return case
    if status in (CaseStatus.APPROVED, CaseStatus.DELIVERED):
        case = act("approve")
        if status == CaseStatus.DELIVERED:
            case = act("deliver", clerk, data={"method": "window"})
        return case
    if status == CaseStatus.DENIED:
        return act("deny", reason="不符合条件")
    raise AssertionError(status)


INPUT = {
    "accept": {"data": "PAPER"},
    "refuse": {"reason": "不属于本机关职权范围"},
    "request_correction": {"reason": "章程缺少签字"},
    "deny": {"reason": "不符合法定条件"},
    "pause": {"reason": "需要现场核查", "data": {"procedure": "现场核查"}},
    "extend": {"reason": "情况复杂", "data": {"days": 5}},
    "deliver": {"data": {"method": "electronic"}},
    "post_check_fail": {"reason": "承诺内容与实际不符"},
    "co_review": {"data": {"consent": True}, "reason": "同意"},
    "supply_material": {"data": {"material": "住所（经营场所）使用证明"}},
}

EDGES = sorted(((s, a.name), a) for a in T.WORKFLOW.actions.values() for s in a.edges)
TABLE = dict(EDGES)
ACTIONS = sorted(T.WORKFLOW.actions)


def to_of(status, a):
    return a.edges[status]


def _prepare(case, status, action, users):
    from yiwang.cases.models import Case, CoReview

    if status == CaseStatus.ACCEPTED and action in ("approve", "deemed_approve"):
        Case.objects.filter(pk=case.pk).update(steps=["受理", "决定"])  # a two-step item decides at once
    if status == CaseStatus.IN_REVIEW and action == "review":
        Case.objects.filter(pk=case.pk).update(current_step=1)  # as after a pause taken before the review

    if action == "supply_material":
        from django.core.files.base import ContentFile

        from yiwang.cases.models import CaseMaterial

        m = CaseMaterial(case=case, name="住所（经营场所）使用证明", filename="a.pdf", kind="pdf", size=len(PDF),
                         sha256="0" * 64)
        m.file.save("x.pdf", ContentFile(PDF), save=True)
    if action == "deemed_consent":
        CoReview.objects.filter(case=case).update(slot_end=date(2026, 10, 30))
    if action == "deemed_approve":
        case.implementation.item.__class__.objects.filter(pk=case.implementation.item_id).update(
            deemed_approval_allowed=True)
    if action == "calendar_moved":
        Case.objects.filter(pk=case.pk).update(deadline=date(2026, 1, 5))


@pytest.mark.parametrize("edge", EDGES, ids=[f"{s}-{a}" for (s, a), _ in EDGES])
def test_edge_is_allowed_for_its_actors(edge, users):
    (status, action), e = edge
    case = drive(users, status, action)
    _prepare(case, status, action, users)
    kw = dict(INPUT.get(action, {}))
    if kw.get("data") == "PAPER":
        kw["data"] = {"paper": paper(case)}
    who = sorted(e.actors - {SYSTEM}) or [SYSTEM]
    user = users.get(ACTOR_USER[who[0]]) if ACTOR_USER[who[0]] else None
    if who[0] in (T.REVIEWER, T.DECIDER, T.HEAD) and case.implementation.impl_code == LHYS:
        user = users["xtx-zj"]
    events = CaseEvent.objects.filter(case=case).count()
    outbox = OutboxMessage.objects.count()
    after = services.case_act(case=case.number, actor=user, action=action, now=NOW, **kw)
    assert after.status == (status if to_of(status, e) == SAME else to_of(status, e))
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (last.action, last.from_status, last.to_status, last.seq) == (action, status, after.status, after.version)
    assert OutboxMessage.objects.count() >= outbox + (1 if after.status != status else 0)


@pytest.mark.parametrize("edge", [x for x in EDGES if x[1].actors != {SYSTEM}],
                         ids=[f"{s}-{a}" for (s, a), e in EDGES if e.actors != {SYSTEM}])
def test_edge_is_refused_to_other_units_and_to_the_system(edge, users):
    (status, action), e = edge
    case = drive(users, status, action)
    with pytest.raises(Forbidden) as info:
        services.case_act(case=case.number, actor=users[OUTSIDER], action=action, now=NOW,
                          **{k: v for k, v in INPUT.get(action, {}).items() if v != "PAPER"})
    assert "无权" in info.value.message
    if SYSTEM not in e.actors:
        with pytest.raises(Forbidden):
            services.case_act(case=case.number, actor=None, action=action, now=NOW)


SYSTEM_ONLY = [x for x in EDGES if x[1].actors == {SYSTEM}]


@pytest.mark.parametrize("edge", SYSTEM_ONLY, ids=[f"{s}-{a}" for (s, a), _ in SYSTEM_ONLY])
def test_system_actions_are_refused_to_people(edge, users):
    (status, action), _ = edge
    case = drive(users, status, action)
    with pytest.raises(Forbidden) as info:
        services.case_act(case=case.number, actor=users["approver"], action=action, now=NOW)
    assert "系统" in info.value.message


MISSING = [(s, a) for s in CaseStatus.values for a in ACTIONS if (s, a) not in TABLE]


@pytest.mark.parametrize("status", [s for s in CaseStatus.values if s not in T.TERMINAL])
def test_actions_outside_the_table_are_a_conflict(status, users):
    case = drive(users, status, "accept")
    for action in [a for s, a in MISSING if s == status]:
        with pytest.raises(Conflict):
            services.case_act(case=case.number, actor=users["approver"], action=action, now=NOW)


def test_terminal_statuses_have_no_way_out():
    for status in T.TERMINAL:
        assert [a for (s, a) in TABLE if s == status] == []


@pytest.mark.parametrize(
    "action, kw, message",
    [
        ("refuse", {}, "请填写理由"),
        ("request_correction", {}, "请填写理由"),
        ("accept", {}, "缺少材料"),
        ("accept", {"data": {"tolerate": ["公司章程"]}}, "不可容缺"),
        ("accept", {"data": {"paper": ["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"],
                             "commitment": True}}, "不适用告知承诺"),
    ],
)
def test_intake_guards(users, action, kw, message):
    case = submit(users, QYSLDJ)
    with pytest.raises(DomainError) as info:
        services.case_act(case=case.number, actor=users["clerk"], action=action, now=NOW, **kw)
    assert message in info.value.message
    assert not re.match(r"[a-z_]+：", info.value.message)  # no internal key shown to the user (issue 11)


def test_correction_is_requested_once(users):
    case = drive(users, CaseStatus.CORRECTION_REQUESTED, "x")
    services.case_act(case=case.number, actor=users["xtcy"], action="resubmit", now=NOW)
    with pytest.raises(DomainError, match="一次性"):
        services.case_act(case=case.number, actor=users["clerk"], action="request_correction", reason="再改",
                          now=NOW)


def test_decision_waits_for_the_review_step(users):
    case = drive(users, CaseStatus.ACCEPTED, "x")
    with pytest.raises(DomainError, match="审核"):
        services.case_act(case=case.number, actor=users["approver"], action="approve", now=NOW)


def test_decision_is_blocked_until_tolerated_materials_arrive(users):
    case = drive(users, CaseStatus.ACCEPTED, "supply_material")
    assert case.missing_materials == ["住所（经营场所）使用证明"] and case.supply_due == date(2026, 11, 9)
    services.case_act(case=case.number, actor=users["approver"], action="review", now=NOW)
    with pytest.raises(DomainError, match="容缺材料尚未补齐"):
        services.case_act(case=case.number, actor=users["approver"], action="approve", now=NOW)
    services.case_material_upload(case=case.number, actor=users["xtcy"], name="住所（经营场所）使用证明",
                                  filename="lease.pdf", content=PDF, now=NOW)
    case = services.case_act(case=case.number, actor=users["approver"], action="approve", now=NOW)
    assert case.status == CaseStatus.APPROVED


def test_approver_may_not_extend_only_the_head(users):
    case = drive(users, CaseStatus.IN_REVIEW, "x")
    with pytest.raises(Forbidden, match="负责人"):
        services.case_act(case=case.number, actor=users["approver"], action="extend", reason="复杂",
                          data={"days": 3}, now=NOW)


def test_extension_is_allowed_once(users):
    case = drive(users, CaseStatus.IN_REVIEW, "x")
    before = case.deadline
    case = services.case_act(case=case.number, actor=users["head"], action="extend", reason="情况复杂",
                             data={"days": 10}, now=NOW)
    assert case.extension_days == 10 and case.deadline > before
    with pytest.raises(DomainError, match="只能延长一次"):
        services.case_act(case=case.number, actor=users["head"], action="extend", reason="还要",
                          data={"days": 1}, now=NOW)


@pytest.mark.parametrize("days", [0, 11, "5", None, True])
def test_extension_days_are_one_to_ten(users, days):
    case = drive(users, CaseStatus.IN_REVIEW, "x")
    with pytest.raises(DomainError, match="延长天数") as info:
        services.case_act(case=case.number, actor=users["head"], action="extend", reason="复杂",
                          data={"days": days}, now=NOW)
    assert info.value.field == "days"


def test_denial_tells_the_applicant_of_the_right_to_appeal(users):
    case = drive(users, CaseStatus.DENIED, "x")
    msg = OutboxMessage.objects.filter(topic="case.deny", payload__number=case.number).get()
    assert "行政复议" in msg.payload["text"] and "行政诉讼" in msg.payload["text"]


def test_failed_post_check_revokes_and_writes_a_credit_record(users):
    from yiwang.parties.models import CreditRecord

    case = drive(users, CaseStatus.APPROVED, "post_check_fail")
    assert case.commitment and case.post_check_pending and case.post_check_due
    before = CreditRecord.objects.filter(party=case.applicant).count()
    case = services.case_act(case=case.number, actor=users["approver"], action="post_check_fail",
                             reason="经营场所与承诺不符", now=NOW)
    assert case.status == CaseStatus.REVOKED
    assert CreditRecord.objects.filter(party=case.applicant).count() == before + 1


def test_instant_item_is_decided_at_acceptance(make_case, users):
    case = make_case("430321-GZKZBA", on=DAY)
    case = services.case_accept(case=case, actor=users["clerk"], now=NOW)
    assert case.status == CaseStatus.APPROVED and case.deadline == DAY
    assert [e.action for e in case.events.order_by("seq")] == ["submit", "accept", "decide_on_acceptance"]


def test_commitment_approval_is_decided_at_acceptance_and_schedules_the_post_check(make_case, users):
    from yiwang.core.models import Timer

    case = make_case(SPJYXK, on=DAY)
    case = services.case_accept(case=case, actor=users["clerk"], paper=paper(case), commitment=True, now=NOW)
    assert case.status == CaseStatus.APPROVED and case.post_check_pending
    assert Timer.objects.filter(kind="case.post_check", key=case.number, fired_at__isnull=True).exists()


def test_routing_is_recorded_on_the_case(make_case, users):
    from yiwang.cases.services import case_submit

    # 湘潭示范科技 is in the 天易 park; 施工许可 is entrusted to the park: park receives and decides in
    # the department's name.
    case = case_submit(actor=users["clerk"], item="430321-SGXK", applicant={
        "kind": "enterprise", "number": "91430321MA4L16JQ95", "name": "湘潭示范科技有限公司"},
        form=form_for("430321-SGXK"), channel="window", now=NOW)
    assert (case.route_mode, case.receiving_unit.code, case.deciding_unit.code, case.in_name_of.code) == (
        "ENTRUSTED", "TYJK", "TYJK", "XTX-ZJ")
