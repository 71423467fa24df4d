"""Reads of the dashboard: who sees what (scope), the overview, series, rankings and the drill-down.

Every read brings the rollup up to the events first (services.rollup_refresh: a no-op when nothing
was appended), so a figure shown is never behind the history it is computed from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from yiwang.core.errors import DomainError, Forbidden
from yiwang.organisations.models import Region, Role, Unit, UnitKind
from yiwang.organisations.selectors import region_subtree_codes, staff_roles

from . import rules, services
from .models import Contribution, RollupCell, Source, SubjectMark

REGION_ROLES = (Role.LEADER, Role.SUPERVISOR)
RANK_BY = {"unit": "unit_id", "park": "park_id", "window": "window_id", "staff": "staff_id", "region": "region",
           "item": "impl_id"}
RANK_LABELS = {"unit": "单位", "park": "园区", "window": "窗口", "staff": "工作人员", "region": "行政区划",
               "item": "事项"}
SERIES_BY = ("day", "month", "quarter", "year")
MAX_DAYS = 366 * 5
DRILL_LIMIT = 200


@dataclass
class Scope:
    regions: list[str]  # the region subtree the user sees
    unit_id: int | None = None  # a unit head sees only their unit
    label: str = ""


@dataclass
class Filters:
    start: date
    end: date
    region: str = ""
    unit: Unit | None = None
    park: Unit | None = None
    item: int | None = None
    regions: list[str] = field(default_factory=list)

    def q(self, scope: Scope) -> Q:
        """The filter on contributions, marks and fine cells."""
        q = Q(region__in=self.regions)
        unit_id = scope.unit_id or (self.unit.pk if self.unit else None)
        if unit_id:
            q &= Q(unit_id=unit_id)
        if self.park:
            q &= Q(park_id=self.park.pk)
        if self.item:
            q &= Q(impl_id=self.item)
        return q


def scope_for(user) -> Scope:
    """Leaders and supervisors: their units' region subtrees; a department head: their unit."""
    roles = staff_roles(user)
    regional = [s for s in roles if s.role in REGION_ROLES]
    if regional:
        codes: list[str] = []
        for s in regional:
            codes += [c for c in region_subtree_codes(s.unit.region_id) if c not in codes]
        top = regional[0].unit.region
        return Scope(codes, None, f"{top.name}（含下辖区域）")
    heads = [s for s in roles if s.role == Role.DEPARTMENT_HEAD]
    if heads:
        return Scope(region_subtree_codes(heads[0].unit.region_id), heads[0].unit_id, heads[0].unit.name)
    raise Forbidden("无权查看领导驾驶舱：仅领导、督查人员和部门负责人可以查看", code="forbidden")


