"""12345 简报 issued by the worker: the day's, week's and month's editions are made once when the period
ends (a second worker, a repeated timer or a restart make none), kept as PDF and Excel, listed on the
bulletin page for the regions the viewer reads and downloadable as issued; the 督办 list is in them."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import load_workbook

from yiwang.core.models import Timer
from yiwang.core.timers import timers_fire_due
from yiwang.evaluations.rules import TZ
from yiwang.hotline import editions, rules, services
from yiwang.hotline.models import BulletinEdition

pytestmark = pytest.mark.django_db
User = get_user_model()


def at(*a):
    return datetime(*a, tzinfo=TZ)


@pytest.mark.parametrize("kind,day,due", [
    ("day", date(2026, 3, 4), at(2026, 3, 5, 0, 30)),
    ("week", date(2026, 3, 4), at(2026, 3, 9, 0, 30)),  # Monday after the week
    ("month", date(2026, 3, 4), at(2026, 4, 1, 0, 30)),
    ("month", date(2026, 12, 31), at(2027, 1, 1, 0, 30)),
])
def test_an_edition_is_due_half_past_midnight_after_its_period(kind, day, due):
    assert editions.edition_due(rules.bulletin_period(kind, day)) == due


def test_the_day_period_is_one_calendar_day():
    p = rules.bulletin_period("day", date(2026, 3, 4))
    assert (p.start, p.end, p.label) == (date(2026, 3, 4), date(2026, 3, 5), "2026年3月4日")
    assert p.previous().start == date(2026, 3, 3)


def _pending():
    return sorted(Timer.objects.filter(kind=editions.TIMER_BULLETIN, fired_at__isnull=True,
                                       cancelled_at__isnull=True).values_list("key", "due_at"))


def test_the_worker_keeps_one_pending_timer_per_kind(django_assert_max_num_queries):
    today = date(2026, 3, 4)
    editions.bulletin_schedule_ensure(today=today)
    assert _pending() == [("day", at(2026, 3, 5, 0, 30)), ("month", at(2026, 4, 1, 0, 30)),
                          ("week", at(2026, 3, 9, 0, 30))]
    with django_assert_max_num_queries(1):  # every tick: one query when the timers exist
        editions.bulletin_schedule_ensure(today=today)
    assert len(_pending()) == 3


def test_the_worker_tick_schedules_the_editions():
    from yiwang.core.management.commands.worker import tick

    tick(worker_id="test")
    assert {k for k, _ in _pending()} == {"day", "week", "month"}


def test_firing_the_timer_issues_each_regions_edition_once_and_schedules_the_next(make_request, operator):
    for d in (2, 3):  # two complaints in the week of 2 March 2026
        make_request(now=at(2026, 3, d, 10), title=f"投诉{d}")
    week = rules.bulletin_period("week", date(2026, 3, 4))
    editions._schedule(week)
    assert timers_fire_due(now=at(2026, 3, 9, 0, 31)) == 1
    made = BulletinEdition.objects.filter(kind="week", start=week.start)
    regions = editions.edition_regions()
    assert regions and made.count() == len(regions)
    county = made.get(region_id="430321")
    assert county.end == date(2026, 3, 9) and county.label == week.label and "湘潭县" in county.scope
    assert dict((r[0], r[1]) for r in county.summary)["受理量"] == "2"
    assert bytes(county.pdf).startswith(b"%PDF") and load_workbook(BytesIO(bytes(county.xlsx))).active["A1"].value
    assert ("week", at(2026, 3, 16, 0, 30)) in _pending()  # the chain goes on with the next week
    # A re-run (a restart, the same period's timer again): nothing new, the issued files unchanged.
    first_pdf = bytes(county.pdf)
    assert editions.editions_issue(period=week) == 0
    assert bytes(made.get(region_id="430321").pdf) == first_pdf and made.count() == len(regions)


def test_a_twin_made_meanwhile_by_another_worker_is_kept(monkeypatch, make_request, operator):
    day = rules.bulletin_period("day", date(2026, 3, 2))
    mine, made = editions.edition_issue(period=day, region="430321")
    assert made
    # The other worker's insert lands between this one's check and its insert: the unique constraint
    # refuses the second row, and the edition already issued is returned as it is.
    real = BulletinEdition.objects.filter

    def blind(*a, **kw):
        qs = real(*a, **kw)
        return qs.none() if kw.get("kind") == "day" and "pk" not in kw else qs

    monkeypatch.setattr(BulletinEdition.objects, "filter", blind)
    again, made = editions.edition_issue(period=day, region="430321")
    assert not made and again.pk == mine.pk
    monkeypatch.undo()
    assert BulletinEdition.objects.filter(kind="day", start=day.start, region_id="430321").count() == 1


@pytest.mark.postgres
def test_two_workers_firing_at_once_issue_one_edition(postgres, run_threads):
    week = rules.bulletin_period("week", date(2026, 3, 4))
    editions._schedule(week)
    fired = run_threads(lambda i: timers_fire_due(now=at(2026, 3, 9, 1)), 2)
    assert sorted(r[1] for r in fired) == [0, 1], fired
    assert BulletinEdition.objects.filter(kind="week", start=week.start).count() == len(editions.edition_regions())


def test_the_supervision_list_is_in_the_bulletin(make_request, operator, supervisor):
    from yiwang.hotline.bulletin import bulletin, summary_rows

    req = make_request(title="占道经营")
    services.request_dispatch(request=req, actor=operator)
    services.request_supervise(request=req, actor=supervisor, note="请三日内答复")
    services.request_supervise(request=req, actor=supervisor, note="再次督办")
    b = bulletin(rules.bulletin_period("day", timezone.localdate()), region_codes=["430321"])
    assert [(x["request"].number, x["times"]) for x in b.supervised] == [(req.number, 2)]
    assert ("督办", "1", "本期被督办的工单数") in summary_rows(b)


def test_leaders_open_and_download_the_issued_editions(client, make_request, operator):
    make_request(now=at(2026, 3, 2, 10))
    week = rules.bulletin_period("week", date(2026, 3, 4))
    editions.editions_issue(period=week)
    county = BulletinEdition.objects.get(kind="week", start=week.start, region_id="430321")
    client.force_login(User.objects.get(username="leader"))
    page = client.get("/hotline/bulletin/?period=day")
    html = page.content.decode()
    assert page.status_code == 200 and "往期简报" in html and week.label in html
    assert f"/hotline/bulletin/editions/{county.pk}.pdf" in html
    pdf = client.get(f"/hotline/bulletin/editions/{county.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(county.pdf)
    xlsx = client.get(f"/hotline/bulletin/editions/{county.pk}.xlsx")
    ws = load_workbook(BytesIO(xlsx.content)).active
    assert "周报" in ws["A1"].value and "八、督办工单" in [c.value for c in ws["A"]]
    assert client.get(f"/hotline/bulletin/editions/{county.pk}.doc").status_code == 404


def test_an_edition_of_another_region_is_not_found_and_others_are_refused(client, make_request):
    week = rules.bulletin_period("week", date(2026, 3, 4))
    editions.editions_issue(period=week)
    county = BulletinEdition.objects.get(kind="week", start=week.start, region_id="430321")
    from yiwang.organisations.selectors import region_subtree_codes

    others = BulletinEdition.objects.filter(kind="week", start=week.start).exclude(
        region_id__in=region_subtree_codes("430321"))
    assert others.exists()  # the demo has readers in other regions (衡阳县, 岳阳市 …)
    client.force_login(User.objects.get(username="leader"))
    for e in others:
        assert client.get(f"/hotline/bulletin/editions/{e.pk}.pdf").status_code == 404
    client.force_login(User.objects.get(username="clerk"))
    assert client.get(f"/hotline/bulletin/editions/{county.pk}.pdf").status_code == 403


def test_the_demo_issues_the_last_periods_once():
    from yiwang.demo.loader import _bulletin_editions

    made = _bulletin_editions()
    assert made == 3 * len(editions.edition_regions())
    assert _bulletin_editions() == 0
    today = timezone.localdate()
    assert [p.kind for p in editions.last_periods(today)] == ["day", "week", "month"]
    assert all(p.end <= today for p in editions.last_periods(today))
