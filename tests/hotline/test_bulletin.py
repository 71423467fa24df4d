"""12345 简报: the week's and month's figures, recounted by hand from the requests made here, as a
page, an Excel workbook and a PDF, for leaders, supervisors and the hotline."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model

from yiwang.evaluations.rules import TZ
from yiwang.hotline import rules, services
from yiwang.hotline.bulletin import bulletin
from yiwang.organisations.models import Unit

pytestmark = pytest.mark.django_db
User = get_user_model()


def at(*a):
    return datetime(*a, tzinfo=TZ)


@pytest.mark.parametrize("kind,day,start,end,label", [
    ("week", date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 9), "2026年第10周（03月02日至03月08日）"),
    ("week", date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 9), None),
    ("week", date(2026, 3, 8), date(2026, 3, 2), date(2026, 3, 9), None),
    ("week", date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 4), "2026年第53周（12月28日至01月03日）"),
    ("month", date(2026, 2, 14), date(2026, 2, 1), date(2026, 3, 1), "2026年2月"),
    ("month", date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1), "2026年12月"),
])
def test_bulletin_periods_are_natural_weeks_and_months(kind, day, start, end, label):
    p = rules.bulletin_period(kind, day)
    assert (p.start, p.end) == (start, end)
    assert label is None or p.label == label
    assert p.previous().end == p.start


@pytest.mark.parametrize("now,before,expected", [(12, 10, 20.0), (5, 10, -50.0), (3, 0, None), (0, 0, None)])
def test_period_on_period_change(now, before, expected):
    assert rules.change(now, before) == expected


def test_unknown_period_is_refused():
    with pytest.raises(ValueError):
        rules.bulletin_period("year", date(2026, 3, 2))


def _week_of_requests(make_request, operator, scjg_user):
    """In the week of 2 March 2026: three complaints to 市场监管 (one replied and visited satisfied on
    time, one visited dissatisfied, one left open) and one consultation; one complaint the week before."""
    make_request(now=at(2026, 2, 25, 9), title="上周的投诉")
    reqs = [make_request(now=at(2026, 3, d, 10), title=f"投诉{d}") for d in (2, 3, 4)]
    make_request(kind="consult", category="010101", now=at(2026, 3, 5, 10), title="咨询营业执照")
    scjg = Unit.objects.get(code="XTX-SCJG")
    for r in reqs[:2]:
        services.request_dispatch(request=r, actor=operator, unit=scjg, now=at(2026, 3, 4, 11))
        services.request_sign(request=r, actor=scjg_user)
        services.request_reply(request=r, actor=scjg_user, reply="已处理")
    services.request_visit(request=reqs[0], actor=operator, level=2)
    services.request_visit(request=reqs[1], actor=operator, level=4, note="仍未退货")
    return reqs


def test_bulletin_figures_recount_by_hand(make_request, operator, scjg_user):
    _week_of_requests(make_request, operator, scjg_user)
    # The visits happened now (business time of the test run), so count them over the current week.
    week = rules.bulletin_period("week", date(2026, 3, 4))
    b = bulletin(week, region_codes=["430321"])
    assert b.received == 4 and b.received_before == 1 and b.received_change == 300.0
    assert dict(b.by_kind) == {"投诉": 3, "咨询": 1}
    assert dict(b.by_channel) == {"电话": 4}
    assert b.hot[0]["n"] == 3 and b.hot[0]["before"] == 1 and b.hot[0]["change"] == 200.0
    units = {u["unit"]: u for u in b.by_unit}
    assert units["湘潭县市场监督管理局"]["received"] == 2
    assert b.demands == {"requests": 0, "items": 0, "items_closed": 0}
    other = bulletin(week, region_codes=["430421"])  # 衡阳县: none of these
    assert other.received == 0 and other.by_unit == []


def test_bulletin_counts_visits_and_on_time_closing_in_the_period(make_request, operator, scjg_user):
    from django.utils import timezone

    _week_of_requests(make_request, operator, scjg_user)
    now = rules.bulletin_period("week", timezone.localdate())
    b = bulletin(now, region_codes=["430321"])
    assert (b.visits, b.satisfied, b.satisfaction_rate) == (2, 1, 50.0)
    # The satisfied one closed this week (the visit's business time is now): on time if by its deadline.
    closed = list(services.Request.objects.filter(title__startswith="投诉", status="closed"))
    assert len(closed) == 1
    on_time = sum(1 for r in closed if r.closed_at <= r.deadline_at)
    assert (b.closed, b.closed_on_time) == (len(closed), on_time)


def test_the_leader_reads_the_bulletin_and_downloads_excel_and_pdf(client, make_request, operator, scjg_user):
    from openpyxl import load_workbook

    _week_of_requests(make_request, operator, scjg_user)
    client.force_login(User.objects.get(username="leader"))
    page = client.get("/hotline/bulletin/", {"period": "week", "date": "2026-03-04"})
    body = page.content.decode()
    assert page.status_code == 200 and "12345热线周报" in body and "2026年第10周" in body
    assert "按时办结率" in body and "本期受理；上期 1" in body and "李先生" not in body and "13800000001" not in body
    xlsx = client.get("/hotline/bulletin/", {"period": "week", "date": "2026-03-04", "format": "xlsx"})
    ws = load_workbook(BytesIO(xlsx.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "受理量" in cells and "4" in [str(c) for c in cells]
    pdf = client.get("/hotline/bulletin/", {"period": "month", "date": "2026-03-04", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/hotline/bulletin/", {"period": "year"}).status_code == 400


def test_the_public_and_applicants_get_no_bulletin(client):
    client.force_login(User.objects.get(username="zhang"))
    assert client.get("/hotline/bulletin/").status_code == 403
