"""Timer handlers and the calendar listener. Imported by CasesConfig.ready().

A handler runs inside the transaction that marks its timer fired. It does nothing when the case
has moved on (a guard or state refusal is the normal "too late" answer, not an error), so a timer
that fires after the case was decided, resumed or withdrawn leaves it alone.
"""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from yiwang.core.errors import DomainError
from yiwang.core.timers import timer_handler, timer_schedule
from yiwang.workcalendar.signals import calendar_changed

from . import clock, services
from .models import Case

log = logging.getLogger(__name__)


def _try(number: str, action: str, *, timer, **kw) -> bool:
    """Apply a system action in a savepoint; a refusal (the case moved on) is logged, not raised."""
    try:
        with transaction.atomic():
            # The system acts as of the moment the limit passed, even if the worker was down then.
            services.case_act(case=number, actor=None, action=action, now=timer.due_at, **kw)
        return True
    except DomainError as exc:
        log.info("timer %s on %s did nothing: %s", action, number, exc.message)
        return False


@timer_handler(services.TIMER_DEEMED_ACCEPTANCE)
def on_deemed_acceptance(timer) -> None:
    case = Case.objects.filter(number=timer.key).only("status", "received_on").first()
    if case is None or case.status != "submitted":
        return
    # Only if the 5 working days after the current receipt are over (a resubmission restarts them).
    if timezone.localdate(timer.due_at) <= clock.deemed_acceptance_day(case.received_on):
        return
    _try(timer.key, "deemed_accept", timer=timer)


@timer_handler(services.TIMER_DEEMED_APPROVAL)
def on_deemed_approval(timer) -> None:
    case = Case.objects.filter(number=timer.key).only("status", "deadline", "paused").first()
    if case is None or case.deadline is None or case.paused or timezone.localdate(timer.due_at) <= case.deadline:
        return
    _try(timer.key, "deemed_approve", timer=timer)


@timer_handler(services.TIMER_DEEMED_CONSENT)
def on_deemed_consent(timer) -> None:
    _try(timer.key, "deemed_consent", timer=timer)


@timer_handler(services.TIMER_SUPPLY_LIMIT)
def on_supply_limit(timer) -> None:
    _try(timer.key, "flag_supply_overdue", timer=timer)


@timer_handler(services.TIMER_DELIVERY_LIMIT)
def on_delivery_limit(timer) -> None:
    _try(timer.key, "flag_delivery_overdue", timer=timer)


@timer_handler(services.TIMER_POST_CHECK)
def on_post_check(timer) -> None:
    _try(timer.key, "flag_post_check_due", timer=timer)


@timer_handler(services.TIMER_DUE_SWEEP)
def on_due_sweep(timer) -> None:
    """Daily: near-due and overdue flags for every running case; then schedule tomorrow's sweep."""
    today = max(timezone.localdate(), timezone.localdate(timer.due_at))
    services.cases_due_sweep(today=today)
    due_sweep_ensure(today=today)


def due_sweep_ensure(*, today: date | None = None) -> None:
    """There is always one pending sweep: just after midnight of the next day."""
    today = today or timezone.localdate()
    timer_schedule(kind=services.TIMER_DUE_SWEEP, key="daily",
                   due_at=clock.midnight_after(today) + timedelta(minutes=1))


@receiver(calendar_changed, dispatch_uid="cases.calendar_changed")
def on_calendar_changed(sender, since: date, **kwargs) -> None:
    """A holiday added or moved: recompute running deadlines in the background (a django task)."""
    from .tasks import recompute_deadlines

    recompute_deadlines.enqueue(since=since.isoformat())
