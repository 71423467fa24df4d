"""Reactions: functions other modules register by name, run where a workflow declares them.

In the transaction: `run(name, ctx=, event=)`. After commit: the engine writes an outbox row (topic
`workflow.reaction`); the relay calls `deliver(payload)` in a savepoint of the transaction that
marks the row sent, so the reaction's writes and the mark commit together — once, even across a
crash between commit and relay.
"""

from __future__ import annotations

from collections.abc import Callable

_registry: dict[str, Callable] = {}


def reaction(name: str):
    """Register `fn(*, ctx, event)` (in-transaction) or `fn(*, payload)` (after commit) under `name`."""

    def register(fn: Callable) -> Callable:
        _registry[name] = fn
        return fn

    return register


def registered(name: str) -> bool:
    return name in _registry


def run(name: str, **kwargs) -> None:
    fn = _registry.get(name)
    if fn is None:
        raise LookupError(f"reaction {name} is declared but not registered")
    fn(**kwargs)


def deliver(payload: dict) -> None:
    run(payload["reaction"], payload=payload)
