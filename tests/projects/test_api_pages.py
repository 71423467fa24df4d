"""/api/v1/projects and the pages: who sees which projects, the detail's schedule and critical path,
actions through the API (with their 4xx), filing under the project, the reaction to a case moving,
the calendar holder, the chart and the leader's list."""

from datetime import date

import pytest
from django.test import Client

from yiwang.projects.demo import CODE

from .conftest import XTKJ, at, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_projects")]


def client_for(username: str | None) -> Client:
    c = Client()
    if username:
        c.force_login(user(username))
    return c


@pytest.mark.parametrize(("who", "sees"), [("tyjk", True), ("zhuanyuan", True), ("xtkj", True), ("leader", True),
                                           ("approver", False), ("xtcy", False)])
def test_the_list_shows_a_project_to_its_park_agent_enterprise_and_county_leaders_only(who, sees):
    codes = [p["code"] for p in client_for(who).get("/api/v1/projects").json()]
    assert (CODE in codes) is sees


def test_the_list_needs_a_login():
    r = client_for(None).get("/api/v1/projects")
    assert r.status_code == 401 and r.json()["message"] == "请先登录"


def test_the_detail_has_the_schedule_critical_path_milestones_warnings_and_actions():
    body = client_for("tyjk").get(f"/api/v1/projects/{CODE}").json()
    sch = body["schedule"]
    members = {m["key"]: m for m in sch["members"]}
    assert sch["critical_path"] and all(members[k]["critical"] for k in sch["critical_path"])
    assert members["SGTSCBA"]["case"]["status"] == "accepted" and members["SGTSCBA"]["delay"] > 0
    assert [m["phase"] for k, m in members.items() if k.startswith("SGXK")] == ["土方开挖与基坑支护", "基础与地下工程",
                                                                              "地上主体工程"]
    assert {m["milestone_name"] for m in body["milestones"]} >= {"洽谈即服务", "签约即供地", "拿地即开工", "验收即办证"}
    assert any(w["code"] == "float_exceeded" and w["member"] == "SGTSCBA" for w in body["warnings"])
    assert sch["targets"]["county"] == 30 and sch["targets"]["national"] == 120
    names = {a["name"] for a in body["actions"]}
    assert {"supply_land", "terminate", "assign_agent"} <= names and "publish_land_notice" not in names  # published


def test_someone_else_gets_404_for_the_detail():
    assert client_for("approver").get(f"/api/v1/projects/{CODE}").status_code == 404


def _create(c, **kw):
    data = {"code": "2026-430321-35-03-000777", "name": "接口登记项目", "enterprise": XTKJ, "park": "TYJK",
            "investment_kind": "social", "investment": "800", "begun_on": "2026-03-02", "key_level": "province"}
    data.update(kw)
    return c.post("/api/v1/projects", data, content_type="application/json")


