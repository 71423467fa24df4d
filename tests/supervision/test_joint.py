"""联合抽查: several units, one visit (进一次门、查多项事) — one drawn list for all, an inspection per
unit at each target, every unit's cap, one date per visit, the draw re-run from its document."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from yiwang.core.errors import Conflict, DomainError
from yiwang.parties.models import Party
from yiwang.supervision import rules, services
from yiwang.supervision.models import Draw, Inspection, InspectionPlan, Inspector

from .conftest import at

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def wj(db):
    from yiwang.organisations.models import Unit

    return Unit.objects.get(code="XTX-WJ")


@pytest.fixture
def wj_user(wj):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="xtx-wj")


@pytest.fixture
def wj_plan(wj, wj_user, items):
    plan = services.plan_create(unit=wj, year=2027, title="卫健2027年度计划", items=[items["WJ-CC-01"]],
                                actor=wj_user, now=at(date(2027, 1, 5)))
    return services.plan_act(plan=plan, action="file", actor=wj_user, now=at(date(2027, 3, 12)))


def _joint(users, filed_plan, items, wj, *, seed="joint-seed-1", on=date(2027, 4, 1)):
    return services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"], seed=seed,
                                 partners=[(wj, items["WJ-CC-01"])], now=at(on))


def test_a_joint_draw_gives_each_unit_its_inspection_at_one_shared_visit(users, filed_plan, wj_plan, items, wj, scjg):
    d = _joint(users, filed_plan, items, wj)
    assert d.joint and [t[0] for t in d.teams] == ["XTX-SCJG", "XTX-WJ"] and d.document()["teams"] == d.teams
    d = services.draw_run(draw=d, actor=users["xtx-scjg"], now=at(date(2027, 4, 2)))
    targets = d.result["targets"]
    assert targets and not d.result["short"]
    rows = list(Inspection.objects.filter(draw=d).select_related("party", "unit", "item").prefetch_related(
        "inspectors"))
    assert len(rows) == 2 * len(targets)  # one inspection per unit of the visit
    visits = {}
    for i in rows:
        visits.setdefault(i.visit, []).append(i)
    assert len(visits) == len(targets)
    for visit, pair in visits.items():
        assert {i.unit.code for i in pair} == {"XTX-SCJG", "XTX-WJ"} and len({i.party_id for i in pair}) == 1
        assert {i.item.code for i in pair} == {"SCJG-CC-02", "WJ-CC-01"}
        for i in pair:  # each unit's own inspectors, two of them
            assert len(i.inspectors.all()) == 2 and {x.unit_id for x in i.inspectors.all()} == {i.unit_id}
            assert i.counts_to_cap and i.year == 2027
        assert visit == min(i.number for i in pair)  # the visit is named by the leading unit's inspection


@pytest.mark.parametrize("unit_code", ["XTX-SCJG", "XTX-WJ"])
def test_a_joint_visit_is_one_inspection_under_each_units_cap(users, filed_plan, wj_plan, items, wj, wj_user, unit_code):
    d = services.draw_run(draw=_joint(users, filed_plan, items, wj), actor=users["xtx-scjg"], now=at(date(2027, 4, 2)))
    drawn = Inspection.objects.filter(draw=d, unit__code=unit_code).select_related("party", "unit").first()
    actor, item = (users["xtx-scjg"], items["SCJG-CC-01"]) if unit_code == "XTX-SCJG" else (wj_user, items["WJ-CC-01"])
    with pytest.raises(Conflict) as exc:
        services.inspection_open(unit=drawn.unit, party=drawn.party, item=item,
                                 inspectors=list(Inspector.objects.filter(unit=drawn.unit))[:2], basis_kind="manual",
                                 actor=actor, on=date(2027, 6, 1))
    assert drawn.number in exc.value.message and exc.value.code == "cap"


def test_the_list_leaves_out_what_a_joining_unit_inspected_this_year(users, filed_plan, wj_plan, items, wj, wj_user):
    party = Party.objects.get(number="91430321MA4T8K2P6K")
    earlier = services.inspection_open(unit=wj, party=party, item=items["WJ-CC-01"],
                                       inspectors=list(Inspector.objects.filter(unit=wj))[:2], basis_kind="manual",
                                       actor=wj_user, on=date(2027, 2, 1))
    joint = _joint(users, filed_plan, items, wj)
    assert [party.number, earlier.number] in joint.excluded and party.number not in {c for c, _ in joint.candidates}
    solo = services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"], seed="solo-seed")
    assert party.number in {c for c, _ in solo.candidates}  # the regulator alone has not inspected it


def test_a_joint_run_refuses_when_a_joining_unit_inspected_a_target_since_the_freeze(users, filed_plan, wj_plan, items,
                                                                                   wj, wj_user):
    d = _joint(users, filed_plan, items, wj)
    party = Party.objects.get(number=rules.draw_from_json(d.document())["result"]["targets"][0]["candidate"])
    earlier = services.inspection_open(unit=wj, party=party, item=items["WJ-CC-01"],
                                       inspectors=list(Inspector.objects.filter(unit=wj))[:2], basis_kind="manual",
                                       actor=wj_user, on=date(2027, 4, 1))
    with pytest.raises(Conflict) as exc:
        services.draw_run(draw=d, actor=users["xtx-scjg"])
    assert earlier.number in exc.value.message and wj.name in exc.value.message
    assert Draw.objects.get(pk=d.pk).status == "seeded" and not Inspection.objects.filter(draw=d).exists()


@pytest.mark.parametrize(("case", "message"), [
    ("lead", "已是本次联合抽查的单位"),
    ("foreign_item", "只能以本单位有效的随机抽查事项"),
    ("no_plan", "年度抽查计划未备案"),
])
def test_a_joining_unit_needs_its_own_item_in_its_own_filed_plan(users, filed_plan, items, wj, scjg, case, message):
    partner = {"lead": (scjg, items["SCJG-CC-01"]), "foreign_item": (wj, items["SCJG-CC-01"]),
               "no_plan": (wj, items["WJ-CC-01"])}[case]
    with pytest.raises(DomainError) as exc:
        services.draw_prepare(plan=filed_plan, item=items["SCJG-CC-02"], actor=users["xtx-scjg"], partners=[partner])
    assert exc.value.field == "partners" and message in exc.value.message
    assert not Draw.objects.filter(plan=filed_plan).exists()


def test_every_unit_of_a_visit_records_its_result_on_the_visits_date(users, filed_plan, wj_plan, items, wj, wj_user):
    d = services.draw_run(draw=_joint(users, filed_plan, items, wj), actor=users["xtx-scjg"], now=at(date(2027, 4, 2)))
    lead = Inspection.objects.filter(draw=d, unit__code="XTX-SCJG").first()
    partner = Inspection.objects.get(visit=lead.visit, unit=wj)
    services.inspection_act(inspection=lead, action="record", actor=users["xtx-scjg"], now=at(date(2027, 4, 9)),
                            input={"result": "passed", "findings": "许可条件保持良好", "inspected_on": "2027-04-08"})
    with pytest.raises(DomainError) as exc:
        services.inspection_act(inspection=partner, action="record", actor=wj_user, now=at(date(2027, 4, 9)),
                                input={"result": "passed", "findings": "卫生良好", "inspected_on": "2027-04-09"})
    assert exc.value.field == "inspected_on" and "2027-04-08" in exc.value.message
    partner = services.inspection_act(inspection=partner, action="record", actor=wj_user, now=at(date(2027, 4, 9)),
                                      input={"result": "rectify", "findings": "消毒记录不全", "inspected_on": "2027-04-08",
                                             "rectify_due": "2027-04-30"})
    assert partner.status == "rectifying" and partner.unit == wj  # each unit its own result
    with pytest.raises(Exception):  # noqa: B017 - the other unit's inspection is not the regulator's to record
        services.inspection_act(inspection=partner, action="recheck", actor=users["xtx-scjg"],
                                input={"rectified": True, "findings": "x"})


def test_a_joint_draw_re_runs_from_its_published_document_in_another_process(users, filed_plan, wj_plan, items, wj,
                                                                           tmp_path):
    d = services.draw_run(draw=_joint(users, filed_plan, items, wj), actor=users["xtx-scjg"], now=at(date(2027, 4, 2)))
    path = tmp_path / f"{d.number}.json"
    path.write_text(json.dumps(d.document(), ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "yiwang.supervision.redraw", str(path)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert d.result_hash in out.stdout and d.candidates_hash in out.stdout


def test_the_demo_has_a_joint_draw_of_the_regulator_and_the_health_commission():
    d = Draw.objects.get(seed="xtx-scjg-xtx-wj-2026-joint-seed")
    assert d.status == "drawn" and [p.unit.code for p in d.partners.all()] == ["XTX-WJ"]
    assert rules.draw_from_json(d.document())["result_hash"] == d.result_hash
    assert Inspection.objects.filter(draw=d, unit__code="XTX-WJ").count() == len(d.result["targets"]) > 0
    assert InspectionPlan.objects.filter(unit__code="XTX-WJ", status="filed").exists()
