"""The rollup against the events: real cases, ratings and requests through their services, then the
dashboard's figures compared with a recount from the histories and with counts made by hand."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from yiwang.cases import services as cases
from yiwang.catalogue.models import ItemImplementation
from yiwang.core.errors import DomainError, Forbidden
from yiwang.dashboards import selectors, services
from yiwang.dashboards.models import RollupCell

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
User = get_user_model()
QYSLDJ = "430321-QYSLDJ"  # 3 statutory / 1 promised working days
GZKZBA = "430321-GZKZBA"  # instant
XTCY = {"kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"}
NOV = ("2024-11-01", "2024-11-30")  # before the demo's history (the last six months)


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=TZ)


def u(name):
    return User.objects.get(username=name)


def accepted(impl_code, day):
    impl = ItemImplementation.objects.select_related("item").get(impl_code=impl_code)
    case = cases.case_submit(actor=u("clerk"), item=impl_code, applicant=XTCY, channel="window",
                             form={f: f"示例{f}" for f in impl.item.form_fields}, now=at(day))
    paper = [m.name for m in impl.item.materials.filter(source="applicant")]
    return cases.case_accept(case=case, actor=u("clerk"), paper=paper, now=at(day))


def approve(case, day):
    case.refresh_from_db()
    while case.current_step < max(len(case.steps) - 1, 1) and len(case.steps) > 2:
        case = cases.case_act(case=case, actor=u("xtx-scjg"), action="review", now=at(day, 11))
    return cases.case_act(case=case, actor=u("xtx-scjg"), action="approve", now=at(day, 14))


def figures(user="leader", start=NOV[0], end=NOV[1], **kw):
    scope = selectors.scope_for(u(user))
    f = selectors.filters_parse(scope, start=start, end=end, **kw)
    return {r.now.figure.code: r.now for r in selectors.overview(scope, f, today=date(2024, 12, 20))}


@pytest.fixture
def november():
    """Three 企业设立登记 cases in November 2024: one decided on time, one late, one still open;
    one instant case decided on acceptance."""
    on_time = approve(accepted(QYSLDJ, date(2024, 11, 4)), date(2024, 11, 5))
    late = approve(accepted(QYSLDJ, date(2024, 11, 4)), date(2024, 11, 11))
    running = accepted(QYSLDJ, date(2024, 11, 18))
    instant = accepted(GZKZBA, date(2024, 11, 19))  # an instant item is decided on acceptance
    assert instant.status == "approved"
    return {"on_time": on_time, "late": late, "running": running, "instant": instant}


def test_figures_equal_the_counts_made_by_hand_from_the_cases(november):
    f = figures()
    assert (f["GOV-AS"].numerator, f["GOV-AS"].denominator) == (2, 3)  # on time and instant of three decided
    assert (f["GOV-JB"].numerator, f["GOV-JB"].denominator) == (1, 3)
    assert f["GOV-CQBJ"].numerator == 1
    assert (f["GOV-WB"].numerator, f["GOV-WB"].denominator) == (0, 4)  # all four taken in at the window
    assert (f["GOV-YCSL"].numerator, f["GOV-YCSL"].denominator) == (4, 4)  # received by the county hall
    assert f["GOV-CQZB"].numerator == 1  # the running case, past its 1-day deadline on 2024-12-20
    # used days: 1 (on time) + 5 (4 → 11 November) + 0 (instant)
    assert f["GOV-YS"].numerator == 6 and f["GOV-YS"].display == "2.00"


def test_the_rollup_never_disagrees_with_a_recount_from_the_events(november):
    services.rollup_refresh()
    assert services.cells_as_dict() == services.recount()
    # more history: the rollup follows it
    cases.case_act(case=november["on_time"], actor=u("clerk"), action="deliver", data={"method": "window"},
                   now=at(date(2024, 11, 6)))
    approve(november["running"], date(2024, 11, 22))
    f = figures()
    assert f["GOV-AS"].denominator == 4 and f["GOV-CQZB"].numerator == 0
    assert services.cells_as_dict() == services.recount()
    # the coarse grain the overview reads is the fine grain summed
    coarse: dict = {}
    for (counter, day, region, unit, park, *_), v in services.cells_as_dict().items():
        key = (counter, day, region, unit, park, None, None, None)
        coarse[key] = coarse.get(key, 0) + v
    assert services.cells_as_dict("coarse") == coarse
    # and a rebuild from nothing gives the same cells
    before = services.cells_as_dict()
    services.rollup_rebuild()
    assert services.cells_as_dict() == before


def test_a_refresh_with_nothing_new_recomputes_nothing(november):
    services.rollup_refresh()
    assert sum(services.rollup_refresh().values()) == 0


def test_period_on_period_compares_with_the_previous_month(november):
    scope = selectors.scope_for(u("leader"))
    rows = {r.now.figure.code: r for r in selectors.overview(scope, selectors.filters_parse(
        scope, start="2024-12-01", end="2024-12-31"), today=date(2024, 12, 20))}
    assert rows["GOV-AS"].now.denominator == 0 and rows["GOV-AS"].before.denominator == 3
    assert rows["GOV-CQBJ"].change == -1


def test_series_by_month_and_ranking_by_unit(november):
    scope = selectors.scope_for(u("leader"))
    f = selectors.filters_parse(scope, start="2024-10-01", end="2024-12-31")
    points = selectors.series(scope, f, figure="GOV-AS", by="month")
    assert [(p["period"], p["numerator"], p["denominator"]) for p in points] == [
        ("2024-10", 0, 0), ("2024-11", 2, 3), ("2024-12", 0, 0)]
    ranks = selectors.ranking(scope, f, figure="GOV-AS", by="unit")
    assert {r["name"]: (r["numerator"], r["denominator"]) for r in ranks}["湘潭县市场监督管理局"] == (1, 2)


def test_drilldown_lists_exactly_the_cases_behind_a_figure(november):
    scope = selectors.scope_for(u("leader"))
    f = selectors.filters_parse(scope, start=NOV[0], end=NOV[1])
    drill = selectors.drilldown(u("leader"), scope, f, figure="GOV-CQBJ")
    assert [r["ref"] for r in drill.rows] == [november["late"].number] and drill.total == 1
    assert drill.rows[0]["openable"] is False  # a leader has no workbench: counts and numbers, no case page
    head_scope = selectors.scope_for(u("head"))
    drill = selectors.drilldown(u("head"), head_scope, selectors.filters_parse(head_scope, start=NOV[0], end=NOV[1]),
                                figure="GOV-AS", side="denominator")
    assert {r["ref"] for r in drill.rows} == {november["on_time"].number, november["late"].number}
    assert all(r["openable"] for r in drill.rows)  # the head may open their unit's cases in the workbench


def test_a_unit_head_sees_only_their_unit(november):
    f = figures("head")
    assert f["GOV-AS"].denominator == 2  # the instant case was decided by another unit
    with pytest.raises(Forbidden):
        figures("head", unit="XTX-GA")


def test_a_leader_cannot_look_outside_their_region_and_bad_input_names_the_field():
    with pytest.raises(Forbidden) as exc:
        figures(region="430421")  # 衡阳县, not under 湘潭县
    assert exc.value.field == "region"
    with pytest.raises(DomainError) as exc:
        figures(start="2026-13-01")
    assert exc.value.field == "from" and "起始日期" in exc.value.message
    with pytest.raises(DomainError) as exc:
        figures(start="2026-09-30", end="2026-09-01")
    assert exc.value.field == "to"


def test_staff_without_a_dashboard_role_are_refused():
    with pytest.raises(Forbidden):
        selectors.scope_for(u("clerk"))


def test_hotline_figures_follow_the_requests(operator_request):
    from django.utils import timezone

    year = (f"{timezone.localdate().year}-01-01", f"{timezone.localdate().year}-12-31")
    before = figures(start=year[0], end=year[1])
    req = operator_request()
    after = figures(start=year[0], end=year[1])
    assert after["HOT-CF"].denominator == before["HOT-CF"].denominator + 1
    assert after["HOT-QS"].denominator == before["HOT-QS"].denominator + 1
    assert req.number in {c.ref for c in services.Contribution.objects.filter(counter="hot.received")}
    assert services.cells_as_dict() == services.recount()
    assert RollupCell.objects.filter(counter="hot.received").exists()


@pytest.fixture
def operator_request():
    from yiwang.hotline import services as hotline
    from yiwang.hotline.models import Category
    from yiwang.organisations.models import Region

    def make():
        req = hotline.request_create(kind="complaint", channel="phone", category=Category.objects.get(code="0302"),
                                     region=Region.objects.get(code="430321"), title="商场拒绝退货",
                                     content="购买的商品有质量问题", phone="13800000001", requester_name="李先生",
                                     actor=u("operator"))
        return hotline.request_dispatch(request=req, actor=u("operator"))

    return make


def test_rating_and_rectification_figures_follow_their_histories(november):
    """Ratings (EvaluationEvent) and the rectifications their 差评 open (RectificationEvent), through the
    evaluations' services: counted by hand, and never apart from a recount."""
    from yiwang.evaluations import services as ev

    def rated(case, level, day, hour=10):
        slot = ev.evaluation_invite_case(case_number=case.number, now=at(day, 9))
        return ev.evaluation_rate(evaluation=slot, level=level, channel="web", text="窗口等候时间较长" if level > 3 else "",
                                  problem_type="waiting" if level > 3 else "", now=at(day, hour))

    head, supervisor = u("head"), u("supervisor")
    bad = rated(november["on_time"], 5, date(2024, 11, 6))
    rect = bad.rectification
    ev.rectification_contact(rectification=rect, actor=head, note="已电话回访", now=at(date(2024, 11, 6), 11))
    ev.rectification_verify(rectification=rect, actor=head, note="情况属实", now=at(date(2024, 11, 7)))
    rect = ev.rectification_fix(rectification=rect, actor=head, note="增开窗口", now=at(date(2024, 11, 8)))
    services.rollup_refresh()
    assert services.cells_as_dict() == services.recount()
    f = figures()
    assert (f["EVA-ZG"].numerator, f["EVA-ZG"].denominator) == (0, 1)  # fixed, not yet re-rated
    ev.evaluation_rate(evaluation=rect.rerating, level=2, channel="web", now=at(date(2024, 11, 8), 15))
    appealed = rated(november["late"], 4, date(2024, 11, 12)).rectification
    ev.rectification_appeal(rectification=appealed, actor=head, reason="恶意差评", now=at(date(2024, 11, 12), 11))
    ev.rectification_decide_appeal(rectification=appealed, actor=supervisor, void=True, note="属实，作废",
                                   now=at(date(2024, 11, 13)))
    rated(november["instant"], 1, date(2024, 11, 20))
    f = figures()
    # four ratings (5, its re-rating 2, 4, 1): two good, two bad
    assert (f["EVA-HP"].numerator, f["EVA-HP"].denominator) == (2, 4)
    assert (f["EVA-CP"].numerator, f["EVA-CP"].denominator) == (2, 4)
    assert (f["EVA-HP-ZD"].numerator, f["EVA-HP-ZD"].denominator) == (2, 4)
    # one rectification closed within its limit; the voided one is out of both
    assert (f["EVA-ZG"].numerator, f["EVA-ZG"].denominator) == (1, 1)
    assert (f["EVA-ZGAS"].numerator, f["EVA-ZGAS"].denominator) == (1, 1)
    assert services.cells_as_dict() == services.recount()
    before = services.cells_as_dict()
    services.rollup_rebuild()
    assert services.cells_as_dict() == before


