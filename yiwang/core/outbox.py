"""Writing to and relaying the outbox."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage


def outbox_put(*, topic: str, payload: dict) -> OutboxMessage:
    """Record a message; call inside the transaction of the change it reports."""
    return OutboxMessage.objects.create(topic=topic, payload=payload)


def _deliver(message: OutboxMessage, send: Callable[[OutboxMessage], None]) -> None:
    """A workflow's after-commit reaction runs here, in a savepoint of the transaction that marks the
    message sent: its writes and the mark commit together (once), or neither does (a retry)."""
    from yiwang.core.workflow import REACTION_TOPIC
    from yiwang.core.workflow.reactions import deliver

    if message.topic == REACTION_TOPIC:
        with transaction.atomic():
            deliver(message.payload)
        return
    send(message)


def outbox_relay(*, send: Callable[[OutboxMessage], None], limit: int = 100) -> int:
    """Send pending messages once each. A message whose send raised stays pending for the next run."""
    sent = 0
    ids = list(OutboxMessage.objects.filter(sent_at__isnull=True).order_by("id").values_list("id", flat=True)[:limit])
    for message_id in ids:
        with transaction.atomic():
            qs = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True)
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            message = qs.first()
            if message is None:
                continue
            try:
                _deliver(message, send)
            except Exception as exc:  # noqa: BLE001 - any failure of the outside world keeps it pending
                message.attempts += 1
                message.last_error = repr(exc)[:2000]
                message.save(update_fields=["attempts", "last_error"])
                continue
            message.sent_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent
