"""Reads from a replica where they may be stale, never after a write.

Code that may read slightly old data (dashboards, reports, bulletins) wraps its reads in
`replica_reads()`. Inside it, reads go to the "replica" database when one is configured and nothing
has been written yet in this request or task; once anything is written, every later read stays on
the primary (a user must see what they just did). Migrations run on the primary only.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"

_reading = ContextVar("yiwang_replica_reads", default=False)
_wrote = ContextVar("yiwang_wrote", default=False)


@contextmanager
def replica_reads():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def request_started() -> None:
    """A new request or task: nothing written yet (called by the middleware and the worker)."""
    _wrote.set(False)


def read_alias() -> str:
    if _reading.get() and not _wrote.get() and REPLICA in settings.DATABASES:
        return REPLICA
    return "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class FreshRequestMiddleware:
    """Each request starts with "nothing written" for the router."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_started()
        return self.get_response(request)
