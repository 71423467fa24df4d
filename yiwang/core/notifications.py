"""Sending notifications (SMS, site messages) read from the outbox.

SMS and provincial message platforms are outside the system: a sender is an object with
`send(message: OutboxMessage) -> None` that raises to leave the message pending for a retry.
The setting YIWANG_NOTIFICATION_SENDER names its class (dotted path); the default LogSender writes
the text to the "yiwang.notifications" log, which is all a demo or a test needs.

The relay is at least once: a worker killed after a gateway accepted a message but before its "sent"
mark committed leaves it pending, and the next tick sends it again. A sender therefore hands the
gateway `idempotency_key(message)` (SMS platforms take a client message id) so that the recipient
gets it once; `make cluster` / `make soak` count both the repeats and what reached the recipient.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("yiwang.notifications")


class NotificationSender(Protocol):
    def send(self, message) -> None: ...


def idempotency_key(message) -> str:
    """The same for every attempt at one outbox row, different for every row."""
    return f"yiwang-outbox-{message.pk}"


class LogSender:
    """The local sender: logs each message (topic, recipient, text)."""

    def send(self, message) -> None:
        payload = message.payload or {}
        to = payload.get("to") or {}
        log.info("[%s %s] → %s %s：%s", message.topic, idempotency_key(message), to.get("name", ""),
                 to.get("phone", ""), payload.get("text", ""))


def get_sender() -> NotificationSender:
    path = getattr(settings, "YIWANG_NOTIFICATION_SENDER", "yiwang.core.notifications.LogSender")
    return import_string(path)()
