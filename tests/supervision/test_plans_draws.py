"""Plans filed by the end of March, draws with the seed published first, the cap, conflicts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.core.errors import Conflict, DomainError, Forbidden
from yiwang.supervision import rules, selectors, services
from yiwang.supervision.models import Draw, Inspection, InspectionPlan

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("filed", "status", "late"), [
    (date(2027, 3, 31), "filed", False),
    (date(2027, 4, 1), "pending", True),
    (date(2026, 12, 20), "filed", False),  # filed the year before: early, not late
])
def test_a_plan_filed_after_march_is_late_and_waits_for_approval(users, scjg, items, filed, status, late):
    plan = services.plan_create(unit=scjg, year=2027, title="计划", items=[items["SCJG-CC-01"]],
                                actor=users["xtx-scjg"], now=at(date(2026, 12, 1)))
    plan = services.plan_act(plan=plan, action="file", actor=users["xtx-scjg"], now=at(filed))
    assert (plan.status, plan.late, plan.filed_on) == (status, late, filed)
    assert plan.last_event.to_status == status


def test_a_late_plan_is_approved_by_the_supervisor_not_the_unit(users, scjg, items):
    plan = services.plan_create(unit=scjg, year=2027, title="计划", items=[items["SCJG-CC-01"]],
                                actor=users["xtx-scjg"])
    plan = services.plan_act(plan=plan, action="file", actor=users["xtx-scjg"], now=at(date(2027, 5, 6)))
    with pytest.raises(Forbidden):
        services.plan_act(plan=plan, action="approve", actor=users["xtx-scjg"])
    plan = services.plan_act(plan=plan, action="approve", actor=users["supervisor"], input={"note": "同意"})
    assert plan.status == "filed" and plan.late


def test_another_unit_cannot_plan_for_the_regulator(users, scjg, items):
    with pytest.raises(Forbidden):
        services.plan_create(unit=scjg, year=2027, title="计划", items=[items["SCJG-CC-01"]], actor=users["xtx-ga"])


def test_no_draw_before_the_plan_is_filed(users, scjg, items):
    plan = services.plan_create(unit=scjg, year=2027, title="计划", items=[items["SCJG-CC-02"]],
                                actor=users["xtx-scjg"])
    with pytest.raises(DomainError) as exc:
        services.draw_prepare(plan=plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"])
    assert exc.value.field == "plan"


def test_the_seed_and_list_hash_are_published_before_the_result(users, filed_plan, items):
    d = services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"], seed="public-seed-1",
                              now=at(date(2027, 4, 1)))
    assert d.status == "seeded" and d.result == {} and d.result_hash == ""
    assert d.candidates_hash == rules.candidates_hash([tuple(c) for c in d.candidates])
    assert [c[0] for c in d.candidates] == sorted(c[0] for c in d.candidates)  # frozen in id order
    d = services.draw_run(draw=d, actor=users["xtx-scjg"], now=at(date(2027, 4, 2)))
    assert d.status == "drawn"
    again = rules.draw_from_json(Draw.objects.get(pk=d.pk).document())
    assert again["result_hash"] == d.result_hash and again["result"] == d.result
    insp = list(Inspection.objects.filter(draw=d))
    assert len(insp) == len(d.result["targets"]) > 0
    assert all(i.inspectors.count() >= 2 and i.year == 2027 and i.counts_to_cap for i in insp)
    assert [e.action for e in d.events.all()] == ["publish_seed", "run"]


def test_grades_drive_the_risk_class_of_each_candidate(users, filed_plan, items):
    d = services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"],
                              now=at(date(2027, 4, 1)))
    risk = dict(d.candidates)
    from yiwang.supervision.demo import demo_uscc

    assert risk[demo_uscc(13)] == "high"  # false commitment and a penalty: D
    assert risk[demo_uscc(3)] == "medium_high"  # false commitment: C
    assert risk[demo_uscc(11)] == "medium"  # a rectification order: B
    assert risk[demo_uscc(1)] == "low"


def test_an_industry_item_draws_from_its_industry_only(users, filed_plan, items):
    d = services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-01"], actor=users["xtx-scjg"])
    from yiwang.parties.models import Party

    industries = set(Party.objects.filter(number__in=[c for c, _ in d.candidates]).values_list("industry", flat=True))
    assert industries == {"餐饮"}


def test_the_directory_filters_by_park_region_grade_and_risk(db):
    in_park = selectors.directory_rows({"park": "TYJK"})
    assert in_park and all(r["park__name"] == "天易经济开发区" for r in in_park)
    assert {r["grade"] for r in selectors.directory_rows({"grade": "D"})} == {"D"}
    assert {r["risk"] for r in selectors.directory_rows({"risk": "medium_high"})} == {"medium_high"}
    assert selectors.directory_rows({"region": "430421"}) == []  # no enterprise in 衡阳县


def test_declared_conflicts_and_recent_inspections_keep_an_inspector_back(users, filed_plan, items, enterprise, roster,
                                                                          scjg):
    # the demo declares roster[0] related to 湘潭示范餐饮; roster[1] inspected it recently (a complaint)
    services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-01"], inspectors=roster[1:3],
                             basis_kind="complaint", basis="12345 投诉", actor=users["xtx-scjg"])
    pairs = selectors.conflict_pairs(unit=scjg, candidates=[enterprise.number],
                                     since=at(date.today()) - timedelta(days=365))
    assert pairs == {(roster[0].certificate, enterprise.number), (roster[1].certificate, enterprise.number),
                     (roster[2].certificate, enterprise.number)}
    d = services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"])
    assert len(d.conflicts) >= 3  # the demo draw's own inspections add theirs
    assert all(rules.conflict_token(d.seed, c, enterprise.number) in d.conflicts for c, _ in pairs)


def test_a_second_inspection_in_the_year_is_refused_naming_the_first(users, scjg, items, enterprise, roster):
    first = services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-01"], inspectors=roster[:2],
                                     basis_kind="manual", actor=users["xtx-scjg"], on=date(2027, 12, 31))
    with pytest.raises(Conflict) as exc:
        services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-02"], inspectors=roster[2:4],
                                 basis_kind="manual", actor=users["xtx-scjg"], on=date(2027, 6, 1))
    assert first.number in exc.value.message and exc.value.field == "party"
    nxt = services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-02"], inspectors=roster[2:4],
                                   basis_kind="manual", actor=users["xtx-scjg"], on=date(2028, 1, 1))
    assert nxt.year == 2028


@pytest.mark.parametrize(("item", "basis_kind", "basis"), [
    ("SCJG-CC-03", "manual", ""),  # a key item
    ("SCJG-CC-01", "complaint", "12345 投诉 编号X"),
    ("SCJG-CC-01", "key", "上级交办"),
])
def test_key_items_and_complaint_checks_are_excepted_from_the_cap(users, scjg, items, enterprise, roster, item,
                                                                  basis_kind, basis):
    services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-01"], inspectors=roster[:2],
                             basis_kind="manual", actor=users["xtx-scjg"], on=date(2027, 3, 1))
    extra = services.inspection_open(unit=scjg, party=enterprise, item=items[item], inspectors=roster[2:4],
                                     basis_kind=basis_kind, basis=basis, actor=users["xtx-scjg"], on=date(2027, 3, 2))
    assert not extra.counts_to_cap


def test_a_complaint_check_needs_its_basis(users, scjg, items, enterprise, roster):
    with pytest.raises(DomainError) as exc:
        services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-01"], inspectors=roster[:2],
                                 basis_kind="complaint", actor=users["xtx-scjg"])
    assert exc.value.field == "basis"


def test_a_draw_refuses_when_a_drawn_target_was_inspected_after_the_list_froze(users, filed_plan, items, scjg, roster):
    d = services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"], seed="seed-xyz",
                              now=at(date(2027, 4, 1)))
    target = rules.draw_from_json(d.document())["result"]["targets"][0]["candidate"]
    from yiwang.parties.models import Party

    party = Party.objects.get(number=target)
    earlier = services.inspection_open(unit=scjg, party=party, item=items["SCJG-CC-01"], inspectors=roster[:2],
                                       basis_kind="manual", actor=users["xtx-scjg"], on=date(2027, 4, 1))
    with pytest.raises(Conflict) as exc:
        services.draw_run(draw=d, actor=users["xtx-scjg"])
    assert earlier.number in exc.value.message and party.name in exc.value.message
    assert Draw.objects.get(pk=d.pk).status == "seeded" and not Inspection.objects.filter(draw=d).exists()


def test_the_cap_excludes_enterprises_already_inspected_when_the_list_freezes(users, filed_plan, items, scjg, roster,
                                                                              enterprise):
    earlier = services.inspection_open(unit=scjg, party=enterprise, item=items["SCJG-CC-01"], inspectors=roster[:2],
                                       basis_kind="manual", actor=users["xtx-scjg"], on=date(2027, 2, 1))
    d = services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"])
    assert [enterprise.number, earlier.number] in d.excluded
    assert enterprise.number not in {c for c, _ in d.candidates}


def test_the_cap_check_is_one_query_however_many_inspections_there_are(users, scjg, items, enterprise, roster):
    def count():
        with CaptureQueriesContext(connection) as q:
            selectors.cap_holder(unit_id=scjg.pk, party_id=enterprise.pk, year=2027)
        return len(q.captured_queries), q.captured_queries[0]["sql"]

    before, _ = count()
    from yiwang.parties.models import Party

    for p in Party.objects.filter(kind="enterprise")[:10]:
        services.inspection_open(unit=scjg, party=p, item=items["SCJG-CC-01"], inspectors=roster[:2],
                                 basis_kind="manual", actor=users["xtx-scjg"], on=date(2027, 5, 1))
    after, sql = count()
    assert before == after == 1
    assert '"unit_id"' in sql and '"party_id"' in sql and '"year"' in sql


def test_the_cap_has_its_index_in_the_database():
    """The cap's lookup (unit, party, year) is covered by an index in the schema (a tiny test table
    makes the planner's choice meaningless, so the schema is what is checked)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Inspection._meta.db_table)
    covering = [name for name, c in constraints.items()
                if (c["index"] or c["unique"]) and c["columns"][:3] == ["unit_id", "party_id", "year"]]
    assert "inspection_cap_idx" in covering
    assert "inspection_once_a_year" in constraints  # the partial unique index that holds the cap in a race


def test_the_demo_plan_has_a_drawn_draw():
    plan = InspectionPlan.objects.get(unit__code="XTX-SCJG", year=date.today().year)
    d = plan.draws.get(partners__isnull=True)
    assert d.status == "drawn" and d.seed == "xtx-scjg-2026-demo-seed"
    assert rules.draw_from_json(d.document())["result_hash"] == d.result_hash
