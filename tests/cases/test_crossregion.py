"""跨域通办 (收受分离、异地可办): 湘潭县's window takes in 衡阳县's 食品经营许可, checks and scans, forwards;
衡阳县 accepts, decides in its own name under its own clock from its acceptance; the result is handed
over in 湘潭县 or posted. And a town's window takes in and, where empowered, decides."""

from datetime import date

import pytest

from yiwang.cases import clock, selectors, services
from yiwang.cases import workflow as W
from yiwang.cases.models import Case, CaseEvent
from yiwang.core.errors import DomainError, Forbidden
from yiwang.core.workflow import available_actions

from .conftest import PDF, XTCY, at, form_for

pytestmark = pytest.mark.django_db

REMOTE = "430421-SPJYXK"  # 衡阳县市场监督管理局's, on 湘潭县's 跨域通办清单
RECEIVED = date(2026, 9, 30)  # the last working day before the National Day holiday (10-01 … 10-07)
ACCEPTED = date(2026, 10, 8)  # 衡阳县 accepts on the first working day after it


def take_in(users, *, delivery="window", on=RECEIVED, item=REMOTE, **kw):
    return services.case_submit(actor=users["clerk"], item=item, applicant=XTCY, form=form_for(item),
                                channel="window", receiving_region="430321", delivery=delivery, now=at(on), **kw)


def scan(users, case, on=RECEIVED):
    for name in case.implementation.item.materials.filter(source="applicant").values_list("name", flat=True):
        services.case_material_upload(case=case.number, actor=users["clerk"], name=name, filename="s.pdf",
                                      content=PDF, now=at(on))


def forwarded(users, **kw):
    case = take_in(users, **kw)
    scan(users, case)
    return services.case_act(case=case.number, actor=users["clerk"], action="forward", now=at(RECEIVED))


def names(case, user):
    return {a.name for a in available_actions(W.WORKFLOW, subject=Case.objects.get(pk=case.pk), actor=user,
                                              now=at(ACCEPTED))}


def test_the_remote_window_takes_in_and_the_item_region_receives_reviews_and_decides(users):
    case = take_in(users)
    assert (case.remote_intake_unit.code, case.receiving_unit.code, case.deciding_unit.code, case.in_name_of.code) == (
        "XTX-ZWZX", "HYX-SCJG", "HYX-SCJG", "HYX-SCJG")
    assert case.region_id == "430421" and case.delivery_choice == "window"
    submit = CaseEvent.objects.get(case=case, seq=1)
    assert submit.actor_kind == "remote_intake"
    assert submit.data["remote_intake"] == {"unit": "XTX-ZWZX", "region": "430321"}


def test_an_item_not_on_the_list_is_refused_in_chinese_at_the_item_and_nothing_is_written(users):
    before = Case.objects.count()
    with pytest.raises(DomainError) as info:
        take_in(users, item="430421-JSYDGHXK")  # 衡阳县's, but not on 湘潭县's 清单
    assert info.value.field == "item" and info.value.code == "not_listed"
    assert info.value.message == "该事项未列入湘潭县收件、衡阳县办理的跨域通办清单，不能在本地窗口收件"
    with pytest.raises(DomainError) as info:
        take_in(users, on=date(2024, 12, 31))  # before the 清单 row took effect
    assert info.value.code == "not_listed"
    assert Case.objects.count() == before


@pytest.mark.parametrize("kw,field,says", [
    ({"receiving_region": "430421"}, "receiving_region", "不是该收件地区"),  # not a clerk of 衡阳县
    ({"delivery": "electronic"}, "delivery", "收件地窗口领取或邮寄送达"),
    ({"delivery": "pigeon"}, "delivery", "送达方式应为"),
])
def test_receiving_region_and_delivery_are_checked(users, kw, field, says):
    args = {"receiving_region": "430321", "delivery": "window", **kw}
    with pytest.raises(DomainError) as info:
        services.case_submit(actor=users["clerk"], item=REMOTE, applicant=XTCY, form=form_for(REMOTE),
                             channel="window", now=at(RECEIVED), **args)
    assert info.value.field == field and says in info.value.message


def test_receiving_region_is_for_window_intake_only(users):
    with pytest.raises(DomainError) as info:
        services.case_submit(actor=users["xtcy"], item=REMOTE, applicant=XTCY, form=form_for(REMOTE),
                             channel="online", receiving_region="430321", now=at(RECEIVED))
    assert info.value.field == "receiving_region"


def test_forwarding_needs_the_scans_and_only_the_remote_window_forwards(users):
    case = take_in(users)
    with pytest.raises(DomainError) as info:
        services.case_act(case=case.number, actor=users["clerk"], action="forward", now=at(RECEIVED))
    assert info.value.field == "materials" and "食品经营许可申请书" in info.value.message
    scan(users, case)
    with pytest.raises(Forbidden):
        services.case_act(case=case.number, actor=users["hyx-scjg"], action="forward", now=at(RECEIVED))
    case = services.case_act(case=case.number, actor=users["clerk"], action="forward", now=at(RECEIVED))
    assert case.forwarded_at is not None and case.status == "submitted"
    with pytest.raises(DomainError) as info:
        services.case_act(case=case.number, actor=users["clerk"], action="forward", now=at(RECEIVED))
    assert info.value.code == "forwarded"


