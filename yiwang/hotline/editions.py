"""12345 简报 issued by the worker: a 日报, 周报 and 月报 for each region whose leaders, supervisors or
operators read the bulletin, generated once when the period has ended and kept (PDF and Excel) as issued.

Scheduling is a chain of timers (core.timers): one pending `hotline.bulletin` timer per kind, due at
00:30 after the period it carries ends; its handler issues that period's editions and schedules the
next period's. The worker's start-of-tick hook (`bulletin_schedule_ensure`) makes sure the current
period's timer exists, so a fresh install or a lost timer starts the chain again (no backfill).

Idempotent: the timer fires once (claimed under a row lock, marked fired in the handler's transaction),
and an edition is unique per kind, period start and region — a second worker, a re-run after a
restart or a repeated timer finds it issued and leaves it as it is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.timers import timer_handler, timer_schedule
from yiwang.evaluations.rules import TZ

from . import rules
from .models import BulletinEdition

TIMER_BULLETIN = "hotline.bulletin"
KINDS = ("day", "week", "month")
ISSUE_AT = time(0, 30)  # after midnight, once the day's last events are in


def edition_due(period: rules.Period) -> datetime:
    """When a period's editions are issued: 00:30 on the day after its last day."""
    return datetime.combine(period.end, ISSUE_AT, tzinfo=TZ)


def edition_regions() -> list[str]:
    """The regions an edition is issued for: those of the units whose staff read the bulletin."""
    from yiwang.organisations.models import Role, Staff

    roles = (Role.LEADER, Role.SUPERVISOR, Role.HOTLINE_OPERATOR)
    return sorted(set(Staff.objects.filter(role__in=roles).values_list("unit__region_id", flat=True)))


def edition_issue(*, period: rules.Period, region: str, now: datetime | None = None) -> tuple[BulletinEdition, bool]:
    """The edition of one period and region: made now unless it was issued already. Returns it and
    whether this call made it."""
    from yiwang.organisations.models import Region
    from yiwang.organisations.selectors import region_subtree_codes

    from .bulletin import bulletin, bulletin_pdf, bulletin_xlsx, summary_rows

    found = BulletinEdition.objects.filter(kind=period.kind, start=period.start, region_id=region).first()
    if found is not None:
        return found, False
    name = Region.objects.filter(code=region).values_list("name", flat=True).first() or region
    b = bulletin(period, region_codes=region_subtree_codes(region), scope=f"{name}（含下辖区域）")
    edition = BulletinEdition(kind=period.kind, start=period.start, end=period.end, label=period.label,
                              region_id=region, scope=b.scope, summary=[list(r) for r in summary_rows(b)],
                              pdf=bulletin_pdf(b), xlsx=bulletin_xlsx(b), generated_at=now or timezone.now())
    try:
        with transaction.atomic():  # a savepoint: a twin made meanwhile by another worker is no error
            edition.save()
    except IntegrityError:
        return BulletinEdition.objects.get(kind=period.kind, start=period.start, region_id=region), False
    return edition, True


def editions_issue(*, period: rules.Period, now: datetime | None = None) -> int:
    """Every region's edition of one period. Returns how many were made by this call."""
    return sum(edition_issue(period=period, region=r, now=now)[1] for r in edition_regions())


@timer_handler(TIMER_BULLETIN)
def on_bulletin_due(timer) -> None:
    """The period in the payload has ended: issue its editions, then schedule the next period's."""
    period = rules.bulletin_period(timer.key, date.fromisoformat(timer.payload["start"]))
    editions_issue(period=period)
    _schedule(rules.bulletin_period(timer.key, period.end))


def _schedule(period: rules.Period) -> None:
    timer_schedule(kind=TIMER_BULLETIN, key=period.kind, due_at=edition_due(period),
                   payload={"start": period.start.isoformat()})


def bulletin_schedule_ensure(*, today: date | None = None) -> None:
    """The worker's start-of-tick hook: the timer of the current day, week and month exists (one query
    when it does)."""
    from yiwang.core.models import Timer

    today = today or timezone.localdate()
    current = {k: rules.bulletin_period(k, today) for k in KINDS}
    pending = set(Timer.objects.filter(kind=TIMER_BULLETIN, key__in=KINDS,
                                       due_at__in=[edition_due(p) for p in current.values()])
                  .values_list("key", "due_at"))
    for kind, period in current.items():
        if (kind, edition_due(period)) not in pending:
            _schedule(period)


def editions_visible(codes: list[str], *, kind: str = "", limit: int = 30):
    """The editions of the viewer's regions, newest first."""
    qs = BulletinEdition.objects.filter(region_id__in=codes).defer("pdf", "xlsx").select_related("region")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("-start", "kind", "region_id")[:limit])


def last_periods(today: date) -> list[rules.Period]:
    """The day, week and month that ended last before `today` (the demo issues these)."""
    return [rules.bulletin_period(k, rules.bulletin_period(k, today).start - timedelta(days=1)) for k in KINDS]
