"""Bundle order, parallel starts, feeding outputs, failure and resume, the bundle deadline."""

import pytest

from yiwang.bundlecases import selectors, services
from yiwang.bundlecases.models import BundleCase, BundleCaseEvent, BundleMemberCase
from yiwang.core.errors import Conflict, DomainError, Forbidden
from yiwang.core.models import OutboxMessage
from yiwang.licences.models import Licence

from .conftest import DAY, XTCY, XTKJ, asked, at, collect, drive, merged_form, party, user

pytestmark = pytest.mark.django_db


def _kids(bc) -> dict:
    out = {}
    for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related("case__implementation").order_by(
            "attempt", "id"):
        out[link.case.implementation.impl_code.split("-", 1)[1]] = link.case
    return out


def _states(bc) -> dict:
    v = selectors.bundle_case_view(BundleCase.objects.get(pk=bc.pk))
    return {m.impl_code.split("-", 1)[1]: m.state for m in v.members}


def test_bundle_case_number_is_the_bundle_code_the_day_and_a_sequence(submit_and_accept):
    a = services.bundle_case_submit(actor=party(XTKJ).user, bundle="QYKB", applicant=party(XTKJ),
                                    form=merged_form("QYKB"), now=at())
    b = services.bundle_case_submit(actor=party(XTKJ).user, bundle="QYKB", applicant=party(XTKJ),
                                    form=merged_form("QYKB"), now=at())
    assert a.number.startswith("QYKB20260928") and len(a.number) == len("QYKB20260928") + 4
    assert int(b.number[-4:]) == int(a.number[-4:]) + 1
    assert a.status == "submitted" and a.deadline is None
    assert OutboxMessage.objects.filter(topic="bundle_case.submit", payload__number=a.number).count() == 1


