"""The rollup kept current from the event histories.

`rollup_refresh()` reads the events appended since the last refresh (with a look-back, since an event
id given to a transaction that commits late may be lower than one already read), recomputes the
contributions of every subject whose history changed (rules.py folds its whole history), and rebuilds
the rollup cells of the (counter, day) pairs that moved. It runs in the worker's every tick and before
every dashboard read, so a figure is never behind its events. `rollup_rebuild()` starts from nothing.
`recount()` computes the cells from the events in memory without touching the tables: the tests and
`manage.py dashboards_check` compare the two.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import rules
from .models import Contribution, RollupCell, RollupCursor, Source, SubjectMark

LOOKBACK = 200  # event ids re-read on each refresh: a commit that late is re-seen, a re-seen subject is skipped
CHUNK = 500
DIMS = ("region", "unit_id", "park_id", "impl_id", "window_id", "staff_id")


@dataclass
class Subject:
    id: int
    ref: str
    dims: dict
    events: int
    last_event_id: int
    contribs: list[rules.Contrib]
    open_deadline: date | None = None


def _between():
    from yiwang.workcalendar.index import get_index

    index = get_index()
    return lambda a, b: index.working_days_between(a, b).days if b > a else 0


# ------------------------------------------------------------------------------------------ sources

def hall_clerks() -> frozenset[int]:
    """一窗受理: the users who take in cases at a comprehensive hall's windows."""
    from yiwang.organisations.models import Role, Staff

    return frozenset(Staff.objects.filter(role=Role.WINDOW_CLERK, unit__kind__in=("center", "bureau"))
                     .values_list("user_id", flat=True))


class CaseSource:
    prefix = "case."
    key = Source.CASE

    @staticmethod
    def event_model():
        from yiwang.cases.models import CaseEvent
        return CaseEvent

    fk = "case_id"

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.cases.models import Case, CaseEvent

        between = _between()
        clerks = hall_clerks()
        events = defaultdict(list)
        for e in CaseEvent.objects.filter(case_id__in=ids).order_by("case_id", "seq").values(
                "id", "case_id", "action", "to_status", "on", "deadline", "data", "actor_id"):
            events[e["case_id"]].append(e)
        out = []
        for c in Case.objects.filter(pk__in=ids).values(
                "id", "number", "region_id", "deciding_unit_id", "receiving_unit_id", "receiving_unit__kind",
                "deciding_unit__kind", "applicant__park_id", "implementation_id", "channel", "statutory_days",
                "promised_days", "shared_materials"):
            evs = events.get(c["id"], [])
            shared = c["shared_materials"] or {}
            facts = rules.CaseFacts(
                channel=c["channel"], hall_clerks=clerks,
                statutory_days=c["statutory_days"], promised_days=c["promised_days"],
                copies_saved=int(shared.get("copies_saved") or 0), visits_saved=int(shared.get("visits_saved") or 0))
            fold = rules.case_contributions(facts, [rules.Ev(e["id"], e["action"], e["to_status"], e["on"],
                                                             e["deadline"], e["data"] or {}, e["actor_id"])
                                                    for e in evs], between=between)
            park = (c["receiving_unit_id"] if c["receiving_unit__kind"] == "park" else
                    c["deciding_unit_id"] if c["deciding_unit__kind"] == "park" else c["applicant__park_id"])
            dims = {"region": c["region_id"], "unit_id": c["deciding_unit_id"], "park_id": park,
                    "impl_id": c["implementation_id"], "window_id": None, "staff_id": fold.staff_id}
            out.append(Subject(c["id"], c["number"], dims, len(evs), max((e["id"] for e in evs), default=0),
                               fold.contribs, fold.open_deadline))
        return out


def _evaluation_dims(v: dict, key: str = "") -> dict:
    """A rating's dimensions, from Evaluation values (`key` prefixes the lookups: "evaluation__")."""
    park = v[f"{key}unit_id"] if v[f"{key}unit__kind"] == "park" else v[f"{key}park_id"]
    return {"region": v[f"{key}unit__region_id"], "unit_id": v[f"{key}unit_id"], "park_id": park,
            "impl_id": v[f"{key}implementation_id"], "window_id": v[f"{key}window_id"],
            "staff_id": v[f"{key}staff_id"]}


_EVALUATION_DIMS = ("unit_id", "unit__region_id", "unit__kind", "park_id", "implementation_id", "window_id",
                    "staff_id")


