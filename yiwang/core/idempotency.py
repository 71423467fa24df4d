"""Idempotency-Key for creating requests (the IETF httpapi draft's header, as payment APIs use it).

A client that lost the answer to a POST (its connection dropped, a web server was killed) sends the same
request with the same key again and gets the first answer, marked `Idempotent-Replayed: true`, instead of
a second record. The key row is inserted before the work and in the same transaction, so a concurrent
duplicate waits on the unique index and then replays; a refusal (4xx) rolls the key back with the work,
so the corrected request may use the key again. The same key with a different body is refused (422).
Keys count for 24 hours.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import DomainError
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")  # visible ASCII: UUIDs, ULIDs, the client's own request ids

OPENAPI_PARAMETER = {
    "name": HEADER, "in": "header", "required": False,
    "description": "幂等键：同一请求重试时带上同一个键，返回首次的结果而不重复创建（24 小时内有效）",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[\\x21-\\x7e]{1,64}$"},
}


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


def _fingerprint(body: dict) -> str:
    data = json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(data.encode()).hexdigest()


def key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.match(key):
        raise DomainError("幂等键（Idempotency-Key）应为 1–64 个可见 ASCII 字符", field=HEADER)
    return key


def replay_or_run(request, *, user, scope: str, body: dict, run: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """run() -> (status, response dict), once per (user, scope, key); a retry gets the stored answer."""
    key = key_of(request)
    if key is None:
        return run()
    fingerprint = _fingerprint(body)
    now = timezone.now()
    with transaction.atomic():
        IdempotencyKey.objects.filter(user=user, scope=scope, key=key, created_at__lt=now - TTL).delete()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(user=user, scope=scope, key=key, fingerprint=fingerprint,
                                                    created_at=now)
        except IntegrityError:  # the first request committed it (a concurrent one waited for it): replay
            first = IdempotencyKey.objects.get(user=user, scope=scope, key=key)
            if first.fingerprint != fingerprint:
                raise KeyReused("此幂等键（Idempotency-Key）已用于另一个不同的请求，请换一个键", field=HEADER) from None
            request.idempotent_replayed = True
            return first.status, first.response
        status, response = run()
        row.status = status
        row.response = json.loads(json.dumps(response, cls=DjangoJSONEncoder))
        row.save(update_fields=["status", "response"])
        return status, response
