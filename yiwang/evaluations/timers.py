"""Timer handlers: the no-rating default and rectification deadlines."""

from yiwang.core.models import Timer
from yiwang.core.timers import timer_handler

from . import services
from .models import Evaluation


@timer_handler(services.TIMER_DEFAULT)
def on_default_due(timer: Timer) -> None:
    ev = Evaluation.objects.filter(pk=int(timer.key)).first()
    if ev is not None:
        services.evaluation_default(evaluation=ev, now=timer.due_at)


@timer_handler(services.TIMER_CONTACT)
def on_contact_due(timer: Timer) -> None:
    services.rectification_flag_overdue(rectification_id=int(timer.key), what="contact")


@timer_handler(services.TIMER_FIX)
def on_fix_due(timer: Timer) -> None:
    services.rectification_flag_overdue(rectification_id=int(timer.key), what="fix")
