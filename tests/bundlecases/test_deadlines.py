"""A bundle case is a deadline holder: loading the next year's calendar moves its provisional deadline."""

from datetime import date

import pytest
from django.db import transaction

from .conftest import XTKJ, at

pytestmark = pytest.mark.django_db


def test_loading_the_next_years_calendar_moves_a_bundle_cases_provisional_deadline_and_clears_the_flag(
        submit_and_accept):
    from yiwang.bundlecases.models import BundleCaseEvent
    from yiwang.core.models import OutboxMessage
    from yiwang.core.workflow.deadlines import holders, recompute_all
    from yiwang.workcalendar.index import add_working_days
    from yiwang.workcalendar.services import calendar_import_year

    assert "bundle_cases" in holders()
    day = date(2026, 12, 31)  # 企业开办 promises 1 working day: into 2027
    bc = submit_and_accept("QYKB", XTKJ, now=at(day))
    assert bc.deadline_provisional and bc.deadline == add_working_days(day, bc.promised_days).date
    before = bc.deadline
    csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n2027-01-05,holiday,元旦\n"
    with transaction.atomic():
        calendar_import_year(content=csv.encode(), filename="2027.csv")
    moved = recompute_all(since=date(2027, 1, 1), now=at(date(2026, 12, 30)))
    assert moved["bundle_cases"] >= 1
    bc.refresh_from_db()
    assert bc.deadline > before and not bc.deadline_provisional
    ev = BundleCaseEvent.objects.get(bundle_case=bc, action="calendar_moved")
    assert ev.data["deadline_before"] == before.isoformat() and "工作日历" in ev.reason and ev.seq == bc.version
    assert OutboxMessage.objects.filter(topic="bundle_case.calendar_moved", payload__number=bc.number).exists()
    assert recompute_all(since=date(2027, 1, 1))["bundle_cases"] == 0  # nothing left to move
