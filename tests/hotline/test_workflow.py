from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, Forbidden
from yiwang.core.models import OutboxMessage
from yiwang.core.timers import timers_fire_due
from yiwang.evaluations.models import Evaluation
from yiwang.hotline import selectors, services
from yiwang.hotline.models import DispatchRule, Request
from yiwang.kb.models import Article
from yiwang.organisations.models import Unit
from yiwang.parties.models import Party

pytestmark = pytest.mark.django_db
User = get_user_model()


def unit(code):
    return Unit.objects.get(code=code)


def test_create_proposes_unit_by_rule_and_sets_deadline(make_request):
    req = make_request()
    assert req.proposed_unit.code == "XTX-SCJG"
    assert req.status == "new" and req.deadline_at > req.received_at and len(req.number) == 14
    assert req.events.filter(action="create").exists()


def test_rules_are_ordered_and_editable(make_request):
    DispatchRule.objects.create(order=1, category=None, region=None, unit=unit("XTX-GA"))
    assert make_request().proposed_unit.code == "XTX-GA"


def test_anonymous_complaint_is_refused_but_anonymous_report_is_kept_anonymous(make_request):
    with pytest.raises(DomainError) as e:
        make_request(kind="complaint", anonymous=True)
    assert e.value.field == "anonymous"
    req = make_request(kind="report", anonymous=True, phone="138", requester_name="王")
    assert req.anonymous and req.phone == "" and req.requester_name == ""


def test_dispatch_sign_reply_visit_satisfied_closes(make_request, operator, scjg_user):
    req = make_request()
    req = services.request_dispatch(request=req, actor=operator)
    assert req.status == "dispatched" and req.unit.code == "XTX-SCJG" and req.sign_due_at
    with pytest.raises(Forbidden):
        services.request_sign(request=req, actor=User.objects.get(username="xtx-ga"))
    req = services.request_sign(request=req, actor=scjg_user)
    req = services.request_reply(request=req, actor=scjg_user, reply="已责令商家退货")
    req = services.request_visit(request=req, actor=operator, level=2)
    assert req.status == "closed" and req.satisfaction == 2
    ev = Evaluation.objects.get(subject_kind="hotline", subject_ref=req.number)
    assert ev.level == 2 and ev.channel == "hotline" and ev.staff == scjg_user


def test_acting_twice_on_the_same_step_is_a_conflict(make_request, operator, scjg_user):
    req = make_request()
    services.request_dispatch(request=req, actor=operator)
    services.request_sign(request=req, actor=scjg_user)
    with pytest.raises(Conflict):
        services.request_sign(request=req, actor=scjg_user)


def test_returns_then_dispute_then_supervisor_arbitrates(make_request, operator, supervisor, scjg_user):
    req = make_request()
    services.request_dispatch(request=req, actor=operator)
    with pytest.raises(DomainError):
        services.request_return(request=req, actor=scjg_user, reason=" ")
    req = services.request_return(request=req, actor=scjg_user, reason="不属于本单位职责")
    assert req.status == "returned" and req.returns == 1 and req.unit is None
    req = services.request_dispute(request=req, actor=operator, note="属于市场监管职责")
    with pytest.raises(Forbidden):
        services.request_arbitrate(request=req, actor=operator, unit=unit("XTX-SCJG"))
    req = services.request_arbitrate(request=req, actor=supervisor, unit=unit("XTX-SCJG"), note="由市场监管局办理")
    assert req.status == "handling" and req.designated


def test_after_three_returns_the_hotline_assigns(make_request, operator):
    req = make_request()
    for code in ("XTX-SCJG", "XTX-GA", "XTX-RS"):
        req = services.request_dispatch(request=req, actor=operator, unit=unit(code))
        with pytest.raises(Conflict):
            services.request_assign(request=req, actor=operator, unit=unit(code))
        req = services.request_return(request=req, actor=User.objects.get(username=code.lower()), reason="非本单位")
    with pytest.raises(Conflict) as e:
        services.request_dispatch(request=req, actor=operator, unit=unit("XTX-SPJ"))
    assert e.value.code == "must_assign"
    req = services.request_assign(request=req, actor=operator, unit=unit("XTX-SCJG"))
    assert req.status == "handling" and req.designated
    req.status = "dispatched"  # even if it were back with the unit, a designated request cannot be returned
    req.save()
    with pytest.raises(Conflict):
        services.request_return(request=req, actor=User.objects.get(username="xtx-scjg"), reason="x")


