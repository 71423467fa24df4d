"""Timers: schedule a row, and the worker fires it once when due.

Apps register a handler per kind (`@timer_handler("case.deemed_acceptance")`) in a module their
AppConfig.ready() imports. A handler receives the Timer and must check that what it concerns has
not moved on (a case already accepted, say); it runs inside the transaction that marks the timer
fired, so its changes and the mark commit together.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Timer

log = logging.getLogger(__name__)

_handlers: dict[str, Callable[[Timer], None]] = {}


def timer_handler(kind: str):
    def register(fn: Callable[[Timer], None]):
        _handlers[kind] = fn
        return fn

    return register


def timer_schedule(*, kind: str, key: str, due_at: datetime, payload: dict | None = None) -> Timer:
    """Schedule (idempotently: the same kind, key and time make one timer)."""
    timer, _ = Timer.objects.get_or_create(kind=kind, key=key, due_at=due_at, defaults={"payload": payload or {}})
    return timer


def timer_cancel(*, kind: str, key: str) -> int:
    """Cancel every pending timer of this kind for this key (when its case moved on or its date moved)."""
    return Timer.objects.filter(kind=kind, key=key, fired_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )


def timer_reschedule(*, kind: str, key: str, due_at: datetime, payload: dict | None = None) -> Timer:
    """Cancel the pending timers of this kind and key, then schedule one at due_at (two statements)."""
    return timers_set(key=key, plan={kind: due_at}, payloads={kind: payload or {}})[0]


def timers_set(*, key: str, plan: dict[str, datetime | None], payloads: dict[str, dict] | None = None,
               fresh: bool = False) -> list[Timer]:
    """Bring the pending timers of one key in line with `plan` ({kind: due_at, or None to cancel}) in at
    most two statements: one UPDATE cancels the pending timers of those kinds that are not wanted, one
    INSERT ... ON CONFLICT (kind, key, due_at) DO UPDATE makes each wanted timer pending (a cancelled or
    fired twin at the same time is revived, as if deleted and created anew). `fresh` skips the UPDATE
    when the key is new in this transaction (nothing of it can be pending yet). Returns the wanted timers.
    """
    if not plan:
        return []
    wanted = {k: d for k, d in plan.items() if d is not None}
    if not fresh:
        stale = Timer.objects.filter(key=key, kind__in=list(plan), fired_at__isnull=True, cancelled_at__isnull=True)
        for k, d in wanted.items():
            stale = stale.exclude(kind=k, due_at=d)
        stale.update(cancelled_at=timezone.now())
    if not wanted:
        return []
    now = timezone.now()
    rows = [Timer(kind=k, key=key, due_at=d, payload=(payloads or {}).get(k) or {}, created_at=now) for k, d in
            wanted.items()]
    return Timer.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["kind", "key", "due_at"],
        update_fields=["payload", "created_at", "fired_at", "cancelled_at", "attempts", "last_error"],
    )


def timers_set_many(*, kind: str, due: dict[str, datetime]) -> int:
    """One kind of timer for many keys at once ({key: due_at}), in two statements per call: cancel
    the pending ones of those keys that are not at the wanted time, upsert the wanted ones."""
    if not due:
        return 0
    now = timezone.now()
    pending = Timer.objects.filter(kind=kind, key__in=list(due), fired_at__isnull=True, cancelled_at__isnull=True)
    stale = [pk for pk, key, at in pending.values_list("id", "key", "due_at") if due.get(key) != at]
    if stale:
        Timer.objects.filter(pk__in=stale).update(cancelled_at=now)
    Timer.objects.bulk_create(
        [Timer(kind=kind, key=k, due_at=d, payload={}, created_at=now) for k, d in due.items()],
        update_conflicts=True, unique_fields=["kind", "key", "due_at"],
        update_fields=["payload", "created_at", "fired_at", "cancelled_at", "attempts", "last_error"],
    )
    return len(due)


def timers_fire_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Fire every due timer once. Returns how many fired. Safe to run in several workers at once."""
    now = now or timezone.now()
    ids = list(
        Timer.objects.filter(fired_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    fired = 0
    for timer_id in ids:
        try:
            with transaction.atomic():
                qs = Timer.objects.filter(pk=timer_id, fired_at__isnull=True, cancelled_at__isnull=True)
                if connection.features.has_select_for_update_skip_locked:
                    qs = qs.select_for_update(skip_locked=True)
                timer = qs.first()
                if timer is None:  # another worker has it, or it was cancelled meanwhile
                    continue
                handler = _handlers.get(timer.kind)
                if handler is None:
                    raise LookupError(f"no handler for timer kind {timer.kind}")
                handler(timer)
                timer.fired_at = timezone.now()
                timer.attempts += 1
                timer.save(update_fields=["fired_at", "attempts"])
                fired += 1
        except Exception as exc:  # noqa: BLE001 - a failing handler must not stop the others
            log.exception("timer %s failed", timer_id)
            Timer.objects.filter(pk=timer_id).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
    return fired

