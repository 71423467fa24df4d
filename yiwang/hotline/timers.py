"""The hotline's timers carry out workflow actions as the system, as of their due time."""

from yiwang.core.workflow.timers import timer_action

from .workflow import TIMER_NEAR, TIMER_OVERDUE, TIMER_SIGN, WORKFLOW

timer_action(WORKFLOW, TIMER_NEAR, "near_due")
timer_action(WORKFLOW, TIMER_OVERDUE, "overdue")
timer_action(WORKFLOW, TIMER_SIGN, "sign_overdue")
