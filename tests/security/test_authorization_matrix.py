"""The authorization matrix (issue 12, "Tests and figures"): every demo account (each with its roles,
units and regions) × every workflow (object kind) × every action, each pair expected allowed or
refused by the actor check.

The expectation comes from MAY_ACT below, a declared table of which roles may act where — written
from the rules (行政许可法's receiving, reviewing and deciding units, 12345's operator and handling
units, 双随机's own unit), not from the code under test. Each action is tried with `apply` on a demo
subject put in a state the action leaves from, in a transaction that is rolled back; "allowed"
means the actor check passed (the action may still be refused by a guard or its input), "refused"
means the engine refused the actor.
"""

import os
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from yiwang.core.errors import DomainError
from yiwang.core.workflow import apply
from yiwang.core.workflow.checks import workflows
from yiwang.organisations.models import Region, Role, Staff, UnitKind

pytestmark = pytest.mark.django_db

CLERK, APPROVER, HEAD = Role.WINDOW_CLERK, Role.APPROVER, Role.DEPARTMENT_HEAD
SUPERVISOR, LEADER, OPERATOR = Role.SUPERVISOR, Role.LEADER, Role.HOTLINE_OPERATOR
HANDLERS = {APPROVER, HEAD}
ANY = set(Role.values)
HALLS = {UnitKind.CENTER, UnitKind.BUREAU}

# workflow → actor kind → rules; a rule is one of
#   (roles, "unit", path)      a role in the unit the subject names at path
#   (roles, "anywhere")        a role in any unit
#   (roles, "region", path)    a role in a unit of the region at path or of a region above it
#   (roles, "region_is", path) a role in a unit of exactly the region at path
#   (roles, "hall", path)      a role at a hall (centre, bureau) of exactly the region at path
#   ("user", path)             the user the subject names at path (applicant, enterprise, rater)
#   (roles, "units", path)     a role in one of the units of the related set at path
#   ("signed_in",)             anyone signed in (the public's objection)
_UNIT_WF = {"unit": [(HANDLERS, "unit", "unit_id")], "head": [({HEAD}, "unit", "unit_id")],
            "supervisor": [({SUPERVISOR}, "anywhere")]}
MAY_ACT = {
    "case": {
        "applicant": [("user", "applicant.user_id"), ("user", "agent_id")],
        "intake": [({CLERK, APPROVER, HEAD}, "unit", "receiving_unit_id"),
                   ({CLERK}, "hall", "receiving_unit.region_id")],
        "reviewer": [(HANDLERS, "unit", "reviewing_unit_id")],
        "decider": [(HANDLERS, "unit", "deciding_unit_id")],
        "head": [({HEAD}, "unit", "deciding_unit_id")],
        "co_reviewer": [(HANDLERS, "units", "co_reviews")],
        # 跨域通办: the window of the region that took the application in for another region's unit
        "remote_intake": [({CLERK, APPROVER, HEAD}, "unit", "remote_intake_unit_id"),
                          ({CLERK}, "hall", "remote_intake_unit.region_id")],
    },
    "bundle_case": {"applicant": [("user", "applicant.user_id")],
                    "clerk": [({CLERK}, "bundle_window", "bundle.region_id")]},
    "licence": {"issuer": [(HANDLERS, "unit", "issuer_id")]},
    "rectification": {"handler": [({HEAD, APPROVER, CLERK}, "unit", "unit_id")],
                      "supervisor": [({SUPERVISOR}, "anywhere")],
                      "rater": [("user", "evaluation.rater_user_id"), ("user", "evaluation.rater_party.user_id")]},
    "hotline": {"operator": [({OPERATOR, SUPERVISOR}, "anywhere")], "supervisor": [({SUPERVISOR}, "anywhere")],
                "unit": [(ANY, "unit", "unit_id")], "lead": [(ANY, "unit", "lead_unit_id")]},
    "supervision_plan": _UNIT_WF,
    "supervision_draw": {**_UNIT_WF, "unit": [(HANDLERS, "unit", "plan.unit_id")],
                         "head": [({HEAD}, "unit", "plan.unit_id")]},
    "supervision_inspection": _UNIT_WF,
    "supervision_task": _UNIT_WF,
    "supervision_repair": _UNIT_WF,
    "ledger_report": {"reporter": [({HEAD, APPROVER, SUPERVISOR, LEADER}, "unit", "unit_id")],
                      "office": [({SUPERVISOR}, "unit", "plan.office_id"), ({SUPERVISOR}, "region", "plan.region_id")]},
    "grant": {"enterprise": [("user", "enterprise.user_id")], "unit": [(HANDLERS, "unit", "policy.issuing_unit_id")],
              "public": [("signed_in",)], "supervisor": [({SUPERVISOR, LEADER}, "region", "policy.issuing_unit.region_id")]},
    # 授权委托: the grantor's own account, the agent, a window clerk of the grantor's region or of the recording unit
    "authorisation": {"party": [("user", "party.user_id")], "agent": [("user", "agent_id")],
                      "clerk": [({CLERK}, "region_is", "party.region_id"), ({CLERK}, "unit", "recorded_unit_id")]},
    # 四即: the park's own officers (not its windows), the named agent, the enterprise
    "project": {"park": [({APPROVER, HEAD, LEADER}, "unit", "park_id")], "agent": [("user", "agent_id")],
                "enterprise": [("user", "enterprise.user_id")]},
}
# Kinds that are not a staff account's or an applicant's to take (a caller with a query token).
NOT_ACCOUNTS = {("hotline", "requester"), ("hotline", "co_unit")}


def _get(obj, path):
    for part in path.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


def _regions_up(code):
    chain, region = set(), Region.objects.filter(code=code).first()
    while region is not None:
        chain.add(region.code)
        region = region.parent
    return chain


