"""岗位效能评价 as the leader, the supervisor and a clerk see it; the score recomputed from the rankings."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from yiwang.dashboards import efficiency
from yiwang.dashboards.models import EfficiencyWeights

pytestmark = pytest.mark.django_db
YEAR = "period=custom&from=2026-01-01&to=2026-12-31"


@pytest.fixture
def as_user(client):
    def login(username):
        client.logout()
        client.login(username=username, password="Demo@2026")
        return client

    return login


def test_the_staff_ranking_scores_each_person_from_the_published_parts(as_user, history):
    c = as_user("leader")
    body = c.get("/api/v1/stats/efficiency?by=staff&from=2026-01-01&to=2026-12-31").json()
    assert body["weights"] == efficiency.DEFAULT_WEIGHTS and body["rows"]
    on_time = {r["key"]: r for r in c.get(
        "/api/v1/stats/ranking?figure=GOV-AS&by=staff&from=2026-01-01&to=2026-12-31").json()["rows"]}
    for row in body["rows"]:
        assert row["score"] == efficiency.score(row["parts"], body["weights"])
        if row["key"] in on_time:
            assert row["parts"]["on_time"] == on_time[row["key"]]["value"]
            assert row["decided"] == on_time[row["key"]]["denominator"]
    scores = [r["score"] for r in body["rows"] if r["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    page = c.get(f"/dashboard/efficiency/?by=window&{YEAR}")
    assert page.status_code == 200 and "综合得分" in page.content.decode()
    assert "调整权重" not in page.content.decode()  # a leader reads, the supervisor sets


def test_the_supervisor_publishes_new_weights_and_the_old_are_kept(as_user, history):
    c = as_user("supervisor")
    weights = {f"w_{p}": "20" for p in efficiency.PARTS}
    r = c.post(f"/dashboard/efficiency/?{YEAR}", {**weights, "note": "一季度起提高满意度权重"})
    assert r.status_code == 302
    r = c.post(f"/dashboard/efficiency/?{YEAR}", {**weights, "w_satisfaction": "40"})
    assert r.status_code == 302
    assert EfficiencyWeights.objects.count() == 2
    body = c.get("/api/v1/stats/efficiency?by=unit&from=2026-01-01&to=2026-12-31").json()
    assert body["weights"]["satisfaction"] == 40 and body["weights_published_at"]
    xlsx = c.get(f"/dashboard/efficiency/?by=unit&{YEAR}&format=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert "满意度（好评率） 40" in " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)


def test_a_bad_weight_is_shown_at_its_field_and_what_was_typed_stays(as_user, history):
    c = as_user("supervisor")
    weights = {f"w_{p}": "20" for p in efficiency.PARTS}
    r = c.post(f"/dashboard/efficiency/?{YEAR}", {**weights, "w_volume": "两成"})
    html = r.content.decode()
    assert r.status_code == 400 and EfficiencyWeights.objects.count() == 0
    assert "“办件量（相对最多者）”的权重应为0到100的整数" in html
    assert 'id="w_volume" name="w_volume" inputmode="numeric" value="两成" aria-invalid="true"' in html
    r = c.post(f"/dashboard/efficiency/?{YEAR}", {f"w_{p}": "0" for p in efficiency.PARTS})
    assert r.status_code == 400 and "各项权重不能全为0" in r.content.decode()


def test_only_a_supervisor_may_set_weights(as_user, history):
    c = as_user("leader")
    r = c.post(f"/dashboard/efficiency/?{YEAR}", {f"w_{p}": "20" for p in efficiency.PARTS})
    assert r.status_code == 403 and "仅督查人员" in r.content.decode()
    assert EfficiencyWeights.objects.count() == 0


def test_a_clerk_sees_their_own_score_and_rank_and_no_one_elses(as_user, history):
    from django.contrib.auth import get_user_model

    c = as_user("clerk")
    assert c.get("/dashboard/efficiency/").status_code == 403
    page = c.get(f"/me/efficiency/?{YEAR}")
    html = page.content.decode()
    assert page.status_code == 200 and "我的岗位效能评价" in html
    ranked = as_user("leader").get("/api/v1/stats/efficiency?by=staff&from=2026-01-01&to=2026-12-31").json()["rows"]
    clerk = get_user_model().objects.get(username="clerk")
    others = [r["name"] for r in ranked if r["key"] != clerk.pk]
    assert not any(name in html for name in others)
    mine = next((r for r in ranked if r["key"] == clerk.pk), None)
    if mine is not None:
        assert f"第 {mine['rank']} 名" in html


def test_an_applicant_has_no_efficiency_page(as_user):
    assert as_user("zhang").get("/me/efficiency/").status_code == 403