class EvaluationSource:
    prefix = "eval."
    key = Source.EVALUATION
    fk = "evaluation_id"

    @staticmethod
    def event_model():
        from yiwang.evaluations.models import EvaluationEvent
        return EvaluationEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.evaluations.models import Evaluation, EvaluationEvent

        events = defaultdict(list)
        for e in EvaluationEvent.objects.filter(evaluation_id__in=ids).order_by("evaluation_id", "seq").values(
                "id", "evaluation_id", "action", "to_status", "on", "data", "actor_id"):
            events[e["evaluation_id"]].append(rules.Ev(e["id"], e["action"], e["to_status"], e["on"], None,
                                                       e["data"] or {}, e["actor_id"]))
        out = []
        for v in Evaluation.objects.filter(pk__in=ids).values("id", "subject_kind", "subject_ref", "round",
                                                              *_EVALUATION_DIMS):
            evs = events.get(v["id"], [])
            out.append(Subject(v["id"], f"{v['subject_ref']}#{v['round']}", _evaluation_dims(v), len(evs),
                               max((e.id for e in evs), default=0),
                               rules.evaluation_contributions(subject_kind=v["subject_kind"], events=evs,
                                                              at_window=v["window_id"] is not None)))
        return out


class RectificationSource:
    """差评整改: the rectification's own history (RectificationEvent), under its rating's dimensions and
    reference; its counters are the eval.rect_* ones."""

    prefix = "eval.rect_"
    key = Source.RECTIFICATION
    fk = "rectification_id"

    @staticmethod
    def event_model():
        from yiwang.evaluations.models import RectificationEvent
        return RectificationEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.evaluations.models import Rectification, RectificationEvent

        events = defaultdict(list)
        for e in RectificationEvent.objects.filter(rectification_id__in=ids).order_by("rectification_id",
                                                                                     "seq").values(
                "id", "rectification_id", "action", "to_status", "at", "on", "deadline", "data", "actor_id"):
            events[e["rectification_id"]].append(rules.Ev(e["id"], e["action"], e["to_status"], e["on"],
                                                          e["deadline"], e["data"] or {}, e["actor_id"], e["at"]))
        key = "evaluation__"
        out = []
        for r in Rectification.objects.filter(pk__in=ids).values(
                "id", f"{key}subject_kind", f"{key}subject_ref", f"{key}round", *(key + d for d in _EVALUATION_DIMS)):
            evs = events.get(r["id"], [])
            contribs = ([] if r[f"{key}subject_kind"] == "hotline"  # 12345: reopened, never rectified
                        else rules.rectification_contributions(events=evs))
            out.append(Subject(r["id"], f"{r[key + 'subject_ref']}#{r[key + 'round']}", _evaluation_dims(r, key),
                               len(evs), max((e.id for e in evs), default=0), contribs))
        return out


class RequestSource:
    prefix = "hot."
    key = Source.REQUEST
    fk = "request_id"

    @staticmethod
    def event_model():
        from yiwang.hotline.models import RequestEvent
        return RequestEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.hotline.models import Request, RequestEvent
        from yiwang.organisations.models import Unit

        events, unit_of = defaultdict(list), {}
        for e in RequestEvent.objects.filter(request_id__in=ids).order_by("request_id", "seq").values(
                "id", "request_id", "action", "to_status", "on", "deadline", "data", "unit_id", "actor_id"):
            events[e["request_id"]].append(rules.Ev(e["id"], e["action"], e["to_status"], e["on"], e["deadline"],
                                                    e["data"] or {}, e["actor_id"]))
            if e["unit_id"]:
                unit_of[e["request_id"]] = e["unit_id"]  # the unit the request was with at its last event
        parks = set(Unit.objects.filter(pk__in=set(unit_of.values()), kind="park").values_list("id", flat=True))
        out = []
        for r in Request.objects.filter(pk__in=ids).values("id", "number", "region_id", "is_demand",
                                                            "requester__park_id"):
            evs = events.get(r["id"], [])
            unit = unit_of.get(r["id"])
            dims = {"region": r["region_id"], "unit_id": unit, "park_id": unit if unit in parks
                    else r["requester__park_id"], "impl_id": None, "window_id": None, "staff_id": None}
            out.append(Subject(r["id"], r["number"], dims, len(evs), max((e.id for e in evs), default=0),
                               rules.request_contributions(is_demand=r["is_demand"], events=evs)))
        return out


