"""The dashboard's pages, API and Excel exports, as the demo's leader, unit head and clerk see them."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(username):
        client.login(username=username, password="Demo@2026")
        return client

    return login


def test_the_leaders_workbench_link_is_the_dashboard(as_user):
    c = as_user("leader")
    page = c.get("/")
    assert 'href="/dashboard/"' in page.content.decode()
    assert c.get("/dashboard/").status_code == 200


def test_a_clerk_is_refused_the_dashboard_and_its_api(as_user):
    c = as_user("clerk")
    assert c.get("/dashboard/").status_code == 403
    r = c.get("/api/v1/stats/overview")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"


def test_overview_api_gives_every_figure_with_numerator_denominator_and_code(as_user, history):
    r = as_user("leader").get("/api/v1/stats/overview?from=2026-01-01&to=2026-12-31")
    assert r.status_code == 200
    body = r.json()
    codes = {f["code"]: f for f in body["figures"]}
    assert {"GOV-WB", "GOV-AS", "EVA-HP", "HOT-QYSQ", "GOV-CQZB"} <= set(codes)
    for f in body["figures"]:
        assert {"numerator", "denominator", "definition", "value"} <= set(f)
        if f["kind"] == "rate" and f["denominator"]:
            assert f["value"] == round(f["numerator"] / f["denominator"] * 100, 2)
    assert body["previous_period"] == {"from": "2025-01-01", "to": "2025-12-31"}


def test_bad_query_is_a_400_naming_the_field(as_user):
    r = as_user("leader").get("/api/v1/stats/overview?from=yesterday")
    assert r.status_code == 400 and r.json()["field"] == "from" and "起始日期" in r.json()["message"]
    r = as_user("leader").get("/api/v1/stats/series?figure=NOPE")
    assert r.status_code == 400 and r.json()["field"] == "figure"
    r = as_user("leader").get("/api/v1/stats/ranking?figure=GOV-AS&by=planet")
    assert r.status_code == 400 and r.json()["field"] == "by"
    r = as_user("leader").get("/api/v1/stats/overview?region=430421")
    assert r.status_code == 403 and r.json()["field"] == "region"


def test_series_and_ranking_api(as_user, history):
    c = as_user("leader")
    r = c.get("/api/v1/stats/series?figure=GOV-AS&by=quarter&from=2026-01-01&to=2026-12-31")
    assert [p["period"] for p in r.json()["points"]] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    r = c.get("/api/v1/stats/ranking?figure=EVA-HP&by=unit&from=2026-01-01&to=2026-12-31")
    rows = r.json()["rows"]
    assert rows and [x["rank"] for x in rows] == list(range(1, len(rows) + 1))


def test_overview_excel_has_the_pages_layout(as_user, history):
    r = as_user("leader").get("/dashboard/export.xlsx?period=custom&from=2026-01-01&to=2026-12-31")
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).active
    assert ws["A1"].value == "营商环境监测 · 领导驾驶舱"
    assert [c.value for c in ws[3]][:6] == ["类别", "指标代码", "指标", "本期值", "分子", "分母"]
    codes = [ws.cell(row=i, column=2).value for i in range(4, ws.max_row + 1)]
    assert "GOV-AS" in codes and "HOT-QYSQ" in codes


def test_drill_page_shows_numbers_not_applicants_and_exports(as_user, history):
    c = as_user("leader")
    page = c.get("/dashboard/drill/?period=custom&from=2026-01-01&to=2026-12-31&figure=GOV-AS&side=denominator")
    html = page.content.decode()
    assert page.status_code == 200 and "分母明细" in html and "湘潭示范" not in html
    x = c.get("/dashboard/drill.xlsx?period=custom&from=2026-01-01&to=2026-12-31&figure=GOV-AS&side=denominator")
    ws = load_workbook(BytesIO(x.content)).active
    assert ws.cell(row=3, column=2).value == "编号"


def test_drill_page_with_a_bad_figure_says_so(as_user):
    page = as_user("leader").get("/dashboard/drill/?figure=NOPE")
    assert page.status_code == 400 and "指标代码“NOPE”不存在" in page.content.decode()


def test_a_bad_date_on_the_page_is_shown_at_its_field_not_a_500(as_user):
    page = as_user("leader").get("/dashboard/?period=custom&from=2026-02-30")
    html = page.content.decode()
    assert page.status_code == 200 and "起始日期应为 YYYY-MM-DD" in html and 'aria-invalid="true"' in html


def test_ranking_page_and_excel(as_user, history):
    c = as_user("leader")
    assert "排名" in c.get("/dashboard/ranking/?figure=GOV-AS&by=park").content.decode()
    x = c.get("/dashboard/ranking/?figure=GOV-AS&by=unit&format=xlsx")
    assert load_workbook(BytesIO(x.content)).active.cell(row=3, column=1).value == "名次"


def test_a_unit_heads_dashboard_is_their_unit(as_user):
    r = as_user("head").get("/api/v1/stats/overview")
    assert r.status_code == 200 and r.json()["scope"] == "湘潭县市场监督管理局"


def test_the_public_rating_results_need_no_login_and_show_no_person(client, history):
    from django.utils import timezone

    page = client.get("/haochaping/")
    html = page.content.decode()
    assert page.status_code == 200 and "好差评" in html and "湘潭县市场监督管理局" in html
    assert "湘潭示范" not in html and "综合窗口受理员" not in html  # neither raters nor staff
    x = client.get(f"/haochaping/?year={timezone.localdate().year}&format=xlsx")
    ws = load_workbook(BytesIO(x.content)).active
    assert [c.value for c in ws[3]] == ["单位", "评价数", "好评率", "差评数", "差评整改率", "整改按时率"]


def test_loading_the_history_demo_twice_changes_nothing(history):
    from yiwang.cases.models import Case, CaseEvent
    from yiwang.dashboards.demo import load_dashboard_demo
    from yiwang.evaluations.models import Evaluation
    from yiwang.hotline.models import Request

    counts = [m.objects.count() for m in (Case, CaseEvent, Evaluation, Request)]
    assert history["cases"] > 20 and load_dashboard_demo() == {"cases": 0}
    assert [m.objects.count() for m in (Case, CaseEvent, Evaluation, Request)] == counts
