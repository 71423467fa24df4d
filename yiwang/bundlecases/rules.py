"""Bundle case rules as plain functions and data: labels, member states, progress.

A member's state is a function of its latest child case's status and of the states of the members
it waits for:

- done: its latest child was approved (approved, delivered, closed) and, when its item's result is a
  licence, that licence has been issued;
- issuing (证照生成中): its latest child was approved and its licence is still being issued (the
  worker issues and signs it after the approval's commit); not done yet for the members it feeds;
- failed: its latest child was denied, refused, withdrawn or revoked;
- running: its latest child is under way (submitted … paused);
- paused (已暂停): not started, and a member it waits for (directly or not) failed;
- ready: not started, every member it waits for is done (it starts at once while the bundle runs);
- waiting: not started, some member it waits for is not done yet.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from yiwang.catalogue.rules import transitive_waits

# --- names (the workflow itself is declared in workflow.py, on the engine)
SUBMITTED, ACCEPTED, RUNNING, COMPLETED, STOPPED, WITHDRAWN = (
    "submitted", "accepted", "running", "completed", "stopped", "withdrawn")
APPLICANT, CLERK, SYSTEM = "applicant", "clerk", "system"

# --- member states
DONE, FAILED, RUNNING_M, PAUSED, READY, WAITING = "done", "failed", "running", "paused", "ready", "waiting"
ISSUING = "issuing"
MEMBER_LABELS = {DONE: "已办结", FAILED: "未通过", RUNNING_M: "办理中", PAUSED: "已暂停", READY: "待开始",
                 WAITING: "等待前序事项", ISSUING: "证照生成中"}

# Not a case status: what `with_licences` puts in place of an approved child's status while its
# licence is being issued.
LICENCE_PENDING = "licence_pending"

CASE_DONE = frozenset({"approved", "delivered", "closed"})
# The result is in the applicant's hands: a bundle case is done only when every member's is (一次领取
# at the bundle window delivers them all at once). A member approved but not delivered is done for
# the members waiting for it (its licence feeds them), not for the bundle.
CASE_DELIVERED = frozenset({"delivered", "closed"})
CASE_TO_DELIVER = frozenset({"approved"})
CASE_FAILED = frozenset({"denied", "refused", "withdrawn", "revoked"})


def case_state(status: str | None) -> str | None:
    """The member state a child case's status gives (None: no child yet)."""
    if status is None:
        return None
    if status == LICENCE_PENDING:
        return ISSUING
    if status in CASE_DONE:
        return DONE
    if status in CASE_FAILED:
        return FAILED
    return RUNNING_M


def with_licences(latest_status: Mapping[Hashable, str | None], producing: Mapping[Hashable, str],
                  issued: Iterable[str]) -> dict[Hashable, str | None]:
    """latest_status with LICENCE_PENDING for each approved child (producing: member → its case
    number, for the members whose result is a licence) whose licence is not among `issued` yet."""
    issued = set(issued)
    out = dict(latest_status)
    for m, number in producing.items():
        if out.get(m) in CASE_DONE and number not in issued:
            out[m] = LICENCE_PENDING
    return out


def member_states(waits_for: Mapping[Hashable, Iterable[Hashable]],
                  latest_status: Mapping[Hashable, str | None]) -> dict[Hashable, str]:
    """Each member's state from its latest child's status (absent or None: not started)."""
    closure = transitive_waits(waits_for)
    states: dict[Hashable, str] = {}
    for m in waits_for:
        own = case_state(latest_status.get(m))
        if own is not None:
            states[m] = own
        elif any(case_state(latest_status.get(a)) == FAILED for a in closure[m]):
            states[m] = PAUSED
        elif all(case_state(latest_status.get(a)) == DONE for a in waits_for[m]):
            states[m] = READY
        else:
            states[m] = WAITING
    return states


def to_start(waits_for: Mapping[Hashable, Iterable[Hashable]], latest_status: Mapping[Hashable, str | None]) -> list:
    """Members to start now: not started and every member they wait for done (in the given order)."""
    states = member_states(waits_for, latest_status)
    return [m for m in waits_for if states[m] == READY]


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    current: list
    next: list
    failed: list
    paused: list
    delivered: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def all_done(self) -> bool:
        """Every member's result delivered (not merely decided)."""
        return self.total > 0 and self.delivered == self.total


def progress(waits_for: Mapping[Hashable, Iterable[Hashable]], latest_status: Mapping[Hashable, str | None]
             ) -> Progress:
    """Members done (decided and approved) and delivered out of total; the current ones (running); the next ones (waiting or ready, not
    blocked by a failure); the failed ones; the paused ones."""
    states = member_states(waits_for, latest_status)
    ms = list(waits_for)
    return Progress(
        done=sum(1 for m in ms if states[m] == DONE), total=len(ms),
        current=[m for m in ms if states[m] in (RUNNING_M, ISSUING)],
        next=[m for m in ms if states[m] in (READY, WAITING)],
        failed=[m for m in ms if states[m] == FAILED],
        paused=[m for m in ms if states[m] == PAUSED],
        delivered=sum(1 for m in ms if latest_status.get(m) in CASE_DELIVERED),
    )


def produced_inside(member: Hashable, waits_for: Mapping[Hashable, Iterable[Hashable]],
                    produces: Mapping[Hashable, str], materials: Iterable[str]) -> dict[str, Hashable]:
    """Which of a member's materials an earlier member (one it waits for, directly or not) produces:
    {material name: producing member}."""
    closure = transitive_waits(waits_for)[member]
    out = {}
    for name in materials:
        producer = next((p for p in waits_for if p in closure and produces.get(p) == name), None)
        if producer is not None:
            out[name] = producer
    return out
