"""Licences' reactions to the case workflow (declared in yiwang/cases/workflow.py).

An approval's licence is issued after the approval commits, from the outbox, in two steps:
`licences.issue_for_case` reserves its 顺序号 in a short transaction of its own and queues
`licences.sign_for_case`, which makes the licence, signs it with the deciding unit's seal (SM2) and
records its verification; its "issued" event then fires the licence workflow's reactions (a
bundle's members waiting for it start, fed its identifier). Each step commits with the relay's mark
of its outbox row: once, across a crash. A failed post-check revokes the case's licences in the
post-check's own transaction."""

from datetime import datetime

from yiwang.core.workflow import workflow_named
from yiwang.core.workflow.reactions import reaction

from .services import (
    SIGN_REACTION,
    licence_issue_for_case,
    licence_revoke_for_case,
    licence_serial_reserve_for_case,
)

# The case's result still stands (not revoked meanwhile): only then is its licence issued.
RESULT_STANDS = frozenset({"approved", "delivered", "closed"})


def _case(payload: dict):
    return workflow_named(payload.get("workflow") or "case").load(payload["key"])


@reaction("licences.issue_for_case")
def issue_for_case(*, payload):
    case = _case(payload)
    if case.status in RESULT_STANDS:
        licence_serial_reserve_for_case(case, at=payload.get("at") or "")


@reaction(SIGN_REACTION)
def sign_for_case(*, payload):
    case = _case(payload)
    if case.status in RESULT_STANDS:
        at = datetime.fromisoformat(payload["at"]) if payload.get("at") else None
        licence_issue_for_case(case, reserved=(payload["issuer_code"], payload["serial"]), now=at)


@reaction("licences.revoke_for_case")
def revoke_for_case(*, ctx, event):
    return licence_revoke_for_case(ctx.subject, event.reason or "告知承诺事后核查未通过")
