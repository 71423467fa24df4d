"""The case engine's hooks, for child cases of bundle cases. Both run inside the child's
transaction: the bundle case's events and the next members' child cases commit with the decision
(a member that cannot start is recorded on the bundle case in a savepoint and does not undo the
decision, see services.bundle_case_advance)."""

from yiwang.cases.models import CaseStatus

from . import services

FAILED_BY_TRANSITION = (CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED)


def on_case_decided(sender, case, decision, **kwargs):
    """Approved: record it (with the licence issued) and start the members now ready.
    Denied: the bundle case stops the members that wait for it and tells the applicant."""
    services.member_case_decided(case=case, now=case.decided_at)


def on_case_transitioned(sender, case, event, **kwargs):
    """Refused, withdrawn or revoked child cases fail their member as a denial does."""
    if event.to_status in FAILED_BY_TRANSITION and event.from_status != event.to_status:
        services.member_case_decided(case=case, now=event.at)
