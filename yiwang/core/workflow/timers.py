"""Timers that carry out a workflow action: the system acts as of the timer's due time."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from yiwang.core.errors import DomainError
from yiwang.core.timers import timer_handler

from .engine import apply
from .spec import Workflow

log = logging.getLogger(__name__)


def timer_action(workflow: Workflow, kind: str, action: str, *,
                 when: Callable[[object], bool] | None = None, input: dict | None = None) -> None:
    """Register the handler of timer `kind`: apply `action` as the system, now = the timer's due time.

    `when(timer)` may say the timer is stale (the subject moved on); a refusal of the engine (the
    state has no such edge any more, a guard) is the normal "too late" answer: logged, not raised."""

    @timer_handler(kind)
    def handle(timer) -> None:
        if when is not None and not when(timer):
            return
        try:
            with transaction.atomic():
                apply(workflow, subject=timer.key, action=action, actor=None, input=input or {},
                      now=timer.due_at)
        except DomainError as exc:
            log.info("timer %s on %s did nothing: %s", action, timer.key, exc.message)

    handle.__name__ = f"on_{kind.replace('.', '_')}"
