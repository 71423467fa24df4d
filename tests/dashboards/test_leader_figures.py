"""The leaders' figures added for issue 13's list: 窗口服务满意率 (ratings naming the window that served),
省市重点项目帮代办覆盖率 and 帮代办项目数 — each by hand and against a recount from the events."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from yiwang.dashboards import rules, selectors, services
from yiwang.dashboards.rules import Ev

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
D = date(2024, 11, 5)


def ev(action, level):
    return Ev(0, action, action, D, None, {"level": level}, 7)


@pytest.mark.parametrize("at_window,events,expected", [
    (True, [ev("rated", 1)], {"eval.rated", "eval.good", "eval.rated_active", "eval.good_active",
                              "eval.window_rated", "eval.window_good"}),
    (True, [ev("rated", 4)], {"eval.rated", "eval.bad", "eval.rated_active", "eval.window_rated"}),
    (True, [ev("defaulted", 3)], {"eval.rated", "eval.good", "eval.window_rated", "eval.window_good"}),
    (False, [ev("rated", 1)], {"eval.rated", "eval.good", "eval.rated_active", "eval.good_active"}),
])
def test_a_rating_at_a_window_counts_for_window_satisfaction(at_window, events, expected):
    got = rules.evaluation_contributions(subject_kind="window", events=events, at_window=at_window)
    assert {c for c, _, _ in got} == expected


def test_the_new_figures_are_defined_with_numerator_and_denominator():
    for code in ("EVA-CK", "PRJ-SSZ", "PRJ-BDB"):
        f = rules.FIGURES_BY_CODE[code]
        assert f.definition and f.numerator and (f.denominator or f.kind == "count")


def figures(start="2024-11-01", end="2024-11-30"):
    scope = selectors.scope_for(get_user_model().objects.get(username="leader"))
    return {r.now.figure.code: r.now for r in selectors.overview(scope, selectors.filters_parse(
        scope, start=start, end=end), today=date(2024, 11, 30))}


def test_window_satisfaction_by_hand_and_by_recount():
    from yiwang.evaluations import services as ev_services
    from yiwang.organisations.models import Unit, Window

    unit = Unit.objects.get(code="XTX-ZWZX")
    window = Window.objects.filter(unit=unit).first() or Window.objects.first()
    now = datetime.combine(D, time(10), tzinfo=TZ)
    for i, (at_window, level) in enumerate([(True, 1), (True, 5), (True, 2), (False, 1)]):
        slot = ev_services.evaluation_invite(subject_kind="window", subject_ref=f"W-{i}", unit=unit,
                                             window=window if at_window else None, now=now)
        ev_services.evaluation_rate(evaluation=slot, level=level, channel="web", now=now,
                                    text="等候时间太长" if level > 3 else "", problem_type="other" if level > 3 else "")
    f = figures()
    assert (f["EVA-CK"].numerator, f["EVA-CK"].denominator) == (2, 3)  # two of three window ratings good
    assert (f["EVA-HP"].numerator, f["EVA-HP"].denominator) == (3, 4)
    assert services.cells_as_dict() == services.recount()


def test_key_project_coverage_by_hand(django_assert_max_num_queries):
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party
    from yiwang.projects.models import Project
    from yiwang.projects.selectors import agent_coverage

    park = Unit.objects.get(code="TYJK")
    agent = get_user_model().objects.get(username="agent")
    owner = Party.objects.filter(kind="enterprise").first()
    rows = [("province", agent, "negotiating"), ("city", None, "signed"), ("county", agent, "started"),
            ("", agent, "started"), ("city", agent, "certified")]  # the last is done: out of the open ones
    for i, (level, who, status) in enumerate(rows):
        Project.objects.create(code=f"2024-430321-44-01-{900001 + i:06d}", name=f"示范项目{i}", enterprise=owner,
                               park=park, investment_kind="social", approval_kind="general",
                               investment=Decimal("1000"), key_level=level, begun_on=D, agent=who, status=status,
                               created_at=datetime.combine(D, time(9), tzinfo=TZ))
    scope = selectors.scope_for(get_user_model().objects.get(username="leader"))
    filters = selectors.filters_parse(scope, start="2024-11-01", end="2024-11-30")
    with django_assert_max_num_queries(1):
        live = selectors._projects_live(filters)
    assert (live["live.project.key_upper_with_agent"], live["live.project.key_upper"]) == (1, 2)
    assert live["live.project.with_agent"] == 3  # province, county and the non-key one
    parks = list(Unit.objects.filter(kind="park", region_id__in=filters.regions).values_list("pk", flat=True))
    assert {k: v for k, v in live.items() if "upper" not in k} == agent_coverage(parks)
    f = figures()
    assert f["PRJ-SSZ"].display == "50.00%" and f["PRJ-BDB"].display == "3"


def test_the_region_map_gives_each_region_and_its_places_with_the_figure(history, client):
    from django.utils import timezone

    year = timezone.localdate().year
    client.login(username="leader", password="Demo@2026")
    body = client.get(f"/api/v1/stats/map?figure=GOV-AS&from={year}-01-01&to={year}-12-31").json()
    assert body["figure"] == "GOV-AS" and [r["name"] for r in body["regions"]] == ["湘潭县"]
    county = body["regions"][0]
    ranked = client.get(f"/api/v1/stats/ranking?figure=GOV-AS&by=region&from={year}-01-01&to={year}-12-31").json()
    assert (county["numerator"], county["denominator"]) == (ranked["rows"][0]["numerator"],
                                                            ranked["rows"][0]["denominator"])
    assert "天易经济开发区" in {c["name"] for c in county["children"]}  # the park, with the towns and points
    bad = client.get("/api/v1/stats/map?figure=NOPE")
    assert bad.status_code == 400 and bad.json()["field"] == "figure"
    client.login(username="clerk", password="Demo@2026")
    assert client.get("/api/v1/stats/map?figure=GOV-AS").status_code == 403