@pytest.mark.parametrize(("kw", "field", "status"), [
    ({"code": "2026-43-1"}, "code", 400),
    ({"code": CODE}, "code", 400),
    ({"investment_kind": "foreign"}, "investment_kind", 400),
    ({"investment": "-5"}, "investment", 400),
    ({"park": "XTX-ZJ"}, "park", 400),
    ({"park": "NOPE"}, "park", 404),
])
def test_registering_refuses_bad_input_at_the_field_in_chinese(kw, field, status):
    r = _create(client_for("tyjk"), **kw)
    assert r.status_code == status and r.json()["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])


def test_only_the_parks_officers_register_its_projects():
    assert _create(client_for("zhuanyuan")).status_code == 403
    r = _create(client_for("tyjk"))
    assert r.status_code == 200 and r.json()["status"] == "negotiating"
    assert len(r.json()["schedule"]["members"]) == 19


def test_actions_through_the_api_with_version_and_their_refusals():
    c = client_for("tyjk")
    code = _create(c).json()["code"]
    r = c.post(f"/api/v1/projects/{code}/assign_agent", {"agent": "zhuanyuan", "version": 1},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["agent"]["username"] == "zhuanyuan"
    r = c.post(f"/api/v1/projects/{code}/assign_agent", {"agent": "xtx-zj", "version": 1},
               content_type="application/json")
    assert r.status_code == 409
    r = c.post(f"/api/v1/projects/{code}/sign", {"on": "2026-03-03"}, content_type="application/json")
    assert r.status_code == 400 and "洽谈即服务" in r.json()["message"]
    r = c.post(f"/api/v1/projects/{code}/pre_service_done", {"task": "site"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "done_on"
    assert client_for("xtkj").post(f"/api/v1/projects/{code}/terminate", {"reason": "x"},
                                   content_type="application/json").status_code == 403


def test_the_openapi_document_has_the_project_operations_with_their_4xx():
    paths = client_for(None).get("/api/openapi.json").json()["paths"]
    assert "/api/v1/projects/{number}/sign" in paths and "/api/v1/projects/{number}/reschedule" not in paths
    for path in ("/api/v1/projects", "/api/v1/projects/{code}", "/api/v1/projects/{number}/sign"):
        for op in paths[path].values():
            assert {"401"} <= set(op["responses"]), path


def test_the_agent_files_a_member_under_the_project_and_a_case_decision_reschedules_it(make_project, leader, agent):
    from yiwang.core.models import OutboxMessage
    from yiwang.core.workflow.reactions import deliver
    from yiwang.projects.demo import approve
    from yiwang.projects.services import project_agent_assign

    p = make_project()
    project_agent_assign(project=p, agent=agent, actor=leader)
    r = client_for("zhuanyuan").post(f"/api/v1/projects/{p.code}/members/JSYDGHXK/file", {},
                                     content_type="application/json")
    assert r.status_code == 200
    number = r.json()["number"]
    assert client_for("zhuanyuan").post(f"/api/v1/projects/{p.code}/members/JSYDGHXK/file", {},
                                        content_type="application/json").status_code == 409
    from yiwang.cases.models import Case
    from yiwang.cases.services import case_accept

    paper = [m.name for m in Case.objects.get(number=number).implementation.item.materials.filter(source="applicant")]
    case_accept(case=number, actor=user("clerk"), paper=paper)
    approve(number, date.today())
    row = OutboxMessage.objects.filter(topic="workflow.reaction", payload__reaction="projects.case_moved",
                                       payload__key=number).get()
    before = p.events.count()
    deliver(row.payload)
    p.refresh_from_db()
    ev = p.events.order_by("seq").last()
    assert p.events.count() == before + 1 and ev.action == "reschedule" and number in ev.reason
    assert p.members.get(key="JSYDGHXK").case.status == "approved"
    deliver(row.payload)  # nothing more changed: no event
    assert p.events.count() == before + 1


def test_a_case_of_another_applicant_cannot_be_linked(make_project, leader):
    from yiwang.cases.services import case_submit
    from yiwang.catalogue.models import ItemImplementation
    from yiwang.core.errors import DomainError
    from yiwang.parties.models import Party
    from yiwang.projects.services import project_act

    p = make_project()
    impl = ItemImplementation.objects.select_related("item").get(impl_code="430321-JSYDGHXK")
    other = case_submit(actor=user("xtcy"), item=impl.impl_code, applicant=Party.objects.get(user__username="xtcy"),
                        form={f: "示例" for f in impl.item.form_fields}, channel="online")
    with pytest.raises(DomainError) as exc:
        project_act(project=p, action="link_case", actor=leader, input={"member": "JSYDGHXK", "case": other.number})
    assert exc.value.field == "case"


def test_a_calendar_change_moves_the_schedule_with_an_event_saying_why(make_project):
    from yiwang.core.workflow.deadlines import holders, recompute_all
    from yiwang.projects.models import Project
    from yiwang.workcalendar.services import calendar_day_set

    assert "projects.schedules" in holders()
    p = make_project()
    finish = Project.objects.get(pk=p.pk).projected_finish
    calendar_day_set(day=date(2026, 3, 4), kind="holiday", name="测试假日")
    moved = recompute_all(since=date(2026, 3, 4), now=at(date(2026, 3, 2), 12))
    p.refresh_from_db()
    assert moved["projects.schedules"] >= 1 and p.projected_finish > finish
    assert "工作日历" in p.events.order_by("seq").last().reason


def test_the_leaders_list_page_shows_state_agent_and_warnings():
    body = client_for("tyjk").get("/projects/").content.decode()
    assert "天易经开区智能装备产业园项目" in body and "专员：王专员" in body and "施工图审查备案" in body
    assert "未配备专员" in body  # the second demo project
    assert client_for("approver").get("/projects/").status_code == 200  # an empty list, not an error


def test_the_chart_page_marks_the_critical_path_todays_line_and_the_late_member():
    body = client_for("zhuanyuan").get(f"/projects/{CODE}/").content.decode()
    assert "统筹图" in body and "gantt-today" in body and "is-critical" in body
    assert 'is-warned' in body and "延误" in body
    assert client_for("approver").get(f"/projects/{CODE}/").status_code == 404


def test_an_action_from_the_page(make_project):
    p = make_project()
    r = client_for("tyjk").post(f"/projects/{p.code}/act/", {"action": "pre_service_done", "task": "site",
                                                               "done_on": "2026-03-02", "version": p.version})
    assert r.status_code == 302
    assert p.members.get(key="site").done_on == date(2026, 3, 2)


def test_the_enterprise_files_the_utilities_bundle_online_under_the_project(make_project):
    from yiwang.projects.models import ProjectMember

    p = make_project()
    r = client_for("xtkj").post(f"/api/v1/projects/{p.code}/members/SDQWBZ/file", {"form": {}},
                                content_type="application/json")
    assert r.status_code == 200, r.json()
    m = ProjectMember.objects.select_related("bundle_case").get(project=p, key="SDQWBZ")
    assert m.bundle_case.number == r.json()["number"] and m.bundle_case.bundle.code == "SDQWBZ"
    row = next(x for x in r.json()["project"]["schedule"]["members"] if x["key"] == "SDQWBZ")
    assert row["case"]["number"] == m.bundle_case.number
    # the park's officer is not the applicant: online filing is the enterprise's own
    r = client_for("tyjk").post(f"/api/v1/projects/{p.code}/members/JSYDGHXK/file", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["field"] == "applicant"