def test_the_item_region_cannot_accept_before_the_window_forwards_and_the_window_never_accepts(users):
    case = take_in(users)
    scan(users, case)
    with pytest.raises(DomainError) as info:
        services.case_accept(case=case.number, actor=users["hyx-scjg"], now=at(ACCEPTED))
    assert info.value.code == "not_forwarded" and "湘潭县政务服务中心" in info.value.message
    services.case_act(case=case.number, actor=users["clerk"], action="forward", now=at(RECEIVED))
    with pytest.raises(Forbidden):
        services.case_accept(case=case.number, actor=users["clerk"], now=at(ACCEPTED))


def test_the_clock_is_the_item_regions_from_its_own_acceptance_across_the_holiday(users):
    from yiwang.workcalendar.index import get_index

    case = forwarded(users)
    assert case.accepted_on is None and case.deadline is None
    case = services.case_accept(case=case.number, actor=users["hyx-scjg"], now=at(ACCEPTED))
    assert case.accepted_on == ACCEPTED
    # 5 promised working days from 10-08: 10-09, 10-10 (a Saturday worked for the holiday), 10-12, 10-13, 10-14.
    assert case.deadline == date(2026, 10, 14)
    assert case.deadline == get_index().add_working_days(ACCEPTED, case.promised_days).date
    # Counted from the day 湘潭县 took it in, it would have been a day earlier.
    assert get_index().add_working_days(RECEIVED, case.promised_days).date == date(2026, 10, 13)
    accept = case.events.get(action="accept")
    assert (accept.actor_kind, accept.actor_unit.code) == ("intake", "HYX-SCJG")


def test_the_five_days_to_accept_run_from_forwarding_not_from_taking_in(users):
    from yiwang.core.models import Timer

    case = take_in(users, on=date(2026, 9, 28))
    assert not Timer.objects.filter(key=case.number, kind=W.TIMER_DEEMED_ACCEPTANCE).exists()
    scan(users, case)
    case = services.case_act(case=case.number, actor=users["clerk"], action="forward", now=at(RECEIVED))
    assert case.received_on == RECEIVED
    timer = Timer.objects.get(key=case.number, kind=W.TIMER_DEEMED_ACCEPTANCE, fired_at=None, cancelled_at=None)
    assert timer.due_at == clock.midnight_after(clock.deemed_acceptance_day(RECEIVED))


def test_decided_in_the_item_regions_name_and_handed_over_at_the_remote_window(users):
    case = forwarded(users)
    hyx = users["hyx-scjg"]
    services.case_accept(case=case.number, actor=hyx, now=at(ACCEPTED))
    services.case_act(case=case.number, actor=hyx, action="review", now=at(ACCEPTED))
    case = services.case_act(case=case.number, actor=hyx, action="approve", now=at(ACCEPTED))
    assert case.status == "approved" and case.in_name_of.code == "HYX-SCJG"
    # Collected at the window where it was applied for: 衡阳县 is not offered the delivery; 湘潭县 is.
    assert "deliver" not in names(case, hyx) and "deliver" in names(case, users["clerk"])
    with pytest.raises(DomainError) as info:
        services.case_act(case=case.number, actor=hyx, action="deliver", data={"method": "window"}, now=at(ACCEPTED))
    assert info.value.code == "collect_at_remote"
    with pytest.raises(DomainError) as info:
        services.case_act(case=case.number, actor=users["clerk"], action="deliver", data={"method": "post"},
                          now=at(ACCEPTED))
    assert info.value.field == "method" and "窗口领取" in info.value.message
    case = services.case_act(case=case.number, actor=users["clerk"], action="deliver", data={"method": "window"},
                             now=at(ACCEPTED))
    assert case.status == "delivered"
    assert case.events.get(action="deliver").actor_unit.code == "XTX-ZWZX"


def test_a_posted_result_may_be_sent_by_the_deciding_unit(users):
    case = forwarded(users, delivery="post")
    hyx = users["hyx-scjg"]
    services.case_accept(case=case.number, actor=hyx, now=at(ACCEPTED))
    services.case_act(case=case.number, actor=hyx, action="review", now=at(ACCEPTED))
    services.case_act(case=case.number, actor=hyx, action="approve", now=at(ACCEPTED))
    case = services.case_act(case=case.number, actor=hyx, action="deliver", data={"method": "post"}, now=at(ACCEPTED))
    assert case.delivery_method == "post"


