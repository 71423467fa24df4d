"""Ledger reads: who may see which plan, the month's matrix and the quarterly 通报 (附件3 layout)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yiwang.core.errors import DomainError, Forbidden
from yiwang.organisations.models import Role
from yiwang.organisations.selectors import region_subtree_codes, staff_roles

from .models import ProgressEntry, ProgressReport, ReformPlan, ReportStatus
from .workflow import HANDLING, due_date, is_office


def reporter_units(user, plan: ReformPlan) -> list[int]:
    mine = {s.unit_id for s in staff_roles(user) if s.role in HANDLING}
    return [r.unit_id for r in plan.reporters.all() if r.unit_id in mine]


def may_see_all(user, plan: ReformPlan) -> bool:
    """The reform office, and leaders whose region subtree holds the plan, see every unit's report."""
    if is_office(user, plan):
        return True
    return any(s.role == Role.LEADER and plan.region_id in region_subtree_codes(s.unit.region_id)
               for s in staff_roles(user))


def plans_visible(user) -> list[ReformPlan]:
    return [p for p in ReformPlan.objects.select_related("region", "office").prefetch_related("reporters")
            if may_see_all(user, p) or reporter_units(user, p)]


def plan_for(user, plan: ReformPlan) -> None:
    if not (may_see_all(user, plan) or reporter_units(user, plan)):
        raise Forbidden("无权查看此改革方案（仅审改办、领导和填报单位可以查看）", field="code")


def report_visible(user, report: ProgressReport) -> None:
    if not (may_see_all(user, report.plan) or report.unit_id in reporter_units(user, report.plan)):
        raise Forbidden("无权查看其他单位的台账", field="unit")


def month_reports(user, plan: ReformPlan, month: date) -> list[ProgressReport]:
    qs = ProgressReport.objects.filter(plan=plan, month=month).select_related("unit", "plan")
    if not may_see_all(user, plan):
        qs = qs.filter(unit_id__in=reporter_units(user, plan))
    order = {r.unit_id: r.order for r in plan.reporters.all()}
    return sorted(qs, key=lambda r: order.get(r.unit_id, 0))


def quarter_parse(value: str) -> tuple[date, date, str]:
    try:
        y, q = value.upper().split("Q")
        y, q = int(y), int(q)
        assert 1 <= q <= 4
    except (ValueError, AssertionError):
        raise DomainError("季度应为 YYYYQn 格式，如 2026Q3", field="quarter") from None
    return date(y, 3 * q - 2, 1), date(y, 3 * q, 1), f"{y}年第{q}季度"


@dataclass
class Bulletin:
    plan: ReformPlan
    label: str
    months: list[date]
    units: list
    timeliness: list[dict]  # per unit: months submitted on time / late / missing
    matrix: list[dict]  # per measure: its section, title, and per unit the last progress of the quarter
    laggards: list[dict]


def bulletin(plan: ReformPlan, quarter: str, *, today: date) -> Bulletin:
    first, last, label = quarter_parse(quarter)
    months = [date(first.year, first.month + i, 1) for i in range(3)]
    units = [r.unit for r in plan.reporters.select_related("unit")]
    reports = {(r.unit_id, r.month): r for r in ProgressReport.objects.filter(plan=plan, month__in=months)}
    timeliness, laggards = [], []
    for u in units:
        row = {"unit": u, "cells": [], "on_time": 0, "late": 0, "missing": 0}
        for m in months:
            r = reports.get((u.pk, m))
            due_passed = (r.deadline if r else due_date(m, plan.due_day)) < today
            if r and r.status != ReportStatus.DRAFT and r.submitted_at:
                key = "late" if r.late else "on_time"
            elif due_passed:
                key = "missing"
            else:
                key = "pending"
            if key in row:
                row[key] += 1
            row["cells"].append({"month": m, "state": key, "report": r})
        timeliness.append(row)
        if row["late"] or row["missing"]:
            laggards.append(row)
    latest = _latest_entries(plan, months, units)
    matrix = [{"task": t, "cells": [latest.get((u.pk, t.pk)) for u in units]} for t in plan.tasks.all()]
    return Bulletin(plan, label, months, units, timeliness, matrix, laggards)


def _latest_entries(plan, months, units) -> dict:
    """Per (unit, measure): the entry of the unit's last submitted report in the quarter."""
    out = {}
    entries = (ProgressEntry.objects.filter(report__plan=plan, report__month__in=months)
               .exclude(report__status=ReportStatus.DRAFT).select_related("report").order_by("report__month"))
    for e in entries:
        out[(e.report.unit_id, e.task_id)] = e
    return out
