"""The ledger's timers: the engine applies the reminder and the overdue mark as the system."""

from yiwang.core.workflow.timers import timer_action

from .workflow import TIMER_OVERDUE, TIMER_REMIND, WORKFLOW

timer_action(WORKFLOW, TIMER_REMIND, "remind")
timer_action(WORKFLOW, TIMER_OVERDUE, "mark_overdue")
