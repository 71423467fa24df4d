"""Timers of supervision: a result not published in 20 working days, a task not claimed or not
reported in time — each marks the record overdue as of its due time."""

from yiwang.core.workflow.timers import timer_action

from .workflow import INSPECTION, PUBLISH_TIMER, REPAIR, REPAIR_TIMER, TASK, TASK_TIMER

timer_action(INSPECTION, PUBLISH_TIMER, "flag_publish_overdue")
timer_action(TASK, TASK_TIMER, "flag_overdue")
timer_action(REPAIR, REPAIR_TIMER, "flag_overdue")