def test_dissatisfied_reopens_once_to_the_same_unit_then_escalates(make_request, operator, supervisor, scjg_user):
    req = make_request()
    services.request_dispatch(request=req, actor=operator)
    services.request_sign(request=req, actor=scjg_user)
    services.request_reply(request=req, actor=scjg_user, reply="已处理")
    req = services.request_visit(request=req, actor=operator, level=4, note="没有退货")
    assert req.status == "handling" and req.reopens == 1 and req.unit.code == "XTX-SCJG"
    services.request_reply(request=req, actor=scjg_user, reply="再次协调")
    req = services.request_visit(request=req, actor=operator, level=5)
    assert req.status == "escalated"
    assert Evaluation.objects.filter(subject_ref=req.number).count() == 2
    with pytest.raises(Conflict):
        services.escalation_conclude(request=Request.objects.get(pk=req.pk), actor=supervisor, outcome="x")  # no lead
    req = services.escalation_coordinate(request=req, actor=supervisor, lead_unit=unit("XTX-SCJG"),
                                         co_units=[unit("XTX-SPJ")],
                                         joint_deadline=timezone.localdate() + timedelta(days=5))
    assert req.lead_unit.code == "XTX-SCJG" and list(req.co_units.values_list("code", flat=True)) == ["XTX-SPJ"]
    req = services.escalation_conclude(request=req, actor=supervisor, outcome="商家已退货，双方和解")
    assert req.status == "closed" and req.outcome


def test_window_escalation_of_a_stuck_matter(make_request, operator, supervisor):
    req = make_request(channel="window", kind="help", title="开餐馆办不下来")
    req = services.request_escalate(request=req, actor=operator, note="多个部门互相推诿")
    assert req.status == "escalated"
    assert req in selectors.requests_escalated()


def test_repeated_request_is_merged(make_request, operator):
    first = make_request(address="湘潭县易俗河镇某商场")
    again = make_request(address="湘潭县易俗河镇某商场", phone="13800000002")
    assert first in selectors.request_duplicates(again)
    again = services.request_merge(request=again, into=first, actor=operator)
    assert again.status == "merged" and again.merged_into == first
    assert first.events.filter(action="merged_in").exists()
    with pytest.raises(DomainError):
        services.request_merge(request=first, into=first, actor=operator)


def test_consultation_answered_from_kb_closes_at_once(make_request, operator):
    req = make_request(kind="consult", category="010101", title="营业执照怎么办")
    article = Article.objects.get(key="item:430321-QYSLDJ")
    req = services.request_answer(request=req, actor=operator, article=article)
    assert req.status == "closed" and req.article == article and "企业设立登记" in req.reply
    complaint = make_request()
    with pytest.raises(DomainError):
        services.request_answer(request=complaint, actor=operator, article=article)


def test_overdue_request_gets_a_supervision_notice_to_unit_and_head(make_request, operator):
    req = make_request()
    services.request_dispatch(request=req, actor=operator)
    req.refresh_from_db()
    timers_fire_due(now=req.near_due_at + timedelta(seconds=1))
    req.refresh_from_db()
    assert req.near_due and not req.overdue
    timers_fire_due(now=req.deadline_at + timedelta(seconds=1))
    req.refresh_from_db()
    assert req.overdue
    notice = OutboxMessage.objects.filter(topic="hotline.supervise", payload__request=req.number).get()
    assert notice.payload["unit"] == "XTX-SCJG" and "head" in notice.payload["heads"]
    assert req in selectors.requests_overdue()


def test_enterprise_demand_items_are_closed_one_by_one(make_request, operator):
    ent = Party.objects.filter(kind="enterprise").first()
    req = make_request(kind="help", category="0501", requester=ent, demand_items=["用工招聘难", "厂房报建慢"])
    assert req.is_demand and req.proposed_unit.code == "TYJK"
    req = services.request_dispatch(request=req, actor=operator)
    park = User.objects.get(username="tyjk")
    services.request_sign(request=req, actor=park)
    with pytest.raises(Conflict):
        services.request_reply(request=req, actor=park, reply="已办")
    for item in req.items.all():
        services.demand_item_close(item=item, actor=park, result="已对接")
    with pytest.raises(Conflict):
        services.demand_item_close(item=req.items.first(), actor=park, result="again")
    services.request_reply(request=req, actor=park, reply="两项诉求均已解决")
    stats = selectors.demand_closure()
    assert stats["items_closed"] >= 2 and stats["baseline_received"] == 2260 and stats["baseline_closed"] == 2219
    assert stats["rate"] is not None
