"""The figures a run prints, and its exit code (1 when anything that must be 0 is not)."""

from __future__ import annotations


def _fmt_kills(kills: list[tuple[float, str]]) -> str:
    counts: dict[str, int] = {}
    for _, name in kills:
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{k} ×{v}" for k, v in sorted(counts.items())) or "none"


def print_report(run, result: dict) -> int:
    t = result["tally"]
    lines = [
        ("kill -9", _fmt_kills(result["kills"])),
        ("accepted (201, case number given)", t.accepted),
        ("in doubt (every retry's answer lost; saved)", f"{t.in_doubt} ({t.in_doubt_saved} saved; the rest were retried with their Idempotency-Key)"),
        ("lost", f"{t.lost} (submissions {len(t.lost_submissions)}, transitions {len(t.lost_transitions)}, "
                 f"messages {len(t.lost_messages)})"),
        ("duplicated submissions", len(t.duplicated_submissions)),
        ("duplicated events", len(t.duplicated_events)),
        ("timers fired / brought forward", f"{t.timers_fired} / {t.timers_brought_forward}"),
        ("timers fired twice", len(t.timers_fired_twice)),
        ("timers missed", len(t.timers_missed)),
        ("outbox pending at the end", t.outbox_pending),
        ("messages delivered to the gateway stand-in", result["messages"]),
        ("outbox messages sent twice (reached the recipient twice)", len(t.delivered_twice)),
        ("  same outbox row handed over twice (at least once; the key dropped the repeat)", len(t.resent_same_id)),
        ("  outbox rows duplicated (one message written twice)", len(t.outbox_rows_duplicated)),
        ("actions settled by reading the case after a lost answer", result["settled_by_reading"]),
        ("refused (4xx)", result["refused_count"]),
        ("HTTP statuses", ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items()))),
    ]
    for ph in result["throughput"]:
        lines.append((f"throughput, {ph['phase']}",
                      f"{ph['transitions_per_s']} transitions/s, {ph['lifecycles_per_s']} lifecycles/s "
                      f"({ph['seconds']} s)"))
    tp = result["throughput"]
    if len(tp) > 1 and tp[0]["transitions_per_s"]:
        lines.append(("ratio to 1 web + 1 worker", " / ".join(
            f"{ph['transitions_per_s'] / tp[0]['transitions_per_s']:.2f}" for ph in tp[1:])))
    locks = result.get("lock_samples") or {}
    if locks.get("active"):
        waits = locks.get("lock", {})
        top = ", ".join(f"{k} {v}" for k, v in sorted(waits.items(), key=lambda kv: -kv[1])[:3])
        lines.append(("active sessions waiting on a row lock (sampled)",
                      f"{100 * sum(waits.values()) / locks['active']:.0f} % of {locks['active']}"
                      + (f" — on {top}" if top else "")))
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        print(f"  {k:<{width}}  {v}")
    for ref in result["refused"][:3]:
        print(f"  refused: {ref}")
    failures = t.failures()
    if failures:
        print(f"FAILED ({run.p.name}): " + ", ".join(f"{k} {v}" for k, v in failures.items()))
        for name in ("lost_submissions", "lost_transitions", "lost_messages", "duplicated_events",
                     "timers_fired_twice", "timers_missed", "delivered_twice"):
            if getattr(t, name):
                print(f"    {name}: {getattr(t, name)[:5]}")
        return 1
    print(f"OK ({run.p.name}): 0 lost, 0 duplicated, 0 timers fired twice or missed, 0 messages delivered twice")
    return 0
