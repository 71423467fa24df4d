"""The security audit log (等保 2.0 level 3 安全审计): record, seal into an SM3 chain, verify.

`audit_record` appends a row (no lock: a detail page must not queue behind the log); `audit_seal`
chains unsealed rows in id order — each row's hash is SM3(previous hash ‖ the row's canonical
content) — run by the worker every tick and by `yiwang audit_seal`; `audit_verify` recomputes the
chain and names the first row that does not match (edited, deleted or inserted out of order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEntry

GENESIS = "0" * 64


def _sm3(data: bytes) -> str:
    from gmalg import SM3

    h = SM3()
    h.update(data)
    return h.value().hex()


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:64] if request is not None else ""


def audit_record(*, action: str, request=None, actor=None, username: str = "", object_type: str = "",
                 object_id: str = "", detail: dict | None = None, at: datetime | None = None) -> AuditEntry:
    """Append one row. The actor defaults to the request's user (anonymous: none)."""
    if actor is None and request is not None and getattr(request.user, "is_authenticated", False):
        actor = request.user
    return AuditEntry.objects.create(
        at=at or timezone.now(), action=action, actor=actor if getattr(actor, "pk", None) else None,
        username=(username or getattr(actor, "username", "") or "")[:150], address=client_address(request),
        object_type=object_type[:32], object_id=str(object_id)[:128], detail=detail or {},
    )


def entry_content(e: AuditEntry) -> bytes:
    """What the hash covers: every column but the hashes, in a canonical form."""
    return json.dumps({
        "id": e.pk, "at": e.at.isoformat(), "action": e.action, "actor": e.actor_id, "username": e.username,
        "address": e.address, "object_type": e.object_type, "object_id": e.object_id, "detail": e.detail,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(prev: str, e: AuditEntry) -> str:
    return _sm3(prev.encode() + b"|" + entry_content(e))


def audit_seal(*, limit: int = 5000) -> int:
    """Chain the unsealed rows, oldest id first, after the chain's last row; one sealer at a time
    (a PostgreSQL advisory lock; SQLite serialises writers anyway)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(74231)")
                if not cursor.fetchone()[0]:
                    return 0  # another worker is sealing
        last = (AuditEntry.objects.filter(chain_seq__isnull=False).order_by("-chain_seq")
                .values_list("chain_seq", "hash").first())
        seq, prev = last if last else (0, GENESIS)
        rows = list(AuditEntry.objects.filter(chain_seq__isnull=True).order_by("id")[:limit])
        for e in rows:
            seq += 1
            e.chain_seq, e.prev_hash, e.hash = seq, prev, entry_hash(prev, e)
            prev = e.hash
        AuditEntry.objects.bulk_update(rows, ["chain_seq", "prev_hash", "hash"], batch_size=1000)
        return len(rows)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_at: int | None = None  # the id of the first row that does not match
    unsealed: int = 0

    @property
    def message(self) -> str:
        if self.ok:
            return f"审计链完整：已校验 {self.checked} 条" + (f"，{self.unsealed} 条待封存" if self.unsealed else "")
        return f"审计链在第 {self.broken_at} 号记录处断开：该记录或其前一条被修改、删除或插入"


def audit_verify() -> ChainCheck:
    prev, checked = GENESIS, 0
    for e in AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq").iterator(chunk_size=2000):
        if e.chain_seq != checked + 1 or e.prev_hash != prev or entry_hash(prev, e) != e.hash:
            return ChainCheck(False, checked, e.pk)
        prev, checked = e.hash, checked + 1
    unsealed = AuditEntry.objects.filter(chain_seq__isnull=True).count()
    return ChainCheck(True, checked, unsealed=unsealed)


def audit_read(request, *, object_type: str, object_id: str, subject_user_id: int | None = None,
               detail: dict | None = None) -> None:
    """A read of personal data by someone other than the person it is about (an applicant reading
    their own case is not recorded): one appended row, no lock."""
    from .models import AuditAction

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or (subject_user_id is not None and user.pk == subject_user_id):
        return
    action = {"case": AuditAction.READ_CASE, "licence": AuditAction.READ_LICENCE,
              "material": AuditAction.READ_MATERIAL, "request": AuditAction.READ_REQUESTER}[object_type]
    audit_record(action=action, request=request, object_type=object_type, object_id=object_id,
                 detail={**(detail or {}), "via": "token" if getattr(request, "via_token", False) else "session"})
