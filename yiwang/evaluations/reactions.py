"""Evaluations' reaction to the case workflow → rating slots (一事一评), after commit.

A case is complete, and its applicant is invited to rate it, when its result is delivered — or
already when it is decided on acceptance for an instant item (即办件: the result is handed over on
the spot, and the later 送达 record adds nothing to rate). One slot per case for the first round:
a later reaction for the same case opens nothing (re-rating rounds come only from a rectification).

Declared after_commit: the engine writes an outbox row in the case's transaction and the relay runs
this once, in the transaction that marks the row sent — a rolled-back transition invites no one, a
crash between commit and relay loses nothing, and a second relay run does nothing.
"""

from yiwang.core.workflow.reactions import reaction

from . import services


@reaction("evaluations.invite_case")
def invite_case(*, payload: dict) -> None:
    number = payload["key"]
    if payload.get("action") == "decide_on_acceptance":
        from yiwang.cases.models import Case

        case = Case.objects.select_related("implementation__item").filter(number=number).first()
        if case is None or case.commitment or not case.implementation.item.is_instant:
            return  # a commitment approval is rated when its result is delivered
    services.evaluation_invite_case(case_number=number)


@reaction("evaluations.invite_bundle")
def invite_bundle(*, payload: dict) -> None:
    """A bundle case completed (every result delivered): one invitation for the whole 一件事."""
    services.evaluation_invite_bundle(bundle_case_number=payload["key"])