def _date(value: str, field_name: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(f"{label}应为 YYYY-MM-DD 格式的日期", field=field_name) from None


def filters_parse(scope: Scope, *, region: str = "", unit: str = "", park: str = "", item: str = "",
                  start: str = "", end: str = "", today: date | None = None) -> Filters:
    """The query's filters, checked against the user's scope; the default period is this month so far."""
    today = today or timezone.localdate()
    first, _ = rules.period_bounds("month", today)
    s = _date(start, "from", "起始日期") if start else first
    e = _date(end, "to", "截止日期") if end else today
    if e < s:
        raise DomainError("截止日期不能早于起始日期", field="to")
    if (e - s).days > MAX_DAYS:
        raise DomainError("统计期间不能超过5年", field="to")
    regions = scope.regions
    if region:
        if region not in scope.regions:
            raise Forbidden(f"无权查看行政区划“{region}”的数据（超出本人辖区）", field="region")
        regions = region_subtree_codes(region)
    f = Filters(s, e, region, regions=regions)
    f.unit = _unit(unit, "unit", "单位", scope) if unit else None
    f.park = _unit(park, "park", "园区", scope, kind=UnitKind.PARK) if park else None
    if item:
        from yiwang.catalogue.models import ItemImplementation

        f.item = ItemImplementation.objects.filter(impl_code=item).values_list("id", flat=True).first()
        if f.item is None:
            raise DomainError(f"事项实施编码“{item}”不存在", field="item")
    return f


def _unit(code: str, field_name: str, label: str, scope: Scope, kind: str = "") -> Unit:
    u = Unit.objects.filter(code=code).first()
    if u is None or (kind and u.kind != kind):
        raise DomainError(f"{label}“{code}”不存在", field=field_name)
    if u.region_id not in scope.regions or (scope.unit_id and u.pk != scope.unit_id):
        raise Forbidden(f"无权查看{label}“{u.name}”的数据", field=field_name)
    return u


def cells(f: Filters, scope: Scope):
    """The cells to sum: the coarse grain unless an item is asked for."""
    return RollupCell.objects.filter(f.q(scope), grain="fine" if f.item else "coarse")


def span_q(start: date, end: date, *, daily: str = "", month: str = "month") -> Q:
    """The cells of [start, end]: its whole months from the "month" grain (one row per month, counter and
    unit), the days at either edge from the daily coarse grain. `daily` names a daily grain to read
    instead (fine: by item, window or staff; coarse: a series by day); `month` the month grain (rmonth:
    per region only, when no unit or park is asked for)."""
    if daily:
        return Q(grain=daily, day__gte=start, day__lte=end)
    first = start if start.day == 1 else rules.period_bounds("month", start)[1] + timedelta(days=1)
    last_first = rules.period_bounds("month", end)[0]
    if rules.period_bounds("month", end)[1] != end:  # the last month is not whole
        last_first = (last_first - timedelta(days=1)).replace(day=1)
    if first > last_first:  # no whole month inside
        return Q(grain="coarse", day__gte=start, day__lte=end)
    q = Q(grain=month, day__gte=first, day__lte=last_first)
    if start < first:
        q |= Q(grain="coarse", day__gte=start, day__lt=first)
    after = rules.period_bounds("month", last_first)[1]
    if end > after:
        q |= Q(grain="coarse", day__gt=after, day__lte=end)
    return q


def _sums(f: Filters, scope: Scope, start: date, end: date, counters: set[str] | None = None) -> dict[str, int]:
    regional = not (f.item or f.unit or f.park or scope.unit_id)
    qs = RollupCell.objects.filter(f.q(scope)).filter(span_q(start, end, daily="fine" if f.item else "",
                                                             month="rmonth" if regional else "month"))
    if counters:
        qs = qs.filter(counter__in=counters)
    return {r["counter"]: r["v"] for r in qs.values("counter").annotate(v=Sum("value"))}


def _live(q: Q, today: date) -> dict[str, int]:
    n = SubjectMark.objects.filter(q, source=Source.CASE, open_deadline__lt=today).count()
    return {"live.case.overdue": n}


def _projects_live(f: Filters) -> dict[str, int]:
    """一个项目、一名专员: the agent coverage of the open projects in the parks of the filtered regions (or
    the one park), in one query; the same counts as projects.selectors.agent_coverage, and the 省、市重点 ones."""
    from django.db.models import Count

    from yiwang.projects.models import KeyLevel, Project
    from yiwang.projects.selectors import OPEN

    parks = [f.park.pk] if f.park else Unit.objects.filter(kind=UnitKind.PARK, region_id__in=f.regions).values("pk")
    key, agent = ~Q(key_level=KeyLevel.NONE), Q(agent__isnull=False)
    upper = Q(key_level__in=(KeyLevel.PROVINCE, KeyLevel.CITY))
    row = Project.objects.filter(status__in=OPEN, park_id__in=parks).aggregate(
        key=Count("pk", filter=key), key_with_agent=Count("pk", filter=key & agent),
        key_upper=Count("pk", filter=upper), key_upper_with_agent=Count("pk", filter=upper & agent),
        with_agent=Count("pk", filter=agent), agents=Count("agent", distinct=True))
    return {f"live.project.{k}": v for k, v in row.items()}


def _policies_live(f: Filters, scope: Scope) -> dict[str, int]:
    """惠企政策发布数: the published (or closed) policies of the units in the filtered regions (or the one unit)."""
    from yiwang.policies.models import Policy, PolicyStatus

    qs = Policy.objects.filter(status__in=(PolicyStatus.PUBLISHED, PolicyStatus.CLOSED),
                               issuing_unit__region_id__in=f.regions)
    unit_id = scope.unit_id or (f.unit.pk if f.unit else None)
    if unit_id:
        qs = qs.filter(issuing_unit_id=unit_id)
    return {"live.policy.issued": qs.count()}


@dataclass
class OverviewRow:
    now: rules.FigureValue
    before: rules.FigureValue

    @property
    def change(self) -> float | None:
        return None if self.now.figure.live else rules.change(self.now, self.before)

    @property
    def magnitude(self) -> float | None:
        return None if self.change is None else abs(self.change)

    @property
    def better(self) -> bool:
        """Whether the change is an improvement (more 超期 or 差评 is worse)."""
        return (self.change or 0) > 0 if self.now.figure.up_is_good else (self.change or 0) < 0


CACHE_SECONDS = 600


def period_sums(scope: Scope, f: Filters, start: date, end: date, *, version: tuple | None = None) -> dict[str, int]:
    """The counters summed over a period, cached under the rollup's version: the same cells give the same
    sums, and any new event (or a rebuild) moves the version, so a cached sum is never behind the events."""
    import hashlib

    from django.core.cache import cache

    version = version or services.rollup_current()
    key = "dash:sums:" + hashlib.sha256(repr((version, sorted(f.regions), scope.unit_id, f.unit and f.unit.pk,
                                              f.park and f.park.pk, f.item, start, end)).encode()).hexdigest()
    sums = cache.get(key)
    if sums is None:
        sums = _sums(f, scope, start, end)
        cache.set(key, sums, CACHE_SECONDS)
    return sums


def overview(scope: Scope, f: Filters, *, today: date | None = None) -> list[OverviewRow]:
    today = today or timezone.localdate()
    p0, p1 = rules.previous_range(f.start, f.end)
    version = services.rollup_current()
    now = dict(period_sums(scope, f, f.start, f.end, version=version))
    before = dict(period_sums(scope, f, p0, p1, version=version))
    live = {**_live(f.q(scope), today), **_projects_live(f), **_policies_live(f, scope)}
    now.update(live)
    before.update(live)
    return [OverviewRow(rules.figure_value(fig, now), rules.figure_value(fig, before)) for fig in rules.FIGURES]


def figure_get(code: str) -> rules.Figure:
    fig = rules.FIGURES_BY_CODE.get(code)
    if fig is None:
        raise DomainError(f"指标代码“{code}”不存在", field="figure")
    return fig


def series(scope: Scope, f: Filters, *, figure: str, by: str) -> list[dict]:
    fig = figure_get(figure)
    if fig.live:
        raise DomainError(f"“{fig.name}”是当前状态，没有时间序列", field="figure")
    if by not in SERIES_BY:
        raise DomainError("时间粒度应为 day、month、quarter 或 year", field="by")
    services.rollup_refresh()
    counters = {fig.numerator, fig.denominator} - {""}
    daily = "fine" if f.item else "coarse" if by == "day" else ""
    rows = (RollupCell.objects.filter(f.q(scope), span_q(f.start, f.end, daily=daily), counter__in=counters)
            .values("counter", "day").annotate(v=Sum("value")))
    per: dict[str, dict[str, int]] = {}
    for r in rows:
        label = rules.period_label(by, r["day"])
        per.setdefault(label, {}).setdefault(r["counter"], 0)
        per[label][r["counter"]] += r["v"]
    out = []
    for label, s, e in rules.periods_in(by, f.start, f.end):
        fv = rules.figure_value(fig, per.get(label, {}))
        out.append({"period": label, "from": s, "to": e, "numerator": fv.numerator,
                    "denominator": fv.denominator, "value": fv.value})
    return out


def ranking(scope: Scope, f: Filters, *, figure: str, by: str, refresh: bool = True) -> list[dict]:
    """refresh=False: the caller brought the rollup up to date already (several rankings in one answer)."""
    fig = figure_get(figure)
    if by not in RANK_BY:
        raise DomainError("排名维度应为 unit、window、staff、park、region 或 item", field="by")
    if fig.live:
        raise DomainError(f"“{fig.name}”是当前状态，请在总览查看", field="figure")
    if refresh:
        services.rollup_refresh()
    col = RANK_BY[by]
    counters = {fig.numerator, fig.denominator} - {""}
    daily = "" if col in ("region", "unit_id", "park_id") and not f.item else "fine"
    rows = (RollupCell.objects.filter(f.q(scope), span_q(f.start, f.end, daily=daily), counter__in=counters)
            .exclude(**{f"{col}__isnull": True}).values(col, "counter").annotate(v=Sum("value")))
    per: dict = {}
    for r in rows:
        per.setdefault(r[col], {})[r["counter"]] = r["v"]
    names = _names(by, set(per))
    out = []
    for key, sums in per.items():
        fv = rules.figure_value(fig, sums)
        if fv.denominator or fig.kind == "count":
            out.append({"key": key, "name": names.get(key, str(key)), "numerator": fv.numerator,
                        "denominator": fv.denominator, "value": fv.value})
    out.sort(key=lambda r: (-(r["value"] if r["value"] is not None else -1), -r["denominator"], r["name"]))
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out


def _names(by: str, keys: set) -> dict:
    keys = {k for k in keys if k is not None}
    if by in ("unit", "park"):
        return dict(Unit.objects.filter(pk__in=keys).values_list("id", "name"))
    if by == "region":
        return dict(Region.objects.filter(pk__in=keys).values_list("code", "name"))
    if by == "window":
        from yiwang.organisations.models import Window

        return dict(Window.objects.filter(pk__in=keys).values_list("id", "name"))
    if by == "item":
        from yiwang.catalogue.models import ItemImplementation

        return {i: n for i, n in ItemImplementation.objects.filter(pk__in=keys).values_list("id", "item__name")}
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=keys)
    return {u.pk: u.first_name or u.get_username() for u in users}


