"""Plain rules of the catalogue: routing through empowerments and the bundle graph.

No database here: selectors feed these functions, tests call them with tables.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from yiwang.core.errors import DomainError, FieldError

# ---------------------------------------------------------------- routing

NO_EMPOWERMENT = "NONE"


@dataclass(frozen=True)
class EmpowermentTerm:
    park: str
    mode: str
    effective_from: date
    effective_to: date | None = None
    approving_unit: str | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


@dataclass(frozen=True)
class Route:
    mode: str
    receiving_unit: str
    reviewing_unit: str
    deciding_unit: str
    in_name_of: str
    # 收受分离: a window of another region took the application in and forwards it (None: not so).
    remote_intake_unit: str | None = None


# Units an item may be devolved to (赋权): parks, towns (乡镇), village and community service points.
EMPOWERABLE_KINDS = frozenset({"park", "town", "community"})


@dataclass(frozen=True)
class IntakePoint:
    """Where an application is taken in at a window: the window's unit, its kind and its region."""

    unit: str
    kind: str
    region: str
    region_name: str = ""


@dataclass(frozen=True)
class ListingTerm:
    """One row of the 跨域通办清单 for an item: windows of `receiving_region` may take it in."""

    receiving_region: str
    effective_from: date
    effective_to: date | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


def route_at(*, department: str, item_region: str, at: IntakePoint | None, park: str | None, on: date,
             empowerments: Iterable[EmpowermentTerm], listings: Iterable[ListingTerm] = (),
             item_region_name: str = "") -> Route:
    """`route`, from where the application is taken in.

    No intake point (online, an agent) or a hall or department window of the item's region: routed
    by the applicant's park, as `route`. A park, town or community window of the item's region: by
    that unit's own empowerment; none in force is refused (the item was not devolved there). A window
    of another region: only where the 跨域通办清单 lists that region for the item on that day; the
    item's own department then receives (accepts), reviews and decides, in its own name, and the
    window is the remote intake unit that takes the application in and forwards it.
    """
    if at is None or (at.region == item_region and at.kind not in EMPOWERABLE_KINDS):
        return route(department=department, park=park, on=on, empowerments=empowerments)
    if at.region == item_region:
        r = route(department=department, park=at.unit, on=on, empowerments=empowerments)
        if r.mode == NO_EMPOWERMENT:
            raise DomainError("item：该事项未下放（赋权）至本单位，不能在本单位窗口收件，请到政务服务中心办理",
                              field="item", code="not_empowered")
        return r
    if not any(t.receiving_region == at.region and t.in_force(on) for t in listings):
        here, there = at.region_name or at.region, item_region_name or item_region
        raise DomainError(f"item：该事项未列入{here}收件、{there}办理的跨域通办清单，不能在本地窗口收件",
                          field="item", code="not_listed")
    r = route(department=department, park=None, on=on, empowerments=empowerments)
    return replace(r, remote_intake_unit=at.unit)


def route(*, department: str, park: str | None, on: date, empowerments: Iterable[EmpowermentTerm]) -> Route:
    """Who receives, reviews and decides an application, and in whose name.

    DIRECT: the park receives and decides in its own name. ENTRUSTED: the park receives and
    decides in the department's name. FORWARD: the park receives, the department decides.
    DIRECT_REPORT: the park receives and reviews, the approving level decides. No empowerment
    of this park in force on that day: the department does everything.
    """
    term = None
    if park:
        candidates = [e for e in empowerments if e.park == park and e.in_force(on)]
        term = max(candidates, key=lambda e: e.effective_from, default=None)
    if term is None:
        return Route(NO_EMPOWERMENT, department, department, department, department)
    if term.mode == "DIRECT":
        return Route(term.mode, park, park, park, park)
    if term.mode == "ENTRUSTED":
        return Route(term.mode, park, park, park, department)
    if term.mode == "FORWARD":
        return Route(term.mode, park, department, department, department)
    if term.mode == "DIRECT_REPORT":
        approver = term.approving_unit or department
        return Route(term.mode, park, park, approver, approver)
    raise ValueError(f"unknown empowerment mode {term.mode}")


# ---------------------------------------------------------------- application forms

FORM_VALUE_MAX = 500


def form_errors(fields: Sequence[str], form: object, *, whose: str) -> list[FieldError]:
    """Every problem of the filled-in form, each at its field ("form.<name>"), named by the field."""
    if not isinstance(form, dict):
        return [FieldError("form", "申请表应为对象")]
    errors = [FieldError(f"form.{k}", f"“{k}”不是{whose}的字段") for k in form if k not in fields]
    for name in fields:
        value = form.get(name)
        if value is None or not str(value).strip():
            errors.append(FieldError(f"form.{name}", f"请填写{name}"))
        elif len(str(value)) > FORM_VALUE_MAX:
            errors.append(FieldError(f"form.{name}", f"{name}不能超过{FORM_VALUE_MAX}个字"))
    return errors


def form_check(fields: Sequence[str], form: object, *, whose: str) -> dict[str, str]:
    """The filled-in form with exactly these fields, each non-empty, trimmed and not too long; all
    its problems at once otherwise.

    `whose` names the form in the message for an unknown field ("该事项申请表", "该一件事合并申请表").
    """
    errors = form_errors(fields, form, whose=whose)
    if errors:
        raise DomainError("", errors=errors)
    return {k: str(form[k]).strip() for k in fields}


# ---------------------------------------------------------------- bundle graph


