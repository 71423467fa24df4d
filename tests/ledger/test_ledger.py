"""改革台账 on the engine: the report's edges by actor, the 25th, reminders and overdue marks by timers,
the quarterly 通报, Excel import, and the API."""

from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook, load_workbook

from tests.conftest import accepted_in_rollback
from yiwang.core.errors import Conflict, DomainError, Forbidden
from yiwang.core.timers import timers_fire_due
from yiwang.core.workflow import available_actions
from yiwang.core.workflow.history import HistoryIsAppendOnly
from yiwang.ledger import selectors, services
from yiwang.ledger.models import ProgressReport, ProgressReportEvent
from yiwang.ledger.workflow import WORKFLOW, due_date
from yiwang.organisations.models import Unit

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
User = get_user_model()
PLAN = "YY-WHYQ-2022"
MONTH = date(2024, 5, 1)  # a month the demo does not touch


def u(name):
    return User.objects.get(username=name)


def at(d, hour=10):
    return datetime.combine(d, time(hour), tzinfo=TZ)


@pytest.fixture
def report():
    plan = services.plan_get(PLAN)
    return services.report_open(plan=plan, unit=Unit.objects.get(code="YY-NHXQ"), month=MONTH)


def entries(plan, text="已推进"):
    return {"entries": [{"task": t.code, "progress": "in_progress", "text": text} for t in plan.tasks.all()]}


def act(report, action, who, **kw):
    return services.report_act(report=report.key, action=action, actor=u(who) if who else None, **kw)


@pytest.mark.parametrize("due_day,month,expected", [
    (25, date(2026, 3, 1), date(2026, 3, 25)), (25, date(2026, 2, 1), date(2026, 2, 25)),
    (28, date(2026, 2, 1), date(2026, 2, 28)),
])
def test_the_due_date_is_the_due_day_of_the_month(due_day, month, expected):
    assert due_date(month, due_day) == expected


# (status reached by these steps, actor, the actions offered)
EDGES = [
    ([], "yy-nhxq", {"save", "submit"}),
    ([], "yysgb", set()),
    ([], "yy-mlgx", set()),  # another park
    (["submit"], "yy-nhxq", set()),
    (["submit"], "yysgb", {"return_report", "accept"}),
    (["submit", "return_report"], "yy-nhxq", {"save", "submit"}),
    (["submit", "accept"], "yysgb", set()),
]


@pytest.mark.parametrize("steps,who,offered", EDGES)
def test_available_actions_are_exactly_what_the_engine_accepts(report, steps, who, offered):
    plan = report.plan
    act(report, "save", "yy-nhxq", input=entries(plan))
    for s in steps:
        act(report, s, "yysgb" if s in ("return_report", "accept") else "yy-nhxq",
            input={"reason": "请补充"} if s == "return_report" else {})
    subject = WORKFLOW.load(report.key)
    names = {a.name for a in available_actions(WORKFLOW, subject=subject, actor=u(who))}
    assert names == offered
    inputs = {"save": entries(plan), "return_report": {"reason": "请补充"}}
    for name in ("save", "submit", "return_report", "accept"):
        accepted = accepted_in_rollback(lambda name=name: act(report, name, who, input=inputs.get(name, {})))
        assert accepted == (name in offered), name



def test_submitting_needs_every_measure_filled_and_names_the_field(report):
    with pytest.raises(DomainError) as exc:
        act(report, "submit", "yy-nhxq")
    assert exc.value.field == "entries" and "落实进展" in exc.value.message


def test_an_unknown_measure_is_refused_at_its_field(report):
    with pytest.raises(DomainError) as exc:
        act(report, "save", "yy-nhxq", input={"entries": [{"task": "99", "text": "x"}]})
    assert exc.value.field == "entries" and "99" in exc.value.message


def test_returning_needs_a_comment(report):
    act(report, "save", "yy-nhxq", input=entries(report.plan))
    act(report, "submit", "yy-nhxq")
    with pytest.raises(DomainError) as exc:
        act(report, "return_report", "yysgb", input={"reason": ""})
    assert exc.value.field == "reason" and "退回意见" in exc.value.message


