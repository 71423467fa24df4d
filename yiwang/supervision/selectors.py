"""Reads: the 名录库 with grades, the cap, conflicts, the queues, the public lists, and the
selector the case engine asks before the commitment path (`commitment_barred`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.organisations.selectors import region_subtree_codes
from yiwang.parties.models import CreditRecord, Party

from . import rules
from .config import config, credit_rules
from .models import Conflict, Inspection, Inspector, SupervisionTask

# ---------------------------------------------------------------- credit


def live_records(party_ids: Iterable[int] | None = None) -> QuerySet:
    """Credit records still counting and on display: those with no approved repair."""
    qs = CreditRecord.objects.filter(repair__isnull=True)
    return qs if party_ids is None else qs.filter(party_id__in=list(party_ids))


def grades(party_ids: Iterable[int] | None = None, *, today: date | None = None) -> dict[int, rules.Grade]:
    """The grade of every party that has live records in the window (the others are A)."""
    today = today or timezone.localdate()
    cfg = credit_rules()
    since = date(today.year - int(cfg["window_years"]), 1, 1)
    per: dict[int, list] = {}
    for pid, kind, at in live_records(party_ids).filter(created_at__date__gte=since).values_list(
            "party_id", "kind", "created_at"):
        per.setdefault(pid, []).append((kind, timezone.localdate(at)))
    return {pid: rules.credit_grade(recs, today=today, rules=cfg) for pid, recs in per.items()}


def grade_of(party: Party, *, today: date | None = None) -> rules.Grade:
    return grades([party.pk], today=today).get(party.pk) or rules.credit_grade([], today=today or timezone.localdate(),
                                                                               rules=credit_rules())


def commitment_barred(party: Party, *, today: date | None = None, years: int | None = None) -> str | None:
    """For the case engine, before the commitment path (告知承诺): the reason it is closed to this
    party — a failed post-check (承诺不实) within N years (YIWANG_SUPERVISION["commitment_bar_years"],
    default 3), not repaired — or None."""
    today = today or timezone.localdate()
    years = years if years is not None else int(config()["commitment_bar_years"])
    recs = [(k, timezone.localdate(at), r) for k, at, r in live_records([party.pk]).filter(
        kind="false_commitment").values_list("kind", "created_at", "reason")]
    return rules.commitment_bar(recs, today=today, years=years)


# ---------------------------------------------------------------- the 名录库


def directory(filters: dict | None = None) -> QuerySet:
    """检查对象名录库: enterprises under the filters industry, region (and below), park."""
    f = filters or {}
    qs = Party.objects.filter(kind="enterprise")
    if f.get("industry"):
        qs = qs.filter(industry=f["industry"])
    if f.get("region"):
        qs = qs.filter(region_id__in=region_subtree_codes(f["region"]))
    if f.get("park"):
        qs = qs.filter(park__code=f["park"])
    return qs


def directory_rows(filters: dict | None = None, *, limit: int = 500) -> list[dict]:
    """The directory with grade and risk, filtered also by grade and risk (for the page)."""
    f = filters or {}
    rows = list(directory(f).values("id", "number", "name", "industry", "region__name", "park__name")[:limit])
    g = grades([r["id"] for r in rows])
    out = []
    for r in rows:
        grade = g[r["id"]].grade if r["id"] in g else "A"
        r.update(grade=grade, risk=rules.risk_of(grade, credit_rules()))
        if f.get("grade") and grade != f["grade"]:
            continue
        if f.get("risk") and r["risk"] != f["risk"]:
            continue
        r["risk_label"] = rules.RISK_CLASSES[r["risk"]]
        out.append(r)
    return out


@dataclass
class Frozen:
    candidates: list[list[str]]  # [[uscc, risk], …] by uscc
    excluded: list[list[str]]  # [[uscc, earlier inspection], …]


def freeze_candidates(*, unit, item, year: int, filters: dict, today: date | None = None,
                      also: Iterable[tuple] = ()) -> Frozen:
    """The candidate list of a draw: the directory under the filters, each with its risk class from
    its grade, less the enterprises the unit already inspected this year (when the item counts) —
    and, for a joint visit, those any unit joining it (`also`: (unit, item)) inspected this year."""
    if item.industry:  # an item for one industry draws from that industry only
        filters = {**filters, "industry": item.industry}
    rows = list(directory(filters).order_by("number").values_list("id", "number"))
    g = grades([pid for pid, _ in rows], today=today) if len(rows) < 5000 else grades(today=today)
    cfg = credit_rules()
    capped: dict[int, str] = {}
    for u, i in [(unit, item), *also]:
        if rules.counts_to_cap(check_kind=i.kind, basis_kind="random"):
            capped = {**cap_holders(unit_id=u.pk, year=year), **capped}  # the leading unit's named first
    cands, excluded = [], []
    for pid, number in rows:
        if pid in capped:
            excluded.append([number, capped[pid]])
            continue
        risk = rules.risk_of(g[pid].grade if pid in g else "A", cfg)
        if filters.get("risk") and risk != filters["risk"]:
            continue
        if filters.get("grade") and (g[pid].grade if pid in g else "A") != filters["grade"]:
            continue
        cands.append([number, risk])
    return Frozen(cands, excluded)


def roster(unit) -> list[str]:
    """执法检查人员名录库 of the unit, by certificate number."""
    return list(Inspector.objects.filter(unit=unit, active=True).order_by("certificate")
                .values_list("certificate", flat=True))


def conflict_pairs(*, unit, candidates: list[str], since: datetime) -> set[tuple[str, str]]:
    """(certificate, uscc) an inspector must stand back from: a declared conflict, or an inspection
    of the same enterprise since `since` (回避)."""
    wanted = set(candidates)
    pairs = {(c, n) for c, n in Conflict.objects.filter(inspector__unit=unit).values_list(
        "inspector__certificate", "party__number") if n in wanted}
    through = Inspection.inspectors.through
    recent = through.objects.filter(inspector__unit=unit, inspection__created_at__gte=since).values_list(
        "inspector__certificate", "inspection__party__number")
    pairs |= {(c, n) for c, n in recent if n in wanted}
    return pairs


def joinable_items(*, plan) -> list:
    """联合抽查: the items other units may bring to a visit led by `plan`'s unit — active items in their
    own filed plans of the same year."""
    from .models import CheckItem

    return list(CheckItem.objects.filter(active=True, plans__year=plan.year, plans__status="filed")
                .exclude(unit_id=plan.unit_id).select_related("unit").order_by("unit_id", "code").distinct())


# ---------------------------------------------------------------- the cap


def cap_holder(*, unit_id: int, party_id: int, year: int) -> str | None:
    """The unit's inspection of the enterprise this year that counts to the cap (one indexed read)."""
    return (Inspection.objects.filter(unit_id=unit_id, party_id=party_id, year=year, counts_to_cap=True)
            .values_list("number", flat=True).first())


