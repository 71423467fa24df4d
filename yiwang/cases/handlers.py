"""Timer handlers of the case workflow. Imported by CasesConfig.ready().

Each limit applies its system action through the engine (core.workflow.timers.timer_action): as of
the timer's due time, in a savepoint; a refusal (the case moved on) is the normal "too late" answer,
so a timer that fires after the case was decided, resumed or withdrawn leaves it alone. The
calendar listener is core.workflow's: a calendar change recomputes every deadline holder.
"""

from datetime import date, timedelta

from django.utils import timezone

from yiwang.core.timers import timer_handler, timer_schedule
from yiwang.core.workflow.timers import timer_action

from . import clock, services
from . import workflow as W
from .models import Case, CaseStatus


def _acceptance_period_over(timer) -> bool:
    """Only if the 5 working days after the current receipt are over (a resubmission restarts them)."""
    case = Case.objects.filter(number=timer.key).only("status", "received_on").first()
    if case is None or case.status != CaseStatus.SUBMITTED:
        return False
    return timezone.localdate(timer.due_at) > clock.deemed_acceptance_day(case.received_on)


def _deadline_passed(timer) -> bool:
    """The deadline the timer was set for still holds and has passed (not paused or moved since)."""
    case = Case.objects.filter(number=timer.key).only("status", "deadline", "paused").first()
    return not (case is None or case.deadline is None or case.paused
                or timezone.localdate(timer.due_at) <= case.deadline)


timer_action(W.WORKFLOW, W.TIMER_DEEMED_ACCEPTANCE, "deemed_accept", when=_acceptance_period_over)
timer_action(W.WORKFLOW, W.TIMER_DEEMED_APPROVAL, "deemed_approve", when=_deadline_passed)
timer_action(W.WORKFLOW, W.TIMER_DEEMED_CONSENT, "deemed_consent")
timer_action(W.WORKFLOW, W.TIMER_SUPPLY_LIMIT, "flag_supply_overdue")
timer_action(W.WORKFLOW, W.TIMER_DELIVERY_LIMIT, "flag_delivery_overdue")
timer_action(W.WORKFLOW, W.TIMER_POST_CHECK, "flag_post_check_due")


@timer_handler(W.TIMER_DUE_SWEEP)
def on_due_sweep(timer) -> None:
    """Daily: near-due and overdue flags for every running case; then schedule tomorrow's sweep."""
    today = max(timezone.localdate(), timezone.localdate(timer.due_at))
    services.cases_due_sweep(today=today)
    due_sweep_ensure(today=today)


def due_sweep_ensure(*, today: date | None = None) -> None:
    """There is always one pending sweep: just after midnight of the next day."""
    today = today or timezone.localdate()
    timer_schedule(kind=W.TIMER_DUE_SWEEP, key="daily",
                   due_at=clock.midnight_after(today) + timedelta(minutes=1))