# ------------------------------------------------------------------------------------------ 区域示意图

PLACE_KINDS = (UnitKind.PARK, "town", "community")  # the places of the service network a map shows


def region_map(scope: Scope, f: Filters, *, figure: str) -> list[dict]:
    """The schematic map (区域示意图): every region of the filtered subtree, and in each its parks, towns and
    community points, with the figure's value — a treemap the page colours by the value and sizes by the
    denominator. Not a geographic map: no boundary data is served, so nothing is fetched from a tile service."""
    fig = figure_get(figure)
    if fig.live:
        raise DomainError(f"“{fig.name}”是当前状态，请在总览查看", field="figure")
    services.rollup_refresh()
    by_region = {r["key"]: r for r in ranking(scope, f, figure=figure, by="region", refresh=False)}
    by_unit = {r["key"]: r for r in ranking(scope, f, figure=figure, by="unit", refresh=False)}
    by_park = {r["key"]: r for r in ranking(scope, f, figure=figure, by="park", refresh=False)}
    places = Unit.objects.filter(region_id__in=f.regions, kind__in=PLACE_KINDS).order_by("code")
    if scope.unit_id:
        places = places.filter(pk=scope.unit_id)
    children: dict[str, list] = {}
    for u in places.values("pk", "name", "kind", "region_id"):
        row = by_park.get(u["pk"]) if u["kind"] == UnitKind.PARK else by_unit.get(u["pk"])
        children.setdefault(u["region_id"], []).append(_map_node(u["name"], row))
    regions = Region.objects.filter(code__in=f.regions).order_by("code").values_list("code", "name")
    return [{**_map_node(name, by_region.get(code)), "code": code, "children": children.get(code, [])}
            for code, name in regions]