def cap_holders(*, unit_id: int, year: int, party_ids: Iterable[int] | None = None) -> dict[int, str]:
    qs = Inspection.objects.filter(unit_id=unit_id, year=year, counts_to_cap=True)
    if party_ids is not None:
        qs = qs.filter(party_id__in=list(party_ids))
    return dict(qs.values_list("party_id", "number"))


# ---------------------------------------------------------------- queues and public lists


def unit_ids_of(user) -> list[int]:
    from yiwang.organisations.selectors import units_where

    return units_where(user, "approver", "department_head")


def workbench(user, *, today: date | None = None) -> dict:
    units = unit_ids_of(user)
    tasks = SupervisionTask.objects.filter(unit_id__in=units).select_related("party", "approving_unit")
    insp = Inspection.objects.filter(unit_id__in=units).select_related("party", "item")
    return {
        "to_claim": list(tasks.filter(status="pending").order_by("deadline")[:100]),
        "claimed": list(tasks.filter(status="claimed").order_by("deadline")[:100]),
        "to_inspect": list(insp.filter(status="assigned").order_by("created_at")[:100]),
        "rectifying": list(insp.filter(status="rectifying").order_by("rectify_due")[:100]),
        "to_publish": list(insp.filter(published_at__isnull=True).exclude(status="assigned").order_by("deadline")[:100]),
        "overdue_tasks": tasks.filter(overdue=True).exclude(status="reported").count(),
        "overdue_publish": insp.filter(publish_overdue=True, published_at__isnull=True).count(),
    }


def published_inspections(*, party: Party | None = None) -> QuerySet:
    qs = Inspection.objects.filter(published_at__isnull=False).select_related("party", "unit", "item")
    return qs.filter(party=party) if party else qs


def overdue_counts() -> dict:
    """For the dashboard: overdue claims/results and unpublished results past their deadline."""
    return {
        "tasks_overdue": SupervisionTask.objects.filter(overdue=True).exclude(status="reported").count(),
        "publish_overdue": Inspection.objects.filter(publish_overdue=True, published_at__isnull=True).count(),
        "exempted": _violations(Q(exempted=True)), "not_exempted": _violations(Q(exempted=False, offence__isnull=False)),
    }


def _violations(q: Q) -> int:
    from .models import Violation

    return Violation.objects.filter(q).count()


# ---------------------------------------------------------------- 监管责任清单


def responsibility_list(*, year: int | None = None) -> dict:
    """监管责任清单 (岳阳 task 3): per item implementation, and per empowerment to a park, the
    supervising unit and how it supervises; `missing`: items with a licence result and no supervising
    unit (the consistency check)."""
    from yiwang.catalogue.models import Empowerment, ItemImplementation

    from .models import CheckItem, InspectionPlan

    year = year or timezone.localdate().year
    planned = set(InspectionPlan.objects.filter(year=year, status="filed").values_list("unit_id", flat=True))
    key_units = set(CheckItem.objects.filter(kind="key", active=True).values_list("unit_id", flat=True))
    rows, missing = [], []
    impls = ItemImplementation.objects.filter(active=True).select_related("item__supervising_unit", "department")
    for impl in impls.order_by("region_id", "item__basic_code"):
        unit = impl.item.supervising_unit
        if unit is None:
            if impl.item.result_licence:
                missing.append(impl)
            continue
        rows.append({"impl": impl, "unit": unit, "ways": _ways(impl.item, unit.pk, planned, key_units),
                     "parks": []})
    by_impl = {r["impl"].pk: r for r in rows}
    for e in Empowerment.objects.filter(effective_to__isnull=True).select_related("park"):
        if e.implementation_id in by_impl:
            by_impl[e.implementation_id]["parks"].append(e)
    return {"rows": rows, "missing": missing, "year": year}


def _ways(item, unit_id: int, planned: set, key_units: set) -> list[str]:
    ways = ["审批信息双推送、日常监管"]
    if unit_id in planned:
        ways.append("双随机抽查")
    if unit_id in key_units:
        ways.append("重点监管")
    if item.commitment_allowed:
        ways.append("告知承诺事后核查")
    ways.append("信用分级分类监管")
    return ways