def test_a_report_submitted_after_the_25th_is_marked_late(report):
    act(report, "save", "yy-nhxq", input=entries(report.plan), now=at(date(2024, 5, 26)))
    r = act(report, "submit", "yy-nhxq", now=at(date(2024, 5, 26)))
    assert r.late and r.last_event.data == {"late": True}


def test_the_reminder_comes_before_the_25th_and_the_overdue_mark_after_it(report):
    timers_fire_due(now=at(date(2024, 5, 21)))
    assert not ProgressReport.objects.get(pk=report.pk).reminded
    timers_fire_due(now=at(date(2024, 5, 22), 10))  # 3 days before the 25th, 09:00
    r = ProgressReport.objects.get(pk=report.pk)
    assert r.reminded and not r.overdue
    timers_fire_due(now=at(date(2024, 5, 26), 1))
    r = ProgressReport.objects.get(pk=report.pk)
    assert r.overdue
    assert list(r.events.values_list("action", "actor_kind")) == [("remind", "system"), ("mark_overdue", "system")]


def test_a_submitted_report_gets_no_overdue_mark(report):
    act(report, "save", "yy-nhxq", input=entries(report.plan), now=at(date(2024, 5, 10)))
    act(report, "submit", "yy-nhxq", now=at(date(2024, 5, 10)))
    timers_fire_due(now=at(date(2024, 5, 27)))
    r = ProgressReport.objects.get(pk=report.pk)
    assert not r.overdue and not r.reminded


def test_two_reviewers_at_once_one_wins_the_other_is_told(report):
    act(report, "save", "yy-nhxq", input=entries(report.plan))
    r = act(report, "submit", "yy-nhxq")
    act(report, "accept", "yysgb", version=r.version)
    with pytest.raises(Conflict):
        act(report, "return_report", "yysgb", input={"reason": "x"}, version=r.version)


def test_another_park_may_not_act_on_a_report(report):
    with pytest.raises(Forbidden):
        act(report, "save", "yy-mlgx", input=entries(report.plan))


def test_history_is_append_only(report):
    act(report, "save", "yy-nhxq", input=entries(report.plan))
    with pytest.raises(HistoryIsAppendOnly):
        ProgressReportEvent.objects.filter(report=report).delete()


def test_the_quarterly_bulletin_counts_who_reported_on_time(report):
    plan = report.plan
    act(report, "save", "yy-nhxq", input=entries(plan), now=at(date(2024, 5, 20)))
    act(report, "submit", "yy-nhxq", now=at(date(2024, 5, 20)))
    late = services.report_open(plan=plan, unit=Unit.objects.get(code="YY-MLGX"), month=MONTH)
    act(late, "save", "yy-mlgx", input=entries(plan), now=at(date(2024, 5, 28)))
    act(late, "submit", "yy-mlgx", now=at(date(2024, 5, 28)))
    b = selectors.bulletin(plan, "2024Q2", today=date(2024, 7, 1))
    rows = {r["unit"].code: r for r in b.timeliness}
    assert (rows["YY-NHXQ"]["on_time"], rows["YY-NHXQ"]["missing"]) == (1, 2)  # April and June not reported
    assert rows["YY-MLGX"]["late"] == 1
    assert len(b.matrix) == 20 and len(b.units) == 11
    nh = [u.code for u in b.units].index("YY-NHXQ")
    assert b.matrix[0]["cells"][nh].text == "已推进"
    with pytest.raises(DomainError) as exc:
        selectors.bulletin(plan, "2024Q5", today=date(2024, 7, 1))
    assert exc.value.field == "quarter"