def _map_node(name: str, row: dict | None) -> dict:
    row = row or {}
    return {"name": name, "value": row.get("value"), "numerator": row.get("numerator", 0),
            "denominator": row.get("denominator", 0)}


@dataclass
class Drill:
    figure: rules.Figure
    side: str
    total: int
    rows: list[dict]


def drilldown(user, scope: Scope, f: Filters, *, figure: str, side: str = "numerator",
              today: date | None = None) -> Drill:
    """The subjects behind one side of a figure: the contributions that make it, with no personal data.
    A case links to its workbench page only when the workbench would show it to this user."""
    fig = figure_get(figure)
    if side not in ("numerator", "denominator") or (side == "denominator" and not fig.denominator):
        raise DomainError("请选择分子（numerator）或分母（denominator）", field="side")
    services.rollup_refresh()
    if fig.live:
        today = today or timezone.localdate()
        marks = SubjectMark.objects.filter(f.q(scope), source=Source.CASE, open_deadline__lt=today)
        refs = list(marks.order_by("open_deadline").values_list("subject_id", "ref", "open_deadline"))
        rows = [{"source": Source.CASE, "subject_id": i, "ref": r, "day": d, "value": 1} for i, r, d in refs]
    else:
        counter = fig.numerator if side == "numerator" else fig.denominator
        qs = (Contribution.objects.filter(f.q(scope), counter=counter, day__gte=f.start, day__lte=f.end)
              .order_by("day", "ref"))
        rows = list(qs.values("source", "subject_id", "ref", "day", "value"))
    total = sum(r["value"] for r in rows)
    rows = rows[:DRILL_LIMIT]
    _describe(user, rows)
    return Drill(fig, side, total, rows)


