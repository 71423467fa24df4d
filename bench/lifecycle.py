"""One process of figure 1: complete case lifecycles through the service layer, in a loop.

`python -m bench.lifecycle PLAN.json` — the plan names the item, the applicant, the acting accounts
and the start and stop times (wall clock, shared by the 4 processes). Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time


def lifecycle(plan: dict, users: dict) -> int:
    """submit → accept → (review, when the item has that step) → approve → deliver. Returns transitions."""
    from yiwang.cases.services import case_accept, case_act, case_submit
    from yiwang.parties.models import Party

    party = Party.objects.get(pk=plan["party_id"]) if isinstance(plan["party_id"], int) else plan["party_id"]
    case = case_submit(actor=users["clerk"], item=plan["item"], applicant=party, form=plan["form"], channel="window")
    case = case_accept(case=case, actor=users["clerk"], paper=plan["paper"])
    n = 2
    if plan["review"]:
        case = case_act(case=case, actor=users["approver"], action="review")
        n += 1
    case = case_act(case=case, actor=users["approver"], action="approve")
    case_act(case=case, actor=users["clerk"], action="deliver", data={"method": "window"})
    return n + 2


def main() -> int:
    from .common import django_setup

    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    django_setup(plan["url"])
    from django.contrib.auth import get_user_model

    from yiwang.parties.models import Party

    User = get_user_model()
    users = {"clerk": User.objects.get(username=plan["clerk"]), "approver": User.objects.get(username=plan["approver"])}
    plan["party_id"] = Party.objects.get(pk=plan["party_id"])
    if not plan.get("hooks", True):
        # The case engine alone: the case workflow's declared reactions (the licence issued and SM2-signed
        # on approval, the evaluation invited on delivery, bundles) are left out in this process.
        from yiwang.cases.workflow import WORKFLOW

        WORKFLOW.reactions = ()
    lifecycle(plan, users)  # warm up: imports, caches, connection
    while time.time() < plan["start_at"]:
        time.sleep(0.005)
    done = transitions = errors = 0
    lat = []
    while True:
        t0 = time.time()
        if t0 >= plan["stop_at"]:
            break
        try:
            transitions += lifecycle(plan, users)
            done += 1
            lat.append(time.time() - t0)
        except Exception as exc:  # noqa: BLE001 - count and go on; the parent reports errors
            errors += 1
            if errors < 3:
                print(repr(exc), file=sys.stderr)
    elapsed = time.time() - plan["start_at"]
    lat.sort()
    print(json.dumps({"lifecycles": done, "transitions": transitions, "errors": errors, "seconds": elapsed,
                      "p50_ms": round(lat[len(lat) // 2] * 1000, 2) if lat else None,
                      "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 2) if lat else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
