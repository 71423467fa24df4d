"""The expiry timer: the day after valid_until the system expires the authorisation."""

from yiwang.core.workflow.timers import timer_action

from .workflow import TIMER_EXPIRY, WORKFLOW

timer_action(WORKFLOW, TIMER_EXPIRY, "expire")
