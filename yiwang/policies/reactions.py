"""Policies' reactions, declared on the case workflow (yiwang/cases/workflow.py) and on the grant
workflow, after commit (from the outbox): nothing in them is needed in the deciding transaction."""

from yiwang.core.workflow.reactions import reaction

from . import services


@reaction("policies.case_approved")
def case_approved(*, payload: dict) -> None:
    """An approved case counts in its applicant's 一企一档 (办结办件数); an approved application of a
    policy's item enters the redemption at 待拨付."""
    from yiwang.cases.models import Case

    party_id = Case.objects.filter(number=payload["key"]).values_list("applicant_id", flat=True).first()
    if party_id is not None:
        services.profile_cases_refresh(party_id=party_id)
    services.grant_for_case(case_number=payload["key"])


@reaction("policies.invite_rating")
def invite_rating(*, payload: dict) -> None:
    """好差评 on a redemption like any service: after payment the enterprise is invited to rate it,
    attributed to the issuing unit."""
    from yiwang.evaluations.services import evaluation_invite_grant

    evaluation_invite_grant(grant_number=payload["key"])
