"""Sending notifications (SMS, site messages) read from the outbox.

SMS and provincial message platforms are outside the system: a sender is an object with
`send(message: OutboxMessage) -> None` that raises to leave the message pending for a retry.
The setting YIWANG_NOTIFICATION_SENDER names its class (dotted path); the default LogSender writes
the text to the "yiwang.notifications" log, which is all a demo or a test needs.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("yiwang.notifications")


class NotificationSender(Protocol):
    def send(self, message) -> None: ...


class LogSender:
    """The local sender: logs each message (topic, recipient, text)."""

    def send(self, message) -> None:
        payload = message.payload or {}
        to = payload.get("to") or {}
        log.info("[%s] → %s %s：%s", message.topic, to.get("name", ""), to.get("phone", ""), payload.get("text", ""))


def get_sender() -> NotificationSender:
    path = getattr(settings, "YIWANG_NOTIFICATION_SENDER", "yiwang.core.notifications.LogSender")
    return import_string(path)()
