"""The bundle case's reactions to its child cases (declared on the case workflow, run in the child's
transaction): a member decided, refused, withdrawn or revoked is recorded on the bundle case, and the
members now ready start (their child cases commit with the decision; a member that cannot start is
recorded in a savepoint and does not undo it, see services.bundle_case_advance); a member's delivery
is recorded and may complete the bundle case. A member whose result is a licence is done when the
licence is issued (declared on the licence workflow, run in the worker's transaction that issues
it): the members it feeds start then, fed its identifier."""

from yiwang.core.workflow.reactions import reaction

from . import services


@reaction("bundlecases.member_decided")
def member_decided(*, ctx, event):
    services.member_case_decided(case=ctx.subject, now=event.at)


@reaction("bundlecases.member_delivered")
def member_delivered(*, ctx, event):
    services.member_case_delivered(case=ctx.subject, method=event.data.get("method", ""), now=event.at)


@reaction("bundlecases.licence_issued")
def licence_issued(*, ctx, event):
    services.member_licence_issued(licence=ctx.subject, now=event.at)