class BundleSource:
    prefix = "bundle."
    key = Source.BUNDLE
    fk = "bundle_case_id"

    @staticmethod
    def event_model():
        from yiwang.bundlecases.models import BundleCaseEvent
        return BundleCaseEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.bundlecases.models import BundleCase, BundleCaseEvent

        between = _between()
        events = defaultdict(list)
        for e in BundleCaseEvent.objects.filter(bundle_case_id__in=ids).order_by("bundle_case_id", "seq").values(
                "id", "bundle_case_id", "action", "to_status", "on"):
            events[e["bundle_case_id"]].append(rules.Ev(e["id"], e["action"], e["to_status"], e["on"]))
        out = []
        for b in BundleCase.objects.filter(pk__in=ids).values("id", "number", "bundle__region_id",
                                                               "applicant__park_id"):
            evs = events.get(b["id"], [])
            dims = {"region": b["bundle__region_id"], "unit_id": None, "park_id": b["applicant__park_id"],
                    "impl_id": None, "window_id": None, "staff_id": None}
            out.append(Subject(b["id"], b["number"], dims, len(evs), max((e.id for e in evs), default=0),
                               rules.bundle_contributions(events=evs, between=between)))
        return out


def _events_by(model, fk: str, ids: list[int]) -> dict[int, list[rules.Ev]]:
    events = defaultdict(list)
    for e in model.objects.filter(**{f"{fk}__in": ids}).order_by(fk, "seq").values(
            "id", fk, "action", "to_status", "on", "deadline", "data", "at"):
        events[e[fk]].append(rules.Ev(e["id"], e["action"], e["to_status"], e["on"], e["deadline"],
                                      e["data"] or {}, None, e["at"]))
    return events


def _sup_dims(unit_id, region, park_id) -> dict:
    return {"region": region, "unit_id": unit_id, "park_id": park_id, "impl_id": None, "window_id": None,
            "staff_id": None}


class SupervisionTaskSource:
    """双推送: a supervision task, counted for its supervising unit."""

    prefix = "sup.task_"
    key = Source.SUP_TASK
    fk = "task_id"

    @staticmethod
    def event_model():
        from yiwang.supervision.models import TaskEvent
        return TaskEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.supervision.models import SupervisionTask

        events = _events_by(self.event_model(), self.fk, ids)
        out = []
        for t in SupervisionTask.objects.filter(pk__in=ids).values("id", "number", "unit_id", "unit__region_id",
                                                                    "party__park_id"):
            evs = events.get(t["id"], [])
            out.append(Subject(t["id"], t["number"], _sup_dims(t["unit_id"], t["unit__region_id"], t["party__park_id"]),
                               len(evs), max((e.id for e in evs), default=0), rules.task_contributions(events=evs)))
        return out


class InspectionSource:
    """双随机一公开: an inspection, counted for its inspecting unit (a joint visit: once per unit)."""

    prefix = "sup."  # with the violation and repair counters: a full rebuild of one rebuilds all three
    key = Source.SUP_INSPECTION
    fk = "inspection_id"

    @staticmethod
    def event_model():
        from yiwang.supervision.models import InspectionEvent
        return InspectionEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.supervision.models import Inspection

        events = _events_by(self.event_model(), self.fk, ids)
        out = []
        for i in Inspection.objects.filter(pk__in=ids).values("id", "number", "unit_id", "unit__region_id",
                                                               "party__park_id"):
            evs = events.get(i["id"], [])
            out.append(Subject(i["id"], i["number"], _sup_dims(i["unit_id"], i["unit__region_id"], i["party__park_id"]),
                               len(evs), max((e.id for e in evs), default=0),
                               rules.inspection_contributions(events=evs)))
        return out


class ViolationSource:
    """首违免罚: a violation record is written once (no history of its own): the row is its one event."""

    prefix = "sup."
    key = Source.SUP_VIOLATION
    fk = "id"

    @staticmethod
    def event_model():
        from yiwang.supervision.models import Violation
        return Violation

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.supervision.models import Violation

        out = []
        for v in Violation.objects.filter(pk__in=ids).values("id", "number", "unit_id", "unit__region_id",
                                                              "party__park_id", "occurred_on", "offence_id",
                                                              "exempted"):
            contribs = rules.violation_contributions(occurred_on=v["occurred_on"], listed=v["offence_id"] is not None,
                                                     exempted=v["exempted"])
            out.append(Subject(v["id"], v["number"], _sup_dims(v["unit_id"], v["unit__region_id"], v["party__park_id"]),
                               1, v["id"], contribs))
        return out


