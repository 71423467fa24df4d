"""Licences' reactions to the case workflow (declared in yiwang/cases/workflow.py, run in its
transaction, before the bundle case's): an approval issues the item's result licence under the
deciding unit's seal (in the name of case.in_name_of) — in the transaction, because a bundle's next
members are fed the licence's identifier as it starts them; a failed post-check revokes it. A
failure to issue undoes the decision, as it should (a result must be sealed)."""

from yiwang.core.workflow.reactions import reaction

from .services import licence_issue_for_case, licence_revoke_for_case


@reaction("licences.issue_for_case")
def issue_for_case(*, ctx, event):
    return licence_issue_for_case(ctx.subject)


@reaction("licences.revoke_for_case")
def revoke_for_case(*, ctx, event):
    return licence_revoke_for_case(ctx.subject, event.reason or "告知承诺事后核查未通过")