def test_hotline_visits_reopenings_and_merges_follow_the_requests(operator_request):
    """回访 as the one visit action (a reopening, then satisfied), a duplicate merged in."""
    from django.utils import timezone

    from yiwang.hotline import services as hotline

    year = (f"{timezone.localdate().year}-01-01", f"{timezone.localdate().year}-12-31")
    before = figures(start=year[0], end=year[1])
    req = hotline.request_sign(request=operator_request(), actor=u("xtx-scjg"))
    req = hotline.request_reply(request=req, actor=u("xtx-scjg"), reply="已督促商家退货")
    req = hotline.request_visit(request=req, actor=u("operator"), level=4)  # dissatisfied: reopened
    assert req.status == "handling"
    req = hotline.request_reply(request=req, actor=u("xtx-scjg"), reply="已约谈商场负责人")
    req = hotline.request_visit(request=req, actor=u("operator"), level=2)
    assert req.status == "closed"
    kept = operator_request()
    hotline.request_merge(request=operator_request(), into=kept, actor=u("operator"))
    assert kept.events.filter(action="merged_in").exists()
    after = figures(start=year[0], end=year[1])

    def moved(code):
        return (after[code].numerator - before[code].numerator, after[code].denominator - before[code].denominator)

    assert moved("HOT-MY") == (1, 2)  # two visits with a level, one satisfied
    assert moved("HOT-AS") == (1, 1)  # one answered request, its last answer in time
    assert moved("HOT-QS") == (1, 3)  # three dispatches, one signed (the kept one and the duplicate were not)
    assert moved("HOT-CF") == (1, 3)  # the duplicate only, of three received
    assert services.cells_as_dict() == services.recount()