class RepairSource:
    """信用修复: an application, counted in the enterprise's region (the supervisor decides it)."""

    prefix = "sup."
    key = Source.SUP_REPAIR
    fk = "application_id"

    @staticmethod
    def event_model():
        from yiwang.supervision.models import RepairEvent
        return RepairEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.supervision.models import RepairApplication

        events = _events_by(self.event_model(), self.fk, ids)
        out = []
        for a in RepairApplication.objects.filter(pk__in=ids).values("id", "number", "party__region_id",
                                                                      "party__park_id"):
            evs = events.get(a["id"], [])
            out.append(Subject(a["id"], a["number"], _sup_dims(None, a["party__region_id"] or "", a["party__park_id"]),
                               len(evs), max((e.id for e in evs), default=0), rules.repair_contributions(events=evs)))
        return out


class GrantSource:
    """惠企政策: each redemption's history (listed or applied, paid), by the issuing unit."""

    prefix = "grant."
    key = Source.GRANT
    fk = "grant_id"

    @staticmethod
    def event_model():
        from yiwang.policies.models import GrantEvent
        return GrantEvent

    def load(self, ids: list[int]) -> list[Subject]:
        from yiwang.policies.models import Grant

        events = _events_by(self.event_model(), self.fk, ids)
        out = []
        for g in Grant.objects.filter(pk__in=ids).values("id", "number", "policy__issuing_unit__region_id",
                                                          "policy__issuing_unit_id", "enterprise__park_id",
                                                          "policy__implementation_id", "policy__published_on"):
            evs = events.get(g["id"], [])
            dims = {"region": g["policy__issuing_unit__region_id"], "unit_id": g["policy__issuing_unit_id"],
                    "park_id": g["enterprise__park_id"], "impl_id": g["policy__implementation_id"],
                    "window_id": None, "staff_id": None}
            out.append(Subject(g["id"], g["number"], dims, len(evs), max((e.id for e in evs), default=0),
                               rules.grant_contributions(events=evs, published_on=g["policy__published_on"])))
        return out


SOURCES = (CaseSource(), EvaluationSource(), RectificationSource(), RequestSource(), BundleSource(),
           SupervisionTaskSource(), InspectionSource(), ViolationSource(), RepairSource(), GrantSource())


# ------------------------------------------------------------------------------------------ refresh

def rollup_refresh(*, full: bool = False) -> dict[str, int]:
    """Bring the rollup up to the events. Returns the number of subjects recomputed per source."""
    return _refresh(full=full)[0]


def rollup_current() -> tuple:
    """Bring the rollup up to the events and return its version: every source's cursor (last event id
    seen, time of the last refresh that changed something). Equal versions mean equal cells — a rebuild
    moves the refresh times — so a sum of cells may be cached under it."""
    return _refresh(full=False)[1]


def _tops() -> dict[str, int]:
    """The newest event id of every source, in one query (each MAX reads the end of a primary key)."""
    from django.db import connection

    tables = [src.event_model()._meta.db_table for src in SOURCES]
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(f"(SELECT MAX(id) FROM {connection.ops.quote_name(t)})" for t in tables))
        row = cur.fetchone()
    return {src.key: row[i] or 0 for i, src in enumerate(SOURCES)}


def _refresh(*, full: bool) -> tuple[dict[str, int], tuple]:
    """Two queries when nothing was appended: the sources' newest ids and the cursors."""
    tops = _tops()
    cursors = {c.source: c for c in RollupCursor.objects.all()}
    done = {}
    for src in SOURCES:
        cursor = cursors.get(src.key)
        if not full and cursor is not None and cursor.last_event_id >= tops[src.key]:
            done[src.key] = 0
            continue
        done[src.key] = _refresh_source(src, full=full, top=tops[src.key])
        cursors[src.key] = RollupCursor.objects.get(source=src.key)
    version = tuple((str(k), c.last_event_id, str(c.refreshed_at)) for k, c in sorted(cursors.items()))
    return done, version