def test_both_halls_see_the_case_in_their_queues_with_their_part(users, client):
    case = take_in(users)
    scan(users, case)
    clerk, hyx, other = users["clerk"], users["hyx-scjg"], users["xtx-scjg"]
    for user in (clerk, hyx):
        assert selectors.case_list(user=user).filter(pk=case.pk).exists()
    assert not selectors.case_list(user=other).filter(pk=case.pk).exists()
    assert selectors.case_list(user=clerk, unit="XTX-ZWZX").filter(pk=case.pk).exists()
    # 湘潭县: take in, forward (then delivery); 衡阳县: accept, review, decide — once forwarded.
    assert names(case, clerk) == {"forward"} and names(case, hyx) == set()
    services.case_act(case=case.number, actor=clerk, action="forward", now=at(RECEIVED))
    assert names(case, clerk) == set()
    assert {"accept", "refuse", "request_correction"} <= names(case, hyx)
    for username, part in (("clerk", "本窗口环节：收件、转交、送达"), ("hyx-scjg", "本单位环节：受理、审查、决定")):
        client.force_login(users[username])
        page = client.get("/workbench/").content.decode()
        assert case.number in page and "跨域：湘潭县政务服务中心收件 → 衡阳县市场监督管理局受理" in page
        detail = client.get(f"/workbench/cases/{case.number}/").content.decode()
        assert part in detail and "跨域通办（收受分离、异地可办）" in detail


def test_the_case_api_takes_a_receiving_region_and_refuses_an_unlisted_item(users, client):
    client.force_login(users["clerk"])
    body = {"item": REMOTE, "applicant": XTCY, "form": form_for(REMOTE), "channel": "window",
            "receiving_region": "430321", "delivery": "post"}
    resp = client.post("/api/v1/cases", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert (out["remote_intake_unit"], out["receiving_unit"], out["delivery_choice"]) == ("XTX-ZWZX", "HYX-SCJG",
                                                                                          "post")
    assert out["actions"] == []  # nothing to forward until the materials are scanned
    resp = client.post("/api/v1/cases", {**body, "item": "430421-SGXK", "form": form_for("430421-SGXK"),
                                         "receiving_region": "430421"},
                       content_type="application/json")
    assert resp.status_code == 403 and resp.json()["field"] == "receiving_region"
    resp = client.post("/api/v1/cases", {**body, "item": "430421-JSYDGHXK", "form": form_for("430421-JSYDGHXK")},
                       content_type="application/json")
    assert resp.status_code == 400
    assert resp.json()["field"] == "item" and "跨域通办清单" in resp.json()["message"]
    ops = client.get("/api/openapi.json").json()["paths"]["/api/v1/cases"]["post"]
    assert {"400", "401", "403", "404", "409"} <= set(ops["responses"])


def test_the_dashboard_counts_cross_region_cases(users):
    from yiwang.dashboards import rules

    remote = take_in(users)
    local = services.case_submit(actor=users["clerk"], item="430321-SPJYXK", applicant=XTCY,
                                 form=form_for("430321-SPJYXK"), channel="window", now=at(RECEIVED))
    facts = rules.CaseFacts(channel="window", hall_clerks=frozenset(), statutory_days=10, promised_days=5)

    def counted(case):
        e = CaseEvent.objects.get(case=case, seq=1)
        fold = rules.case_contributions(facts, [rules.Ev(e.pk, e.action, e.to_status, e.on, None, e.data)],
                                        between=lambda a, b: 0)
        return [c for c in fold.contribs if c[0] == "case.cross_region"]

    assert counted(remote) == [("case.cross_region", RECEIVED, 1)] and counted(local) == []
    assert rules.FIGURES_BY_CODE["GOV-KY"].numerator == "case.cross_region"


# ---------------------------------------------------------------- towns and community points


def test_a_town_window_takes_in_a_devolved_item_and_decides_it_in_the_bureaus_name(users):
    from django.contrib.auth import get_user_model

    town = get_user_model().objects.get(username="townclerk")
    zhang = {"kind": "person", "number": "430321198506120013", "name": "张示范"}
    case = services.case_submit(actor=town, item="430321-JMYBCB", applicant=zhang, form=form_for("430321-JMYBCB"),
                                channel="window", now=at(RECEIVED))
    assert (case.route_mode, case.receiving_unit.code, case.deciding_unit.code, case.in_name_of.code) == (
        "ENTRUSTED", "XTX-YSH", "XTX-YSH", "XTX-YB")
    case = services.case_accept(case=case.number, actor=town, now=at(RECEIVED))  # an instant item
    assert case.status == "approved" and case.decided_on == RECEIVED


def test_a_town_window_refuses_what_was_not_devolved_and_a_community_point_forwards(users):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with pytest.raises(DomainError) as info:
        services.case_submit(actor=User.objects.get(username="townclerk"), item="430321-QYSLDJ", applicant=XTCY,
                             form=form_for("430321-QYSLDJ"), channel="window", now=at(RECEIVED))
    assert info.value.code == "not_empowered" and "未下放" in info.value.message
    zhang = {"kind": "person", "number": "430321198506120013", "name": "张示范"}
    point = User.objects.get(username="communityclerk")
    case = services.case_submit(actor=point, item="430321-SBKSL", applicant=zhang, form=form_for("430321-SBKSL"),
                                channel="window", now=at(RECEIVED))
    assert (case.route_mode, case.receiving_unit.code, case.deciding_unit.code) == ("FORWARD", "XTX-YSH-SQ01",
                                                                                   "XTX-RS")
    assert "accept" in names(case, point) and "approve" not in names(case, point)