def test_qykb_starts_the_business_licence_first_and_the_rest_at_once_after_its_approval(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    assert bc.status == "running"
    assert bc.deadline.isoformat() == "2026-09-29"  # 1 promised working day from Monday 28 September
    assert list(_kids(bc)) == ["QYSLDJ"]
    assert _states(bc)["GZKZBA"] == "waiting"
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    kids = _kids(bc)
    assert set(kids) == {"QYSLDJ", "GZKZBA", "FPSL", "DWCBDJ", "GJJJCDJ", "YYKH"}
    assert all(c.status == "approved" for c in kids.values())  # instant children decided at acceptance
    bc.refresh_from_db()
    assert bc.status == "running" and bc.completed_at is None  # decided, not yet in the applicant's hands
    collect(bc.number, now=at(DAY, 15))
    bc.refresh_from_db()
    assert bc.status == "completed" and bc.completed_at is not None
    assert all(c.status == "delivered" for c in _kids(bc).values())


def test_the_business_licence_feeds_the_seal_invoice_insurance_fund_and_bank_children(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    kids = _kids(bc)
    licence = Licence.objects.get(case_number=kids["QYSLDJ"].number)
    assert licence.licence_type.name == "营业执照" and licence.holder_number != XTKJ  # the new enterprise's
    for code in ("GZKZBA", "FPSL", "DWCBDJ", "GJJJCDJ", "YYKH"):
        child = kids[code]
        fed = [s for s in child.shared_materials["satisfied"] if s["material"] == "营业执照"]
        assert fed == [{"material": "营业执照", "how": "bundle", "reference": licence.identifier}], code
        assert BundleMemberCase.objects.get(case=child).fed == {"营业执照": licence.identifier}
        assert child.shared_materials["copies_saved"] >= 1


def test_members_run_in_order_and_in_parallel_otherwise(submit_and_accept):
    bc = submit_and_accept("XMKG", XTKJ)
    assert list(_kids(bc)) == ["JSGCGHXK"]
    drive(_kids(bc)["JSGCGHXK"].number, now=at())
    assert set(_kids(bc)) == {"JSGCGHXK", "SGTSCBA", "ZLAQJD"}  # both at once
    drive(_kids(bc)["SGTSCBA"].number, now=at())
    assert "SGXK" not in _kids(bc) and _states(bc)["SGXK"] == "waiting"  # still waits for ZLAQJD
    drive(_kids(bc)["ZLAQJD"].number, now=at())
    kids = _kids(bc)
    assert "SGXK" in kids
    planning = Licence.objects.get(case_number=kids["JSGCGHXK"].number)
    assert BundleMemberCase.objects.get(case=kids["SGXK"]).fed == {"建设工程规划许可证": planning.identifier}
    events = list(BundleCaseEvent.objects.filter(bundle_case=bc, action="member_started").values_list(
        "data__member", flat=True))
    assert events.count("430321-SGXK") == 1


def test_a_denied_member_stops_the_members_waiting_for_it_and_tells_the_applicant_why(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    drive(_kids(bc)["QYSLDJ"].number, now=at(), deny="企业名称与已登记企业重名")
    bc.refresh_from_db()
    assert bc.status == "stopped"
    assert "企业设立登记" in bc.stop_reason and "重名" in bc.stop_reason
    states = _states(bc)
    assert states["QYSLDJ"] == "failed"
    assert {states[c] for c in ("GZKZBA", "FPSL", "DWCBDJ", "GJJJCDJ", "YYKH")} == {"paused"}
    assert list(_kids(bc)) == ["QYSLDJ"]  # nothing waiting was started
    notice = OutboxMessage.objects.filter(topic="bundle_case.member_failed", payload__number=bc.number).get()
    assert "企业设立登记" in notice.payload["text"] and "重名" in notice.payload["text"]
    assert notice.payload["to"]["party"] == XTKJ


def test_the_clerk_resumes_after_correction_without_redoing_finished_members(submit_and_accept):
    bc = submit_and_accept("KCG", XTCY)
    first = _kids(bc)["QYSLDJ"]
    drive(first.number, now=at())
    drive(_kids(bc)["SPJYXK"].number, now=at(), deny="经营场所不符合要求")
    bc.refresh_from_db()
    assert bc.status == "stopped"
    with pytest.raises(Forbidden):
        services.bundle_case_resume(bundle_case=bc.number, actor=user("clerk"), form={"经营场所": "新址"}, now=at())
    bc = services.bundle_case_resume(bundle_case=bc.number, actor=user("bundleclerk"),
                                     form={"经营场所": "湘潭县易俗河镇新址88号"}, reason="已更换经营场所", now=at())
    assert bc.status == "running"
    links = BundleMemberCase.objects.filter(bundle_case=bc).order_by("id")
    assert [(x.case.implementation.impl_code, x.attempt) for x in links] == [
        ("430321-QYSLDJ", 1), ("430321-SPJYXK", 1), ("430321-SPJYXK", 2)]
    retry = links.last().case
    assert retry.form["经营场所"] == "湘潭县易俗河镇新址88号"
    assert _kids(bc)["QYSLDJ"].number == first.number  # not redone
    drive(retry.number, now=at())
    collect(bc.number)
    bc.refresh_from_db()
    assert bc.status == "completed"


def test_accepting_needs_every_asked_material_once_and_only_at_the_bundle_window():
    p = party(XTKJ)
    bc = services.bundle_case_submit(actor=p.user, bundle="QYKB", applicant=p, form=merged_form("QYKB"), now=at())
    names = asked("QYKB")
    assert "营业执照" not in names  # produced inside the bundle
    assert "法定代表人身份证明" not in names  # data sharing
    assert len(names) == len(set(names))
    with pytest.raises(Forbidden):
        services.bundle_case_accept(bundle_case=bc.number, actor=user("clerk"), paper=names, now=at())
    with pytest.raises(DomainError) as e:
        services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=names[1:], now=at())
    assert e.value.field == "paper"
    with pytest.raises(Conflict):
        services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=names, version=99,
                                    now=at())
    bc = services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=names, now=at())
    assert bc.status == "running" and bc.accepted_by.username == "bundleclerk"
    with pytest.raises(Conflict):
        services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=names, now=at())


