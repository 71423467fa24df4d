"""The dashboard's fast path: a period's sums read whole months from the "month" grain and the edge days
from the daily cells, equal to the daily sums for any span; the month cells follow every refresh and
rebuild; the overview answers in a fixed number of queries, its sums cached under the rollup's version
(so a new event is seen at once)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from yiwang.dashboards import selectors, services
from yiwang.dashboards.models import RollupCell

pytestmark = pytest.mark.django_db


def month_of_coarse() -> dict:
    out: dict = {}
    for (counter, day, region, unit, park, *rest), v in services.cells_as_dict("coarse").items():
        key = (counter, day.replace(day=1), region, unit, park, *rest)
        out[key] = out.get(key, 0) + v
    return out


def daily_sums(f, scope, start, end) -> dict:
    qs = RollupCell.objects.filter(f.q(scope), grain="coarse", day__gte=start, day__lte=end)
    return {r["counter"]: r["v"] for r in qs.values("counter").annotate(v=Sum("value"))}


@pytest.mark.parametrize("start,end,grains", [
    (date(2026, 1, 1), date(2026, 12, 31), {"month"}),
    (date(2026, 3, 1), date(2026, 3, 31), {"month"}),
    (date(2026, 3, 5), date(2026, 3, 20), {"coarse"}),  # inside one month: days only
    (date(2026, 2, 27), date(2026, 4, 2), {"month", "coarse"}),  # two edge runs of days around March
    (date(2026, 3, 1), date(2026, 4, 15), {"month", "coarse"}),
    (date(2026, 2, 15), date(2026, 3, 31), {"month", "coarse"}),
    (date(2026, 3, 7), date(2026, 3, 7), {"coarse"}),
])
def test_a_span_reads_whole_months_from_the_month_grain(start, end, grains):
    q = selectors.span_q(start, end)
    assert {c[1] for c in _leaves(q) if c[0] == "grain"} == grains


def _leaves(q):
    for child in q.children:
        yield from (_leaves(child) if hasattr(child, "children") else [child])


def region_month_of_coarse() -> dict:
    out: dict = {}
    for (counter, day, region, *_), v in month_of_coarse().items():
        key = (counter, day, region, None, None, None, None, None)
        out[key] = out.get(key, 0) + v
    return out


def test_the_month_grains_are_the_daily_cells_summed_and_follow_refresh_and_rebuild(history):
    services.rollup_refresh()
    assert services.cells_as_dict("month") == month_of_coarse()
    assert services.cells_as_dict("rmonth") == region_month_of_coarse()
    services.rollup_rebuild()
    assert services.cells_as_dict("month") == month_of_coarse()
    assert services.cells_as_dict("rmonth") == region_month_of_coarse()


@pytest.mark.parametrize("span", [("01-01", "12-31"), ("-m-01", "-m-last"), ("-m-03", "-m-17"), ("-p-10", "-m-05")])
def test_period_sums_equal_the_daily_sums_for_any_span(history, span):
    from django.utils import timezone

    from yiwang.dashboards import rules

    today = timezone.localdate()
    month = rules.period_bounds("month", today)
    prev = rules.period_bounds("month", month[0] - timedelta(days=1))
    names = {"-m-01": month[0], "-m-last": month[1], "-m-03": month[0].replace(day=3),
             "-m-17": month[0].replace(day=17), "-p-10": prev[0].replace(day=10), "-m-05": month[0].replace(day=5)}
    start = names.get(span[0]) or date.fromisoformat(f"{today.year}-{span[0]}")
    end = names.get(span[1]) or date.fromisoformat(f"{today.year}-{span[1]}")
    scope = selectors.scope_for(get_user_model().objects.get(username="leader"))
    f = selectors.filters_parse(scope, start=start.isoformat(), end=end.isoformat())
    services.rollup_refresh()
    got = selectors._sums(f, scope, start, end)
    assert got == daily_sums(f, scope, start, end) and got
    park = selectors.filters_parse(scope, start=start.isoformat(), end=end.isoformat(), park="TYJK")
    assert selectors._sums(park, scope, start, end) == daily_sums(park, scope, start, end)  # the "month" grain


def test_the_overview_answers_in_few_queries_and_sees_a_new_event_at_once(history, client,
                                                                          django_assert_max_num_queries):
    from django.utils import timezone

    from yiwang.hotline import services as hot
    from yiwang.hotline.models import Category
    from yiwang.organisations.models import Region

    year = timezone.localdate().year
    url = f"/api/v1/stats/overview?from={year}-01-01&to={year}-12-31"
    client.login(username="leader", password="Demo@2026")
    first = client.get(url).json()
    # warm: session, user, the scope (staff, regions: 3), the rollup's version (newest event ids, cursors: 2),
    # the open overdue cases and the projects (2); the two periods' sums come from the cache
    with django_assert_max_num_queries(10):  # 9, and the live count of policies issued (POL-FB)
        again = client.get(url).json()
    assert again == first
    received = {f["code"]: f for f in first["figures"]}["HOT-CF"]["denominator"]
    hot.request_create(kind="complaint", channel="phone", category=Category.objects.get(code="0302"),
                       region=Region.objects.get(code="430321"), title="新来电", content="反映问题",
                       phone="13800000009", actor=get_user_model().objects.get(username="operator"))
    after = {f["code"]: f for f in client.get(url).json()["figures"]}
    assert after["HOT-CF"]["denominator"] == received + 1  # the cache is keyed by the rollup's version