def _describe(user, rows: list[dict]) -> None:
    case_ids = [r["subject_id"] for r in rows if r["source"] == Source.CASE]
    if not case_ids:
        return
    from yiwang.cases.models import Case
    from yiwang.cases.selectors import visible_cases

    info = {c["id"]: c for c in Case.objects.filter(pk__in=case_ids).values(
        "id", "implementation__item__name", "deciding_unit__name", "status", "deadline")}
    status = dict(Case._meta.get_field("status").choices)
    openable = set(visible_cases(user).filter(pk__in=case_ids).values_list("id", flat=True))
    for r in rows:
        c = info.get(r["subject_id"]) if r["source"] == Source.CASE else None
        if c:
            r.update(item=c["implementation__item__name"], unit=c["deciding_unit__name"],
                     status=status.get(c["status"], c["status"]), deadline=c["deadline"],
                     openable=r["subject_id"] in openable)


def choices(scope: Scope) -> dict:
    """The filter options this scope may pick from."""
    units = Unit.objects.filter(region_id__in=scope.regions)
    if scope.unit_id:
        units = units.filter(pk=scope.unit_id)
    return {
        "regions": list(Region.objects.filter(code__in=scope.regions).values_list("code", "name")),
        "units": list(units.exclude(kind=UnitKind.PARK).values_list("code", "name")),
        "parks": list(Unit.objects.filter(region_id__in=scope.regions, kind=UnitKind.PARK)
                      .values_list("code", "name")),
    }




PUBLIC_FIGURES = ("EVA-HP", "EVA-CP", "EVA-ZG", "EVA-ZGAS")


def public_ratings(start: date, end: date, region: str = "") -> list[dict]:
    """好差评 results made public (国办发〔2019〕51号): per unit, counts and rates only, no rater or staff."""
    services.rollup_refresh()
    q = span_q(start, end) & Q(counter__startswith="eval.", unit_id__isnull=False)
    if region:
        q &= Q(region__in=region_subtree_codes(region))
    per: dict = {}
    for r in RollupCell.objects.filter(q).values("unit_id", "counter").annotate(v=Sum("value")):
        per.setdefault(r["unit_id"], {})[r["counter"]] = r["v"]
    names = dict(Unit.objects.filter(pk__in=per).values_list("id", "name"))
    rows = []
    for unit_id, sums in per.items():
        figs = {code: rules.figure_value(rules.FIGURES_BY_CODE[code], sums) for code in PUBLIC_FIGURES}
        rows.append({"unit": names.get(unit_id, ""), "rated": sums.get("eval.rated", 0),
                     "bad": sums.get("eval.bad", 0), **{c.replace("-", "_"): f for c, f in figs.items()}})
    rows.sort(key=lambda r: (-(r["EVA_HP"].value or 0), -r["rated"], r["unit"]))
    return rows


