"""What a cluster or soak run counts, as pure functions of the rows it read back (no database here).

The client's ledger says what it was told (a 201 for a submission with its reference, a 200 for an
action); the database says what happened (cases with the reference they carry, each case's
history, the timers' effects, the outbox); the notification gateway stand-in says what reached it.
`tally` puts them side by side. Every function takes plain tuples and dicts, so that
tests/bench/test_cluster_counting.py can pin each rule with a table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The actions a lifecycle does once per case; one of them twice in a history is a duplicated event.
# "licence_issued" stands for a licence row of the case (the approval's after-commit reaction).
ONCE_PER_CASE = frozenset({"submit", "accept", "review", "approve", "deliver", "flag_delivery_overdue",
                           "licence_issued"})
# The timer the harness brings forward after approval; its effect is this event in the case's history.
TIMER_EVENT = "flag_delivery_overdue"


def lost_submissions(acked: Mapping[str, str], cases_by_ref: Mapping[str, list[str]]) -> list[str]:
    """References the client was given a case number for (201) that no case carries."""
    return sorted(ref for ref in acked if not cases_by_ref.get(ref))


def duplicate_submissions(cases_by_ref: Mapping[str, list[str]]) -> list[str]:
    """References carried by more than one case (one request saved twice)."""
    return sorted(ref for ref, numbers in cases_by_ref.items() if len(numbers) > 1)


def lost_transitions(acked: Iterable[tuple[str, str]], history: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """(case, action) pairs answered 200 whose action is not in the case's history."""
    return sorted({(number, action) for number, action in acked if action not in history.get(number, [])})


def duplicated_events(history: Mapping[str, list[str]], once: frozenset[str] = ONCE_PER_CASE) -> list[tuple[str, str]]:
    """(case, action) where an action that happens once per case is in the history more than once."""
    out = []
    for number, actions in history.items():
        counts = Counter(a for a in actions if a in once)
        out.extend((number, a) for a, n in counts.items() if n > 1)
    return sorted(out)


def timers_fired_twice(effects: Mapping[str, int]) -> list[str]:
    """Timer keys whose effect (an event, a defaulted rating) was written more than once."""
    return sorted(key for key, n in effects.items() if n > 1)


def timers_missed(expected: Iterable[str], effects: Mapping[str, int]) -> list[str]:
    """Timer keys brought forward (so due during the run) whose effect is not there at the end."""
    return sorted(key for key in set(expected) if effects.get(key, 0) == 0)


def repeated_ids(ids: Iterable[int]) -> list[int]:
    """Ids that occur more than once (an outbox message handed to the sender twice)."""
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def undelivered(sent: Iterable[int], delivered: Iterable[int]) -> list[int]:
    """Outbox rows marked sent that never reached the recipient."""
    return sorted(set(sent) - set(delivered))


def message_identity(topic: str, payload: Mapping) -> tuple | None:
    """What makes two outbox messages the same message for its recipient: a case notice is one per
    (action, case) in a lifecycle, a rating's one per (action, rating, round), a reaction one per
    (reaction, subject, event). Other topics have no identity the harness can check (None)."""
    if topic.startswith("case.") and payload.get("number"):
        return (topic, payload["number"])
    if topic.startswith("evaluation.") and payload.get("evaluation") is not None:
        return (topic, payload["evaluation"], payload.get("round"))
    if topic == "workflow.reaction" and payload.get("key"):
        return (topic, payload.get("reaction"), payload["key"], payload.get("seq"))
    return None


def duplicated_messages(rows: Iterable[tuple[int, str, Mapping]]) -> list[tuple]:
    """Identities written as more than one outbox row or delivered more than once ((id, topic, payload) rows)."""
    seen = Counter(ident for _, topic, payload in rows if (ident := message_identity(topic, payload)) is not None)
    return sorted((k for k, n in seen.items() if n > 1), key=repr)


@dataclass
class Tally:
    accepted: int = 0
    in_doubt: int = 0  # submissions whose answer was lost (the server died): not acknowledged
    in_doubt_saved: int = 0
    lost_submissions: list = field(default_factory=list)
    lost_transitions: list = field(default_factory=list)
    lost_messages: list = field(default_factory=list)  # marked sent, never reached the recipient
    duplicated_submissions: list = field(default_factory=list)
    duplicated_events: list = field(default_factory=list)
    timers_brought_forward: int = 0
    timers_fired: int = 0
    timers_fired_twice: list = field(default_factory=list)
    timers_missed: list = field(default_factory=list)
    outbox_pending: int = 0
    outbox_rows_duplicated: list = field(default_factory=list)
    resent_same_id: list = field(default_factory=list)  # at-least-once: a kill between send and commit
    delivered_twice: list = field(default_factory=list)

    @property
    def lost(self) -> int:
        return len(self.lost_submissions) + len(self.lost_transitions) + len(self.lost_messages)

    def failures(self) -> dict[str, int]:
        """Every count that must be 0 and is not."""
        must_be_zero = {
            "lost": self.lost, "duplicated submissions": len(self.duplicated_submissions),
            "duplicated events": len(self.duplicated_events), "timers fired twice": len(self.timers_fired_twice),
            "timers missed": len(self.timers_missed), "outbox pending": self.outbox_pending,
            "outbox rows duplicated": len(self.outbox_rows_duplicated),
            "messages delivered twice": len(self.delivered_twice),
        }
        return {k: v for k, v in must_be_zero.items() if v}


def tally(*, acked_submissions: Mapping[str, str], in_doubt: Iterable[str], cases_by_ref: Mapping[str, list[str]],
          acked_transitions: Iterable[tuple[str, str]], history: Mapping[str, list[str]],
          timer_keys: Iterable[str], timer_effects: Mapping[str, int], outbox_rows: Iterable[tuple[int, str, Mapping]],
          outbox_pending: int, marked_sent: Iterable[int], sent_ids: Iterable[int],
          delivered: Iterable[tuple[int, str, Mapping]]) -> Tally:
    """Everything a run prints, from the ledger (acked_*, in_doubt, timer_keys) and what was read back."""
    doubt = set(in_doubt)
    timer_keys = set(timer_keys)
    delivered = list(delivered)
    return Tally(
        accepted=len(acked_submissions), in_doubt=len(doubt),
        in_doubt_saved=sum(1 for ref in doubt if cases_by_ref.get(ref)),
        lost_submissions=lost_submissions(acked_submissions, cases_by_ref),
        lost_transitions=lost_transitions(acked_transitions, history),
        lost_messages=undelivered(marked_sent, (i for i, _, _ in delivered)),
        duplicated_submissions=duplicate_submissions(cases_by_ref),
        duplicated_events=duplicated_events(history),
        timers_brought_forward=len(timer_keys),
        timers_fired=sum(1 for k in timer_keys if timer_effects.get(k)),
        timers_fired_twice=timers_fired_twice(timer_effects),
        timers_missed=timers_missed(timer_keys, timer_effects),
        outbox_pending=outbox_pending,
        outbox_rows_duplicated=duplicated_messages(outbox_rows),
        resent_same_id=repeated_ids(sent_ids),
        delivered_twice=duplicated_messages(delivered),
    )
