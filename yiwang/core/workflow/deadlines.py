"""Deadline holders: every record with a working-day deadline registers here, so that a calendar
change (a holiday moved, a new year loaded) recomputes all of them — not only the cases'.

A holder is `fn(*, since: date, now: datetime) -> int` (how many records it moved); each move is an
event of its workflow saying why, and clears the provisional flag when the year became official.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from django.utils import timezone

log = logging.getLogger(__name__)

_holders: dict[str, Callable[..., int]] = {}


def deadline_holder(name: str):
    def register(fn: Callable[..., int]) -> Callable[..., int]:
        _holders[name] = fn
        return fn

    return register


def holders() -> list[str]:
    return sorted(_holders)


def recompute_all(*, since: date, now: datetime | None = None) -> dict[str, int]:
    """Recompute every registered holder; returns {holder: moved}."""
    now = now or timezone.now()
    moved = {}
    for name in sorted(_holders):
        moved[name] = _holders[name](since=since, now=now)
        log.info("calendar recompute %s: %d moved", name, moved[name])
    return moved
