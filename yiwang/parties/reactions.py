"""Parties' reaction to the case workflow (declared in yiwang/cases/workflow.py, in its transaction,
before the licence is issued): an approved registration (an item whose result creates a party,
企业设立登记) creates the new enterprise, which then holds the licence."""

from yiwang.core.workflow.reactions import reaction

from .services import party_register_for_case


@reaction("parties.register_for_case")
def register_for_case(*, ctx, event):
    return party_register_for_case(case=ctx.subject)
