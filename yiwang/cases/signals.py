"""Hooks for other modules (licences, evaluations, bundles, supervision).

All are sent inside the transaction of the change: a receiver's writes commit with the case's, and
a receiver that raises undoes the transition. Use transaction.on_commit inside a receiver for work
that must only happen after the commit (a push to another system goes through the outbox instead).

- case_transitioned(case, event): every applied action, including the ones that keep the status.
- case_decided(case, decision): "approved" or "denied" (also deemed approvals and on-the-spot ones).
- case_delivered(case): the result was delivered.
- case_revoked(case, reason): a commitment approval failed its post-check.
- case_closed(case): the case is finished for good (post-check passed).
"""

from django.dispatch import Signal

case_transitioned = Signal()
case_decided = Signal()
case_delivered = Signal()
case_revoked = Signal()
case_closed = Signal()
