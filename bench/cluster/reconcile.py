"""After the load: let the workers finish (outbox empty, the brought-forward timers fired), then read
back what the database and the gateway stand-in hold and count it (bench.cluster.counting)."""

from __future__ import annotations

import os
import time
from collections import defaultdict

from . import counting
from .sink import sink_rows

REACTION = "workflow.reaction"


def _rows(db, sql: str, *params) -> list[tuple]:
    return db.execute(sql, params or None).fetchall()


def _pending(db, since) -> tuple[int, int]:
    """(outbox rows not sent, deliveries of the run whose rating default has not fired)."""
    outbox = _rows(db, "SELECT count(*) FROM core_outboxmessage WHERE sent_at IS NULL")[0][0]
    ratings = _rows(db, "SELECT count(*) FROM core_timer WHERE kind = 'evaluation.default' AND fired_at IS NULL "
                        "AND cancelled_at IS NULL AND created_at >= %s", since)[0][0]
    return outbox, ratings


def settle(db, since, seconds: float, log) -> None:
    deadline = time.time() + seconds
    while True:
        outbox, ratings = _pending(db, since)
        if (outbox == 0 and ratings == 0) or time.time() > deadline:
            log(f"settled: {outbox} outbox rows pending, {ratings} rating defaults not fired")
            return
        time.sleep(1.0)


def _history(db, field: str, run_id: str) -> tuple[dict, dict]:
    """({ref: [case numbers]}, {case number: [actions in order]}) of the run's cases."""
    cases_by_ref: dict[str, list[str]] = defaultdict(list)
    for number, ref in _rows(db, "SELECT number, form->>%s FROM cases_case WHERE form->>%s LIKE %s",
                             field, field, run_id + "-%"):
        cases_by_ref[ref].append(number)
    history: dict[str, list[str]] = defaultdict(list)
    for number, action in _rows(db, "SELECT c.number, e.action FROM cases_caseevent e JOIN cases_case c "
                                    "ON c.id = e.case_id WHERE c.form->>%s LIKE %s ORDER BY c.number, e.seq",
                                field, run_id + "-%"):
        history[number].append(action)
    for number, n in _rows(db, "SELECT case_number, count(*) FROM licences_licence WHERE case_number = ANY(%s) "
                               "GROUP BY case_number", list(history)):
        history[number].extend(["licence_issued"] * n)  # the approval's reaction, once per case
    return cases_by_ref, history


def _rating_effects(db, numbers: list[str]) -> dict[str, int]:
    """{"rating:<case>": defaults written} for the delivered cases (the invitation is the worker's)."""
    effects = {f"rating:{n}": 0 for n in numbers}
    for ref, n in _rows(db, "SELECT v.subject_ref, count(*) FROM evaluations_evaluationevent e JOIN "
                            "evaluations_evaluation v ON v.id = e.evaluation_id WHERE e.action = 'defaulted' AND "
                            "v.subject_kind = 'case' AND v.subject_ref = ANY(%s) GROUP BY v.subject_ref", numbers):
        effects[f"rating:{ref}"] = n
    return effects


def throughput(acked: list[tuple[str, str, float]], phases: list[tuple[str, float, float]]) -> list[dict]:
    out = []
    for name, t0, t1 in phases:
        inside = [a for _, a, at in acked if t0 <= at < t1]
        secs = max(t1 - t0, 1e-9)
        out.append({"phase": name, "seconds": round(secs, 1), "transitions_per_s": round(len(inside) / secs, 2),
                    "lifecycles_per_s": round(sum(1 for a in inside if a == "deliver") / secs, 2)})
    return out


def read_back(run, load, since) -> dict:
    import psycopg

    ledger = load.ledger
    with psycopg.connect(run.url, autocommit=True) as db:
        settle(db, since, float(os.environ.get("YIWANG_CLUSTER_DRAIN_SECONDS", "60")), run.log)
        cases_by_ref, history = _history(db, load.plan["ref_field"], load.run_id)
        delivered = sorted({n for n, a, _ in ledger.acked if a == "deliver"})
        effects = {n: history.get(n, []).count(counting.TIMER_EVENT) for n in ledger.timer_cases}
        effects.update(_rating_effects(db, delivered))
        outbox = [(i, t, p) for i, t, p in _rows(db, "SELECT id, topic, payload FROM core_outboxmessage "
                                                     "WHERE created_at >= %s", since)]
        marked = [i for (i,) in _rows(db, "SELECT id FROM core_outboxmessage WHERE created_at >= %s AND "
                                          "sent_at IS NOT NULL AND topic <> %s", since, REACTION)]
        pending = _pending(db, since)[0]
        errors = _rows(db, "SELECT topic, last_error FROM core_outboxmessage WHERE sent_at IS NULL LIMIT 3")
    attempts = sink_rows(run.redis_url, run.prefix, "attempts")
    got = sink_rows(run.redis_url, run.prefix, "delivered")
    t = counting.tally(
        acked_submissions=ledger.submitted, in_doubt=ledger.in_doubt, cases_by_ref=cases_by_ref,
        acked_transitions=[(n, a) for n, a, _ in ledger.acked], history=history,
        timer_keys=list(ledger.timer_cases) + [f"rating:{n}" for n in delivered], timer_effects=effects,
        outbox_rows=outbox, outbox_pending=pending, marked_sent=marked,
        sent_ids=[r["id"] for r in attempts], delivered=[(r["id"], r["topic"], r["payload"]) for r in got])
    return {"tally": t, "throughput": throughput(ledger.acked, run.phases), "kills": run.kills,
            "statuses": ledger.statuses, "settled_by_reading": ledger.settled, "refused": ledger.refused[:10],
            "refused_count": len(ledger.refused), "outbox_errors": errors, "messages": len(got),
            "delivered_cases": len(delivered), "cases": sum(len(v) for v in cases_by_ref.values())}