def test_the_merged_form_asks_each_field_once_and_refuses_unknown_ones():
    form = merged_form("QYKB")
    assert list(form).count("企业名称") == 1
    p = party(XTKJ)
    with pytest.raises(DomainError) as e:
        services.bundle_case_submit(actor=p.user, bundle="QYKB", applicant=p, form={**form, "外星人": "x"}, now=at())
    assert e.value.field == "form.外星人"
    with pytest.raises(DomainError) as e:
        services.bundle_case_submit(actor=p.user, bundle="QYKB", applicant=p, form={**form, "企业名称": " "}, now=at())
    assert e.value.field == "form.企业名称"
    with pytest.raises(Forbidden):
        services.bundle_case_submit(actor=user("xtcy"), bundle="QYKB", applicant=p, form=form, now=at())
    with pytest.raises(DomainError) as e:
        services.bundle_case_submit(actor=user("zhang"), bundle="QYKB", applicant=party("430321198506120013"),
                                    form=form, now=at())
    assert e.value.field == "applicant.kind"


def test_withdrawing_a_running_bundle_case_withdraws_its_undecided_children(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    services.bundle_case_withdraw(bundle_case=bc.number, actor=party(XTKJ).user, reason="暂不开办", now=at())
    bc.refresh_from_db()
    assert bc.status == "withdrawn"
    assert _kids(bc)["QYSLDJ"].status == "withdrawn"
    assert BundleMemberCase.objects.filter(bundle_case=bc).count() == 1


def test_advancing_again_or_a_repeated_decision_reaction_starts_nothing_twice(submit_and_accept):
    from types import SimpleNamespace

    from yiwang.core.workflow.reactions import run

    bc = submit_and_accept("QYKB", XTKJ)
    drive(_kids(bc)["QYSLDJ"].number, now=at())
    n = BundleMemberCase.objects.filter(bundle_case=bc).count()
    services.bundle_case_advance(number=bc.number, now=at())
    run("bundlecases.member_decided", ctx=SimpleNamespace(subject=_kids(bc)["QYSLDJ"]),
        event=SimpleNamespace(at=at()))
    assert BundleMemberCase.objects.filter(bundle_case=bc).count() == n == 6
    assert BundleCaseEvent.objects.filter(bundle_case=bc, action="member_done").count() == 6
    collect(bc.number)
    services.bundle_case_advance(number=bc.number, now=at())
    assert BundleCaseEvent.objects.filter(bundle_case=bc, action="complete").count() == 1


def test_bundle_case_history_is_numbered_by_version(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    bc.refresh_from_db()
    seqs = list(BundleCaseEvent.objects.filter(bundle_case=bc).values_list("seq", flat=True))
    assert seqs == list(range(1, bc.version + 1))
    assert [e.action for e in BundleCaseEvent.objects.filter(bundle_case=bc)][:4] == [
        "submit", "accept", "start", "member_started"]


def test_a_member_that_cannot_start_is_recorded_and_does_not_undo_the_approval(submit_and_accept, monkeypatch):
    from yiwang.cases import services as case_services

    bc = submit_and_accept("KCG", XTCY)
    real = case_services.case_submit

    def refuse_food_licence(**kw):
        if kw["item"].endswith("SPJYXK"):
            raise DomainError("item：该事项暂停受理", field="item")
        return real(**kw)

    monkeypatch.setattr(case_services, "case_submit", refuse_food_licence)
    drive(_kids(bc)["QYSLDJ"].number, now=at())
    assert _kids(bc)["QYSLDJ"].status == "approved"
    ev = BundleCaseEvent.objects.get(bundle_case=bc, action="member_start_failed")
    assert ev.data["member"] == "430321-SPJYXK" and "暂停受理" in ev.reason
    monkeypatch.setattr(case_services, "case_submit", real)
    services.bundle_case_advance(number=bc.number, now=at())  # retried the next time the bundle moves
    assert "SPJYXK" in _kids(bc)