# ------------------------------------------------------------------------------------------ 岗位效能评价

EFFICIENCY_BY = {"staff": "工作人员", "window": "窗口", "unit": "单位"}


def scope_home_region(scope: Scope) -> str:
    """The region whose weighting applies to a scope: the first (by code) of its top regions, the same on
    every request whatever order the user's roles come in."""
    parents = dict(Region.objects.filter(code__in=scope.regions).values_list("code", "parent_id"))
    tops = sorted(c for c in scope.regions if parents.get(c) not in parents)
    return tops[0] if tops else scope.regions[0]


def efficiency_weights(region: str) -> tuple[dict[str, int], object | None]:
    """The newest weighting published for the region or the nearest region above it; the default otherwise."""
    from . import efficiency
    from .models import EfficiencyWeights

    chain, node = [], Region.objects.filter(code=region).first()
    while node is not None:
        chain.append(node.code)
        node = node.parent
    rows = {}
    for row in EfficiencyWeights.objects.filter(region__in=chain).order_by("region", "-set_at", "-pk"):
        rows.setdefault(row.region, row)
    for code in chain:
        if code in rows:  # in the parts' order (jsonb keeps its own key order)
            return {p: int(rows[code].weights.get(p, 0)) for p in efficiency.PARTS}, rows[code]
    return dict(efficiency.DEFAULT_WEIGHTS), None


def efficiency_ranking(scope: Scope, f: Filters, *, by: str, weights: dict[str, int]) -> list[dict]:
    """Every staff member, window or unit of the scope with a score: the parts from the same rankings the
    dashboard shows (so each part can be checked there), weighted as published."""
    from . import efficiency

    if by not in EFFICIENCY_BY:
        raise DomainError("评价对象应为工作人员、窗口或单位", field="by")
    services.rollup_refresh()  # once for the four rankings below
    per: dict = {}
    for code in ("EVA-HP", "EVA-CP", "EVA-ZG", "GOV-AS"):
        for r in ranking(scope, f, figure=code, by=by, refresh=False):
            per.setdefault(r["key"], {"name": r["name"]})[code] = r
    values = {}
    for key, got in per.items():
        hp, cp, zg, on_time = (got.get(c) for c in ("EVA-HP", "EVA-CP", "EVA-ZG", "GOV-AS"))
        values[key] = efficiency.PartValues(
            good_rate=hp and hp["value"], bad_rate=cp and cp["value"], rectified_rate=zg and zg["value"],
            bad_count=cp["numerator"] if cp else 0, on_time_rate=on_time and on_time["value"],
            decided=on_time["denominator"] if on_time else 0)
    out = []
    for i, s in enumerate(efficiency.scores(values, weights), start=1):
        out.append({"rank": i, "key": s.key, "name": per[s.key]["name"], "score": s.score, "parts": s.parts,
                    "decided": values[s.key].decided})
    return out


def own_scope(user) -> Scope:
    """A staff member's own region subtree: where the staff they are ranked among work."""
    roles = staff_roles(user)
    if not roles:
        raise Forbidden("仅工作人员可以查看本人的岗位效能评价")
    return Scope(region_subtree_codes(roles[0].unit.region_id), None, roles[0].unit.region.name)


def efficiency_own(user, scope: Scope, f: Filters) -> dict:
    """A staff member's own row among the staff of their region (only their own: the others are not shown)."""
    weights, published = efficiency_weights(scope_home_region(scope))
    rows = efficiency_ranking(scope, f, by="staff", weights=weights)
    mine = next((r for r in rows if r["key"] == user.pk), None)
    return {"row": mine, "of": len(rows), "weights": weights, "published": published}
