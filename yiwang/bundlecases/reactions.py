"""The bundle case's reaction to its child cases (declared on the case workflow, run in the child's
transaction after the licence is issued): a member decided, refused, withdrawn or revoked is
recorded on the bundle case, and the members now ready start (their child cases commit with the
decision; a member that cannot start is recorded in a savepoint and does not undo it, see
services.bundle_case_advance)."""

from yiwang.core.workflow.reactions import reaction

from . import services


@reaction("bundlecases.member_decided")
def member_decided(*, ctx, event):
    services.member_case_decided(case=ctx.subject, now=event.at)
