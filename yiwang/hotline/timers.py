from yiwang.core.models import Timer
from yiwang.core.timers import timer_handler

from . import services


@timer_handler(services.TIMER_NEAR)
def on_near_due(timer: Timer) -> None:
    services.request_flag(request_id=int(timer.key), what="near")


@timer_handler(services.TIMER_OVERDUE)
def on_overdue(timer: Timer) -> None:
    services.request_flag(request_id=int(timer.key), what="overdue")


@timer_handler(services.TIMER_SIGN)
def on_sign_due(timer: Timer) -> None:
    services.request_flag_sign_overdue(request_id=int(timer.key))