class BundleGraphError(ValueError):
    def __init__(self, message: str, *, members: Sequence[Hashable] = ()):
        super().__init__(message)
        self.message = message
        self.members = list(members)


def bundle_layers(waits_for: Mapping[Hashable, Iterable[Hashable]]) -> list[list[Hashable]]:
    """Members in layers: each layer runs in parallel once every earlier layer is done.

    Raises BundleGraphError naming the members of a cycle, or a member waiting for an outsider.
    """
    deps = {m: list(dict.fromkeys(a)) for m, a in waits_for.items()}
    for m, after in deps.items():
        for a in after:
            if a not in deps:
                raise BundleGraphError(f"成员“{m}”等待的“{a}”不在本一件事中", members=[m, a])
            if a == m:
                raise BundleGraphError(f"成员“{m}”不能等待自己", members=[m])
    order = list(deps)
    done: set = set()
    layers = []
    while len(done) < len(deps):
        layer = [m for m in order if m not in done and all(a in done for a in deps[m])]
        if not layer:
            raise BundleGraphError("成员之间存在循环等待：" + " → ".join(map(str, _find_cycle(deps, done))),
                                   members=_find_cycle(deps, done))
        layers.append(layer)
        done.update(layer)
    return layers


def _find_cycle(deps: Mapping, done: set) -> list:
    start = next(m for m in deps if m not in done)
    path, seen = [start], {start: 0}
    node = start
    while True:
        node = next(a for a in deps[node] if a not in done)
        if node in seen:
            return path[seen[node]:] + [node]
        seen[node] = len(path)
        path.append(node)


def transitive_waits(waits_for: Mapping[Hashable, Iterable[Hashable]]) -> dict[Hashable, set]:
    closure: dict[Hashable, set] = {}

    def visit(m):
        if m not in closure:
            closure[m] = set()
            for a in waits_for[m]:
                closure[m] |= {a} | visit(a)
        return closure[m]

    for m in waits_for:
        visit(m)
    return closure


def critical_path_days(waits_for: Mapping[Hashable, Iterable[Hashable]], days: Mapping[Hashable, int]) -> int:
    """The longest chain of promised days through the graph: what running in order costs."""
    finish: dict = {}
    for layer in bundle_layers(waits_for):
        for m in layer:
            finish[m] = days[m] + max((finish[a] for a in waits_for[m]), default=0)
    return max(finish.values(), default=0)


@dataclass
class MergedField:
    name: str
    members: list = field(default_factory=list)


@dataclass
class MemberMaterial:
    name: str
    source: str
    required: bool = True
    tolerable: bool = False


@dataclass
class MergedMaterial:
    name: str
    source: str
    members: list = field(default_factory=list)
    produced_by: Hashable | None = None
    required: bool = False
    tolerable: bool = True

    @property
    def asked_of_applicant(self) -> bool:
        return self.produced_by is None and self.source == "applicant"


def merge_form(fields_of: Mapping[Hashable, Sequence[str]]) -> list[MergedField]:
    """Each field once, in first-seen order, with the members that need it."""
    merged: dict[str, MergedField] = {}
    for member, names in fields_of.items():
        for name in names:
            merged.setdefault(name, MergedField(name)).members.append(member)
    return list(merged.values())


def merge_materials(
    materials_of: Mapping[Hashable, Sequence[MemberMaterial]],
    produces: Mapping[Hashable, str],
    waits_for: Mapping[Hashable, Iterable[Hashable]],
) -> list[MergedMaterial]:
    """Each material once. One that a member this one waits for produces (the business licence)
    is produced inside the bundle and not asked of the applicant."""
    closure = transitive_waits(waits_for)
    merged: dict[str, MergedMaterial] = {}
    inside: dict[str, bool] = {}
    for member, materials in materials_of.items():
        for mat in materials:
            entry = merged.setdefault(mat.name, MergedMaterial(mat.name, mat.source))
            entry.members.append(member)
            entry.required = entry.required or mat.required
            entry.tolerable = entry.tolerable and mat.tolerable
            producer = next((p for p in closure[member] if produces.get(p) == mat.name), None)
            # Produced inside only if every member that needs it waits for its producer.
            inside[mat.name] = inside.get(mat.name, True) and producer is not None
            if producer is not None and entry.produced_by is None:
                entry.produced_by = producer
    for name, entry in merged.items():
        if not inside[name]:
            entry.produced_by = None
    return list(merged.values())


# --- 办事指南: 网办深度 and 到现场次数 ----------------------------------------------------------------------
FULL_ONLINE_DEPTH = "4"  # Ⅳ级 全程网办
MAX_VISITS = 2  # "最多跑一次" is the target; two is tolerated for items with an on-site inspection


def guide_depth_problem(*, online_depth: str, visits: int) -> str:
    """The problem with a guide's 网办深度 and 到办事现场次数 taken together, or "" when they agree:
    全程网办 (Ⅳ级) means no visit; an item that is not fully online needs the applicant at least once."""
    if online_depth == FULL_ONLINE_DEPTH and visits != 0:
        return "网上办理深度为“Ⅳ级 全程网办”的事项，到办事现场次数应为0次"
    if online_depth != FULL_ONLINE_DEPTH and visits == 0:
        return "到办事现场次数为0次的事项，网上办理深度应为“Ⅳ级 全程网办”"
    if visits > MAX_VISITS:
        return f"到办事现场次数不应超过{MAX_VISITS}次"
    return ""