def _rule_holds(rule, user, roles, subject):
    if rule[0] == "user":
        return _get(subject, rule[1]) == user.pk
    if rule[0] == "signed_in":
        return True
    wanted, where = rule[0], rule[1]
    mine = [s for s in roles if s.role in wanted]
    if where == "anywhere":
        return bool(mine)
    if where == "unit":
        return any(s.unit_id == _get(subject, rule[2]) for s in mine)
    if where == "units":
        return any(s.unit_id in {c.unit_id for c in _get(subject, rule[2]).all()} for s in mine)
    if where == "region":
        above = _regions_up(_get(subject, rule[2]))
        return any(s.unit.region_id in above for s in mine)
    if where == "region_is":
        return any(s.unit.region_id == _get(subject, rule[2]) for s in mine)
    if where == "hall":
        return any(s.unit.kind in HALLS and s.unit.region_id == _get(subject, rule[2]) for s in mine)
    if where == "bundle_window":
        return any(s.window_id and s.window.kind == "bundle" and s.unit.kind in HALLS
                   and s.unit.region_id == _get(subject, rule[2])
                   for s in mine)
    raise AssertionError(rule)


def _expected(workflow, action, user, roles, subject):
    table = MAY_ACT[workflow.name]
    return any(_rule_holds(rule, user, roles, subject) for kind in action.actors if kind in table
               for rule in table[kind])


def _tried(workflow, action, user, subject):
    """True when the engine let the actor through (whatever came after), False when it refused them."""
    from_status = next(iter(action.edges))
    with transaction.atomic():
        workflow.subject_model.objects.filter(pk=subject.pk).update(status=from_status)
        try:
            apply(workflow, subject=workflow.subject_model.objects.get(pk=subject.pk), action=action.name,
                  actor=user, input={})
            allowed = True
        except DomainError as exc:
            allowed = not (exc.status == 403 and exc.field == "action" and (
                str(exc).startswith(f"无权{action.label}") or getattr(exc, "code", "") == "system_only"))
        except Exception:  # noqa: BLE001 - an effect failing on an empty input came after the actor check
            allowed = True
        transaction.set_rollback(True)
    return allowed


def _accounts():
    staff = Staff.objects.select_related("unit", "unit__region", "window").order_by("user_id")
    by_user = {}
    for s in staff:
        by_user.setdefault(s.user_id, []).append(s)
    users = get_user_model().objects.filter(is_superuser=False).order_by("username")
    limit = int(os.environ.get("YIWANG_MATRIX_ACCOUNTS", "0"))  # 0: every demo account
    applicants = [u for u in users if u.pk not in by_user and u.parties.exists()][:4]
    chosen = [u for u in users if u.pk in by_user] + applicants
    return [(u, by_user.get(u.pk, [])) for u in (chosen[:limit] if limit else chosen)]


@pytest.fixture
def demo_subjects(db):
    """The demo with its history (cases, ratings, 12345 requests, ledger reports) and one bundle case,
    so that every workflow has a subject; all rolled back with the test."""
    from yiwang.bundlecases.services import bundle_case_submit
    from yiwang.catalogue.selectors import bundle_get, bundle_view
    from yiwang.demo.loader import load_demo
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party
    from yiwang.supervision.models import TaskKind
    from yiwang.supervision.services import supervision_task_open

    load_demo(with_history=True)
    party = Party.objects.filter(user__username="xtkj").first()
    form = {f.name: f"示例{f.name}" for f in bundle_view(bundle_get("QYKB")).merged_form}
    bundle_case_submit(actor=party.user, bundle="QYKB", applicant=party, form=form)
    unit = Unit.objects.get(code="XTX-SCJG")
    supervision_task_open(case_number="MATRIX-1", unit=unit, kind=TaskKind.values[0], party=party,
                          approving_unit=unit, item_name="矩阵测试")


def test_every_account_may_act_exactly_where_the_declared_table_says(demo_subjects, artifacts_dir):
    accounts = _accounts()
    tally, mismatches, skipped = Counter(), [], []
    for workflow in workflows():
        assert workflow.name in MAY_ACT, f"{workflow.name}: declare who may act in MAY_ACT"
        for kind in set(workflow.actor_labels) - {"system"} - set(MAY_ACT[workflow.name]):
            assert (workflow.name, kind) in NOT_ACCOUNTS, f"{workflow.name}.{kind}: not in MAY_ACT"
        subject = workflow.subject_model.objects.order_by("pk").first()
        if subject is None:
            skipped.append(workflow.name)
            continue
        for action in workflow.actions.values():
            for user, roles in accounts:
                expected = _expected(workflow, action, user, roles, subject)
                got = _tried(workflow, action, user, subject)
                tally["allowed" if got else "refused"] += 1
                if got != expected:
                    mismatches.append(f"{workflow.name}.{action.name} by {user.username} "
                                      f"({', '.join(f'{s.role}@{s.unit.code}' for s in roles) or 'applicant'}): "
                                      f"expected {'allowed' if expected else 'refused'}, got {'allowed' if got else 'refused'}")
    report = (f"authorization matrix: {len(accounts)} accounts × {len(workflows())} workflows' actions = "
              f"{sum(tally.values())} pairs, {tally['allowed']} allowed, {tally['refused']} refused, "
              f"{len(mismatches)} unlike the declared table; no demo subject: {skipped or 'none'}")
    print(report)
    with open(os.path.join(artifacts_dir, f"authorization_matrix-{connection.vendor}.txt"), "w") as out:
        out.write(report + "\n" + "\n".join(mismatches))
    assert not mismatches, report + "\n" + "\n".join(mismatches[:80])