def test_the_bulletin_exports_in_the_annex_3_layout(client, report):
    client.login(username="yysgb", password="Demo@2026")
    r = client.get(f"/ledger/{PLAN}/bulletin/?quarter=2024Q2&format=xlsx")
    ws = load_workbook(BytesIO(r.content)).worksheets[0]
    assert [c.value for c in ws[3]][:3] == ["改革措施", "岳阳经济技术开发区", "南湖新区"]
    assert ws.cell(row=4, column=1).value.startswith("（一）")
    assert ws.cell(row=5, column=1).value == "1.有效落实园区赋权工作"


def test_the_bulletin_renders_as_pdf(client):
    client.login(username="yysgb", password="Demo@2026")
    r = client.get(f"/ledger/{PLAN}/bulletin/?quarter=2024Q2&format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_the_bulletin_is_for_the_office_not_a_park(client):
    client.login(username="yy-nhxq", password="Demo@2026")
    assert client.get(f"/ledger/{PLAN}/bulletin/").status_code == 403


def _sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_plan_is_imported_from_excel():
    content = _sheet([["某市改革方案"], ["措施编号", "任务类别", "改革措施", "具体内容", "责任单位"],
                      ["1", "（一）放权", "落实赋权", "", "市审批局"], ["2", "（一）放权", "一窗受理", "", "市政务中心"]])
    plan = services.plan_import_xlsx(content=content, code="T-1", name="测试方案", region="430600", office="YYS-SGB",
                                     start_month=date(2024, 1, 1), reporters=["YY-NHXQ"])
    assert [t.title for t in plan.tasks.all()] == ["落实赋权", "一窗受理"]
    assert [r.unit.code for r in plan.reporters.all()] == ["YY-NHXQ"]
    with pytest.raises(DomainError) as exc:
        services.plan_import_xlsx(content=b"not excel", code="T-2", name="x", region="430600", office="YYS-SGB",
                                  start_month=date(2024, 1, 1))
    assert exc.value.field == "file"


def test_api_lists_plans_and_a_unit_posts_its_monthly_report(client):
    client.login(username="yy-nhxq", password="Demo@2026")
    plans = client.get("/api/v1/ledger/plans").json()
    assert plans[0]["code"] == PLAN and len(plans[0]["tasks"]) == 20 and len(plans[0]["reporters"]) == 11
    body = {"unit": "YY-NHXQ", "month": "2024-05", "submit": True,
            "entries": [{"task": str(i), "progress": "done", "text": "已完成"} for i in range(1, 21)]}
    r = client.post(f"/api/v1/ledger/plans/{PLAN}/reports", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    listed = client.get(f"/api/v1/ledger/plans/{PLAN}/reports?month=2024-05").json()
    assert [x["unit"] for x in listed] == ["YY-NHXQ"]  # a park sees only its own
    body["unit"] = "YY-MLGX"
    assert client.post(f"/api/v1/ledger/plans/{PLAN}/reports", body,
                       content_type="application/json").status_code == 403
    r = client.get(f"/api/v1/ledger/plans/{PLAN}/reports?month=May")
    assert r.status_code == 400 and r.json()["field"] == "month"


def test_the_office_accepts_through_the_action_api(client, report):
    act(report, "save", "yy-nhxq", input=entries(report.plan))
    act(report, "submit", "yy-nhxq")
    client.login(username="yysgb", password="Demo@2026")
    r = client.post(f"/api/v1/ledger/reports/{report.key}/accept", {"reason": "通过"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "accepted"


def test_the_demo_has_last_months_reports_and_the_report_page_offers_the_offices_actions(client, ledger_history):
    month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    reports = ProgressReport.objects.filter(plan__code=PLAN, month=month)
    from yiwang.ledger.demo import load_ledger_demo

    assert load_ledger_demo(with_history=True)["reports"] == 0  # loading twice adds nothing
    assert reports.count() == 9 and reports.filter(status="returned").count() == 1
    r = reports.filter(status="submitted").first()
    client.login(username="yysgb", password="Demo@2026")
    page = client.get(f"/ledger/{PLAN}/{r.unit.code}/{month:%Y-%m}/").content.decode()
    assert "退回修改" in page and "审核通过" in page
