"""Timer kinds of the grant workflow and of the guide deadline, and their deadline holders (a calendar change moves deadlines)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from yiwang.core.timers import timer_handler
from yiwang.core.workflow import apply
from yiwang.core.workflow.deadlines import deadline_holder
from yiwang.core.workflow.timers import timer_action
from yiwang.workcalendar.index import add_working_days

from .models import Grant, Policy
from .workflow import GRANT_WORKFLOW, WAITING

timer_action(GRANT_WORKFLOW, "grant.confirm_expiry", "lapse")
timer_action(GRANT_WORKFLOW, "grant.notice_end", "end_notice")
timer_action(GRANT_WORKFLOW, "grant.overdue", "mark_overdue")


@deadline_holder("policies.grants")
def grants_recompute_deadlines(*, since: date, now: datetime) -> int:
    """Every waiting grant whose deadline reaches past `since` is recomputed from its start and
    days; a moved one gets a calendar_moved event (and its timer follows from the plan)."""
    moved = 0
    rows = (Grant.objects.filter(status__in=WAITING, deadline__gte=since, deadline_from__isnull=False,
                                 deadline_days__isnull=False)
            .values_list("number", "deadline_from", "deadline_days", "deadline", "deadline_provisional"))
    for number, start, days, deadline, provisional in rows.iterator():
        wd = add_working_days(start, days)
        if (wd.date, wd.provisional) == (deadline, provisional):
            continue
        with transaction.atomic():
            apply(GRANT_WORKFLOW, subject=number, action="calendar_moved", actor=None, now=now,
                  input={"deadline": wd.date, "provisional": wd.provisional})
        moved += 1
    return moved


@timer_handler("policy.guide_overdue")
def guide_overdue(timer) -> None:
    """The 7 working days after publication ended without the handbook and guide: marked overdue."""
    from .services import policy_guide_overdue_mark

    policy_guide_overdue_mark(code=timer.key)


@deadline_holder("policies.guides")
def guides_recompute_deadlines(*, since: date, now: datetime) -> int:
    """A calendar change moves the guide deadline of every published policy still without its guide."""
    from .services import policy_guide_deadline_set

    moved = 0
    for policy in Policy.objects.filter(guide_published_on__isnull=True, guide_due_on__gte=since,
                                        published_on__isnull=False):
        if policy_guide_deadline_set(policy=policy):
            moved += 1
    return moved
