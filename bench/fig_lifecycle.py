"""Figure 1: complete lifecycles per second through the service layer, 4 processes at once, against
pgbench's TPC-B tps measured earlier in the same run (each transition counted as one transaction)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from .common import ROOT, Figure, SkipFigure, child_env

PROCESSES = 4
RELAYS = 2  # worker processes relaying the outbox (SKIP LOCKED), as two `yiwang worker` would


def choose_plan(ctx) -> dict:
    """The first item of the hall's county that a clerk can take through a whole lifecycle (tried in a
    rolled-back transaction), with an applicant of the right kind and an approver of its deciding unit."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from yiwang.catalogue.models import ItemImplementation, MaterialSource
    from yiwang.organisations.models import Role, Staff
    from yiwang.parties.models import Party

    from .lifecycle import lifecycle

    User = get_user_model()
    clerk = User.objects.get(username="clerk")
    hall_region = Staff.objects.filter(user=clerk).select_related("unit").first().unit.region_id
    candidates = (ItemImplementation.objects.filter(active=True, region_id=hall_region)
                  .exclude(item__mode="instant").exclude(item__commitment_allowed=True)
                  .select_related("item").order_by("impl_code"))
    errors = []
    for impl in candidates:
        item = impl.item
        kind = item.service_object or "person"
        party = Party.objects.filter(kind=kind, park__isnull=True).order_by("id").first()
        if party is None:
            continue
        approver = (Staff.objects.filter(unit=impl.department, role=Role.APPROVER).select_related("user").first())
        if approver is None:
            continue
        steps = [s.name for s in item.steps.all()] or ["受理", "审核", "决定"]
        plan = {
            "url": ctx.url, "item": impl.impl_code, "party_id": party.pk, "clerk": "clerk",
            "approver": approver.user.username, "form": {f: "基准测试" for f in (item.form_fields or [])},
            "paper": [m.name for m in item.materials.all() if m.source == MaterialSource.APPLICANT and m.required],
            "review": len(steps) >= 3,
        }
        try:
            with transaction.atomic():
                probe = dict(plan, party_id=party)
                lifecycle(probe, {"clerk": clerk, "approver": approver.user})
                transaction.set_rollback(True)
            return plan
        except Exception as exc:  # noqa: BLE001 - try the next item
            errors.append(f"{impl.impl_code}: {exc}")
    raise SkipFigure("no item could be taken through a lifecycle: " + "; ".join(errors[:3]))


def run(ctx) -> list[Figure]:
    try:
        import yiwang.cases.services  # noqa: F401
    except ImportError as exc:
        raise SkipFigure(f"the case engine is not there yet ({exc})")
    plan = choose_plan(ctx)
    return [measure(ctx, plan, hooks=True), measure(ctx, plan, hooks=False)]


def measure(ctx, plan: dict, *, hooks: bool) -> Figure:
    """4 processes of lifecycles for a fixed time; hooks=False: the case engine alone (other apps'
    receivers of its hooks disconnected), to tell its cost from theirs."""
    tps = ctx.shared.get("pgbench_tps")
    plan = dict(plan, hooks=hooks)
    seconds = ctx.seconds(10, 30)
    plan["start_at"] = time.time() + 8  # time for the processes to start and warm up
    plan["stop_at"] = plan["start_at"] + seconds
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(plan, f, ensure_ascii=False)
    ctx.log(f"{PROCESSES} processes × {seconds} s of lifecycles of {plan['item']} "
            f"({'submit, accept, review, approve, deliver' if plan['review'] else 'submit, accept, approve, deliver'})"
            + ("" if hooks else "; the case engine alone (other apps' hook receivers disconnected)"))
    try:
        procs = [subprocess.Popen([sys.executable, "-m", "bench.lifecycle", f.name], cwd=ROOT, env=child_env(ctx.url),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(PROCESSES)]
        # The workers (as `yiwang worker` on each of RELAYS machines, claiming outbox rows with SKIP LOCKED):
        # licences issued and signed, documents, ratings invited after commit, counted in the same run; the
        # figure's time runs until they drained.
        relays = [subprocess.Popen([sys.executable, "-m", "bench.relay", f.name], cwd=ROOT, env=child_env(ctx.url),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(RELAYS if hooks else 0)]
        outs = []
        for p in procs:
            out, err = p.communicate(timeout=seconds + 180)
            if p.returncode != 0:
                raise RuntimeError(f"a lifecycle process failed: {err[-2000:]}")
            outs.append(json.loads(out.strip().splitlines()[-1]))
        workers = []
        for relay in relays:
            out, err = relay.communicate(timeout=seconds + 300)
            if relay.returncode != 0:
                raise RuntimeError(f"a relay process failed: {err[-2000:]}")
            workers.append(json.loads(out.strip().splitlines()[-1]))
        worker = ({"processes": len(workers), "relayed": sum(w["relayed"] for w in workers),
                   "licences": max(w["licences"] for w in workers), "pending": min(w["pending"] for w in workers),
                   "seconds": max(w["seconds"] for w in workers)} if workers else None)
    finally:
        os.unlink(f.name)
    lifecycles = sum(o["lifecycles"] for o in outs)
    transitions = sum(o["transitions"] for o in outs)
    errors = sum(o["errors"] for o in outs)
    elapsed = max([o["seconds"] for o in outs] + ([worker["seconds"]] if worker else []))
    per_s = lifecycles / elapsed
    trans_s = transitions / elapsed
    ratio = trans_s / tps if tps else None
    return Figure(
        key="1_lifecycle" if hooks else "1c_lifecycle_engine",
        title="办件全流程（服务层，4进程）" if hooks else "办件全流程（仅办件引擎，不含证照签发等）",
        value=round(per_s, 1), unit="lifecycles/s",
        baseline_name="pgbench TPC-B", baseline=round(tps) if tps else None, baseline_unit="tps",
        ratio=round(ratio, 3) if ratio else None, target="transitions/s ≥ 0.30 × pgbench tps",
        met=(ratio >= 0.30 and errors == 0) if ratio else None,
        detail={"transitions_per_s": round(trans_s, 1), "transitions_per_lifecycle": transitions / max(lifecycles, 1),
                "lifecycles": lifecycles, "errors": errors, "seconds": round(elapsed, 1), "processes": PROCESSES,
                "item": plan["item"], "per_process": outs, "other_apps_hooks": hooks, "worker": worker,
                "note": "each transition is one service call in its own transaction with its event, outbox row "
                        "and timers" + ("; the licences issued and signed, documents issued and ratings invited by "
                                        f"{RELAYS} worker processes after commit, the time running until they drained" if hooks else
                                        "; the case workflow's declared reactions left out")})
