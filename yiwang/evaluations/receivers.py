"""The case engine's hooks → rating slots (一事一评).

A case is complete, and its applicant is invited to rate it, when its result is delivered
(case_delivered) — or already when it is decided on acceptance for an instant item (即办件: the
result is handed over on the spot, and the later 送达 record adds nothing to rate). One slot per
case for the first round: a later hook for the same case opens nothing (re-rating rounds come only
from a rectification). A bundle's child cases are cases like any other: each is rated for the work of
its own deciding unit when it completes.

The invite is made on commit of the case's transaction: a rolled-back transition invites no one, and
a failure here never undoes the case's change.
"""

from __future__ import annotations

import logging

from django.db import transaction

from yiwang.cases.signals import case_decided, case_delivered

from . import services

log = logging.getLogger(__name__)


def _invite_later(case_number: str) -> None:
    def run():
        try:
            services.evaluation_invite_case(case_number=case_number)
        except Exception:  # noqa: BLE001 - the case is committed; log and let the next hook or a rerun retry
            log.exception("好差评：办件 %s 评价邀请失败", case_number)

    transaction.on_commit(run)


def on_case_delivered(sender, case, **kwargs) -> None:
    _invite_later(case.number)


def on_case_decided(sender, case, decision=None, **kwargs) -> None:
    if case.implementation.item.is_instant and not case.commitment:
        _invite_later(case.number)


def connect() -> None:
    case_delivered.connect(on_case_delivered, dispatch_uid="evaluations_case_delivered")
    case_decided.connect(on_case_decided, dispatch_uid="evaluations_case_decided")