def rollup_rebuild() -> dict[str, int]:
    """Drop the rollup and fold every history again (after a rule change, or to reconcile)."""
    with transaction.atomic():
        RollupCell.objects.all().delete()
        Contribution.objects.all().delete()
        SubjectMark.objects.all().delete()
        RollupCursor.objects.all().delete()
    done = rollup_refresh(full=True)
    if connection.vendor == "postgresql":  # the planner's statistics still say empty: refreshes would scan
        with connection.cursor() as cur:
            for model in (Contribution, SubjectMark, RollupCell):
                cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return done


def _refresh_source(src, *, full: bool, top: int) -> int:
    model = src.event_model()
    with transaction.atomic():
        cursor, _ = RollupCursor.objects.select_for_update().get_or_create(source=src.key)
        if not full and cursor.last_event_id >= top:  # another refresh got here first
            return 0
        since = 0 if full else max(0, cursor.last_event_id - LOOKBACK)
        ids = sorted(set(model.objects.filter(id__gt=since, id__lte=top).values_list(src.fk, flat=True)))
        done, touched = 0, set()
        for i in range(0, len(ids), CHUNK):
            n, t = _apply(src, ids[i:i + CHUNK], empty=full)
            done, touched = done + n, touched | t
        _cells_rebuild(touched, prefix=src.prefix if full else "")
        cursor.last_event_id, cursor.refreshed_at = max(top, cursor.last_event_id), timezone.now()
        cursor.save()
    return done


def _apply(src, ids: list[int], *, empty: bool = False) -> tuple[int, set[tuple[str, date]]]:
    """Recompute these subjects' contributions. empty: the rebuild emptied the tables, so there is nothing
    of theirs to compare or remove (and at 1 M cases those lookups, against tables growing inside one
    transaction whose statistics still say empty, were what made a rebuild take hours)."""
    if empty:
        fresh, touched = src.load(ids), set()
    else:
        marks = {m.subject_id: m for m in SubjectMark.objects.filter(source=src.key, subject_id__in=ids)}
        fresh = [s for s in src.load(ids) if s.id not in marks or
                 (marks[s.id].events, marks[s.id].last_event_id) != (s.events, s.last_event_id)]
        if not fresh:
            return 0, set()
        changed = [s.id for s in fresh]
        old = Contribution.objects.filter(source=src.key, subject_id__in=changed)
        touched = set(old.values_list("counter", "day"))
        old.delete()
        SubjectMark.objects.filter(source=src.key, subject_id__in=changed).delete()
    _append(SubjectMark, ("source", "subject_id", "ref", "events", "last_event_id", "open_deadline", *DIMS),
            [(src.key, s.id, s.ref, s.events, s.last_event_id, s.open_deadline, *(s.dims[d] for d in DIMS))
             for s in fresh])
    rows = [(src.key, s.id, s.ref, c, d, v, *(s.dims[k] for k in DIMS)) for s in fresh for c, d, v in s.contribs]
    _append(Contribution, ("source", "subject_id", "ref", "counter", "day", "value", *DIMS), rows)
    return len(fresh), touched | {(r[3], r[4]) for r in rows}


def _append(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows as plain tuples: COPY on PostgreSQL, executemany elsewhere. A full rebuild at 1 M
    cases writes ~25 M contributions, where bulk_create's per-value preparation was 70 % of the time."""
    if not rows:
        return
    table, qn = model._meta.db_table, connection.ops.quote_name
    cols = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cur.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)


def _cells_rebuild(pairs: set[tuple[str, date]], *, prefix: str = "") -> None:
    """Rebuild the cells of these (counter, day) pairs — or of every counter of a source (prefix) — as
    sums of their contributions; then the month cells of the (counter, month) pairs they fall in."""
    if prefix:
        _cells_write(Q(counter__startswith=prefix))
        _months_write(Q(counter__startswith=prefix))
        return
    pair_list = sorted(pairs)
    for i in range(0, len(pair_list), 200):
        q = Q()
        for counter, day in pair_list[i:i + 200]:
            q |= Q(counter=counter, day=day)
        _cells_write(q)
    months = sorted({(counter, day.replace(day=1)) for counter, day in pairs})
    for i in range(0, len(months), 200):
        q = Q()
        for counter, first in months[i:i + 200]:
            q |= Q(counter=counter, day__gte=first, day__lte=_month_end(first))
        _months_write(q)


COARSE = ("region", "unit_id", "park_id")


