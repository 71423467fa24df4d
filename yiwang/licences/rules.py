"""The licence status workflow as data: (status, action) → new status. Anything else is refused."""

from .models import LicenceStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.VALID, "suspend"): S.SUSPENDED,
    (S.SUSPENDED, "reinstate"): S.VALID,
    (S.VALID, "revoke"): S.REVOKED,
    (S.SUSPENDED, "revoke"): S.REVOKED,
    (S.VALID, "cancel"): S.CANCELLED,
    (S.SUSPENDED, "cancel"): S.CANCELLED,
    (S.VALID, "expire"): S.EXPIRED,
    (S.SUSPENDED, "expire"): S.EXPIRED,
}

ACTION_LABELS = {"suspend": "暂扣", "reinstate": "恢复", "revoke": "撤销", "cancel": "注销", "expire": "失效"}


def next_status(status: str, action: str) -> str | None:
    """The status after action, or None when the action does not apply to the status."""
    return TRANSITIONS.get((status, action))
