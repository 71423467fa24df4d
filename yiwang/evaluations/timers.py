"""Timer handlers: the no-rating default, and the rectification limits (workflow actions the system
carries out as of the timer's due time, so the overdue event carries that time)."""

from yiwang.core.models import Timer
from yiwang.core.timers import timer_handler
from yiwang.core.workflow.timers import timer_action

from . import services
from .models import Evaluation
from .workflow import RECTIFICATION, TIMER_CONTACT, TIMER_FIX


@timer_handler(services.TIMER_DEFAULT)
def on_default_due(timer: Timer) -> None:
    ev = Evaluation.objects.filter(pk=int(timer.key)).first()
    if ev is not None:
        services.evaluation_default(evaluation=ev, now=timer.due_at)


timer_action(RECTIFICATION, TIMER_CONTACT, "contact_overdue")
timer_action(RECTIFICATION, TIMER_FIX, "fix_overdue")