def _month_end(first: date) -> date:
    return rules.period_bounds("month", first)[1]


def _cells_write(q: Q) -> None:
    """The cells as sums of the contributions, summed by the database (one INSERT … SELECT per grain)."""
    RollupCell.objects.filter(q, grain__in=("fine", "coarse")).delete()
    qn, table = connection.ops.quote_name, RollupCell._meta.db_table
    for grain, dims in (("fine", DIMS), ("coarse", COARSE)):
        sums = (Contribution.objects.filter(q).values("counter", "day", *dims)
                .annotate(total=Sum("value"), n=Count("id")).order_by())
        sql, params = sums.query.sql_with_params()
        cols = ["counter", "day", *dims]
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {qn(table)} (grain, {', '.join(qn(c) for c in cols)}, value, subjects) "
                        f"SELECT %s, {', '.join('s.' + qn(c) for c in cols)}, s.total, s.n FROM ({sql}) s",
                        (grain, *params))


MONTH_GRAINS = (("month", COARSE), ("rmonth", ("region",)))


def _months_write(q: Q) -> None:
    """The month grains, under the month's first day: "month" (the coarse cells of a month summed: region,
    unit, park) and "rmonth" (per region only, for a region's overview with no unit or park chosen) — so a
    year's overview reads 12 rows per counter and region rather than 365 per unit, whatever the cases."""
    RollupCell.objects.filter(q, grain__in=[g for g, _ in MONTH_GRAINS]).delete()
    for grain, dims in MONTH_GRAINS:
        sums = (RollupCell.objects.filter(q, grain="coarse").annotate(month=TruncMonth("day"))
                .values("counter", "month", *dims).annotate(total=Sum("value"), n=Sum("subjects")))
        RollupCell.objects.bulk_create([RollupCell(grain=grain, day=_as_date(s.pop("month")), value=s.pop("total"),
                                                   subjects=s.pop("n"), **s) for s in sums], batch_size=2000)


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# ------------------------------------------------------------------------------------------ recount

def recount(sources: Iterable = SOURCES) -> dict[tuple, int]:
    """The cells as the events alone give them, without the rollup tables: {(counter, day, *dims): value}."""
    out: dict[tuple, int] = defaultdict(int)
    for src in sources:
        ids = sorted(set(src.event_model().objects.values_list(src.fk, flat=True)))
        for i in range(0, len(ids), CHUNK):
            for s in src.load(ids[i:i + CHUNK]):
                for c, d, v in s.contribs:
                    out[(c, d, *(s.dims[k] for k in DIMS))] += v
    return {k: v for k, v in out.items() if v}


def cells_as_dict(grain: str = "fine") -> dict[tuple, int]:
    return {(r["counter"], r["day"], *(r[k] for k in DIMS)): r["value"]
            for r in RollupCell.objects.filter(grain=grain).values("counter", "day", "value", *DIMS) if r["value"]}


def efficiency_weights_set(*, actor, region: str, weights: dict, note: str = "", now=None):
    """A supervisor publishes the weighting of 岗位效能评价 for a region of their scope: a new row, the old kept."""
    from yiwang.core.errors import DomainError, Forbidden
    from yiwang.organisations.models import Role
    from yiwang.organisations.selectors import has_role, region_subtree_codes, staff_roles

    from . import efficiency
    from .models import EfficiencyWeights

    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("仅督查人员可以调整岗位效能评价权重", field="weights")
    scope = {c for s in staff_roles(actor) if s.role == Role.SUPERVISOR for c in region_subtree_codes(s.unit.region_id)}
    if region not in scope:
        raise Forbidden(f"无权调整行政区划“{region}”的权重（超出本人辖区）", field="region")
    try:
        clean = efficiency.weights_check(weights)
    except ValueError as exc:
        part = exc.args[0]
        message = ("各项权重不能全为0" if not any(str(weights.get(p, "0")).strip() not in ("", "0")
                                                 for p in efficiency.PARTS)
                   else f"“{efficiency.PARTS[part][0]}”的权重应为0到100的整数")
        raise DomainError(message, field=f"weights.{part}") from None
    if len(note) > 200:
        raise DomainError("调整说明不能超过200个字", field="note")
    return EfficiencyWeights.objects.create(region=region, weights=clean, note=note.strip(), set_by=actor,
                                            set_at=now or timezone.now())
