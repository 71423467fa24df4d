"""领导驾驶舱 pages: the overview with its definitions, the drill-down, the charts' page and Excel exports."""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from yiwang.core.errors import DomainError, Forbidden
from yiwang.organisations.models import Role
from yiwang.organisations.selectors import has_role

from . import efficiency, excel, rules, selectors, services

PRESETS = {"month": "本月", "last_month": "上月", "quarter": "本季度", "year": "本年", "custom": "自定义"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_KEYS = ("period", "from", "to", "region", "unit", "park", "item")


def dashboard_page(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        try:
            scope = selectors.scope_for(request.user)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        return view(request, scope, *args, **kwargs)

    return wrapped


def preset_range(preset: str, today: date) -> tuple[str, str]:
    if preset == "last_month":
        s, e = rules.period_bounds("month", today.replace(day=1) - timedelta(days=1))
    elif preset in ("quarter", "year"):
        s, e = rules.period_bounds(preset, today)
        e = min(e, today)
    else:
        s, e = rules.period_bounds("month", today)
        e = min(e, today)
    return s.isoformat(), e.isoformat()


def _filters(request, scope):
    """The filters from the query string; a bad one is shown at its field and the defaults are used."""
    g = request.GET
    preset = g.get("period", "month") if g.get("period") in PRESETS else "month"
    start, end = (g.get("from", ""), g.get("to", "")) if preset == "custom" else preset_range(
        preset, timezone.localdate())
    values = {"period": preset, "from": start, "to": end, **{k: g.get(k, "") for k in ("region", "unit", "park",
                                                                                        "item")}}
    try:
        f = selectors.filters_parse(scope, region=values["region"], unit=values["unit"], park=values["park"],
                                    item=values["item"], start=start, end=end)
        error = None
    except DomainError as exc:
        if isinstance(exc, Forbidden) and exc.field is None:
            raise PermissionDenied(exc.message) from None
        f, error = selectors.filters_parse(scope), exc
    return f, values, error


def _qs(values: dict, **extra) -> str:
    return urlencode({**{k: v for k, v in values.items() if v}, **extra})


def _subtitle(scope, f) -> str:
    where = [scope.label]
    if f.region:
        where.append(f"区划 {f.region}")
    if f.unit:
        where.append(f.unit.name)
    if f.park:
        where.append(f.park.name)
    p0, p1 = rules.previous_range(f.start, f.end)
    return f"{' · '.join(where)}　统计期间：{f.start} 至 {f.end}（对比期间：{p0} 至 {p1}）"


@dashboard_page
def home(request, scope):
    f, values, error = _filters(request, scope)
    rows = selectors.overview(scope, f)
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r.now.figure.group, []).append(r)
    headline = {r.now.figure.code: r.now for r in rows}
    qs = _qs(values)
    api = _qs({"region": values["region"], "unit": values["unit"], "park": values["park"], "item": values["item"],
               "from": f.start.isoformat(), "to": f.end.isoformat()})
    trend_from = rules.period_bounds("month", f.end.replace(day=1) - timedelta(days=330))[0]
    trend = _qs({"region": values["region"], "unit": values["unit"], "park": values["park"],
                 "from": trend_from.isoformat(), "to": f.end.isoformat()})
    return render(request, "dashboards/home.html", {
        "scope": scope, "f": f, "values": values, "error": error, "groups": groups, "presets": PRESETS,
        "choices": selectors.choices(scope), "qs": qs, "api_qs": api, "trend_qs": trend,
        "subtitle": _subtitle(scope, f),
        "headline": [headline[c] for c in ("GOV-WB", "GOV-AS", "GOV-YCSL", "EVA-HP", "HOT-QYSQ", "GOV-CQZB")],
        "chart_figures": [x for x in rules.FIGURES if not x.live], "ledger_link": _ledger_link(request.user),
    })


def _ledger_link(user) -> bool:
    from django.apps import apps

    if not apps.is_installed("yiwang.ledger"):
        return False
    from yiwang.ledger.selectors import plans_visible

    return bool(plans_visible(user))


def _overview_rows(rows) -> list[list]:
    out = []
    for r in rows:
        fig = r.now.figure
        out.append([fig.group, fig.code, fig.name, r.now.display, r.now.numerator,
                    r.now.denominator if fig.denominator else "", "—" if fig.live else r.before.display,
                    "" if r.change is None else r.change, fig.definition])
    return out


OVERVIEW_HEAD = ["类别", "指标代码", "指标", "本期值", "分子", "分母", "上期值", "变化（百分点/件）", "口径（分子 ÷ 分母）"]


@dashboard_page
def export_overview(request, scope):
    f, _, _ = _filters(request, scope)
    rows = selectors.overview(scope, f)
    data = excel.table_xlsx(title="营商环境监测 · 领导驾驶舱", subtitle=_subtitle(scope, f), headers=OVERVIEW_HEAD,
                            rows=_overview_rows(rows), widths=[12, 14, 22, 12, 10, 10, 12, 14, 60],
                            notes=["数据来源：办件、好差评、12345工单、一件事的全部办理记录（审计留痕），按口径逐件汇总。"])
    return _xlsx(data, f"驾驶舱_{f.start}_{f.end}.xlsx")


def _xlsx(data: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def _drill(request, scope):
    f, values, error = _filters(request, scope)
    try:
        drill = selectors.drilldown(request.user, scope, f, figure=request.GET.get("figure", ""),
                                    side=request.GET.get("side", "numerator"))
    except DomainError as exc:
        return f, values, None, exc
    return f, values, drill, error


@dashboard_page
def drilldown(request, scope):
    f, values, drill, error = _drill(request, scope)
    if drill is None:
        return render(request, "dashboards/drill.html", {"error": error, "values": values}, status=400)
    return render(request, "dashboards/drill.html", {
        "drill": drill, "values": values, "error": error, "subtitle": _subtitle(scope, f),
        "qs": _qs(values, figure=drill.figure.code, side=drill.side), "back": _qs(values),
        "limit": selectors.DRILL_LIMIT,
    })


DRILL_HEAD = ["序号", "编号", "计入日期", "计入值", "事项", "决定单位", "当前状态"]


@dashboard_page
def export_drilldown(request, scope):
    f, _, drill, error = _drill(request, scope)
    if drill is None:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    side = "分子" if drill.side == "numerator" else "分母"
    rows = [[i, r["ref"], r["day"], r["value"], r.get("item", ""), r.get("unit", ""), r.get("status", "")]
            for i, r in enumerate(drill.rows, start=1)]
    data = excel.table_xlsx(title=f"{drill.figure.name}（{drill.figure.code}）{side}明细", subtitle=_subtitle(scope, f),
                            headers=DRILL_HEAD, rows=rows, widths=[6, 30, 12, 8, 28, 24, 14],
                            notes=[f"合计 {drill.total}（列出前 {len(drill.rows)} 条）。口径：{drill.figure.definition}"])
    return _xlsx(data, f"{drill.figure.code}_{side}明细.xlsx")


@dashboard_page
def ranking_page(request, scope):
    f, values, error = _filters(request, scope)
    figure, by = request.GET.get("figure", "GOV-AS"), request.GET.get("by", "unit")
    try:
        rows = selectors.ranking(scope, f, figure=figure, by=by)
        fig = selectors.figure_get(figure)
    except DomainError as exc:
        error, rows, fig = exc, [], rules.FIGURES_BY_CODE["GOV-AS"]
    if request.GET.get("format") == "xlsx":
        data = excel.table_xlsx(
            title=f"{fig.name}排名（按{selectors.RANK_LABELS.get(by, by)}）", subtitle=_subtitle(scope, f),
            headers=["名次", selectors.RANK_LABELS.get(by, by), "指标值", "分子", "分母"],
            rows=[[r["rank"], r["name"], r["value"], r["numerator"], r["denominator"]] for r in rows],
            widths=[8, 30, 12, 10, 10], notes=[f"口径：{fig.definition}"])
        return _xlsx(data, f"{fig.code}_排名.xlsx")
    return render(request, "dashboards/ranking.html", {
        "rows": rows, "fig": fig, "by": by, "values": values, "error": error, "subtitle": _subtitle(scope, f),
        "figures": [x for x in rules.FIGURES if not x.live], "rank_by": selectors.RANK_LABELS,
        "by_label": selectors.RANK_LABELS.get(by, by),
        "qs": _qs(values, figure=fig.code, by=by), "back": _qs(values),
    })


@dashboard_page
def definitions(request, scope):
    return render(request, "dashboards/definitions.html", {"figures": rules.FIGURES})


def public_ratings(request):
    """好差评公示: each unit's satisfaction and rectification figures this year (or a chosen one), public."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        assert 2000 <= year <= today.year
    except (ValueError, AssertionError):
        year = today.year
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    rows = selectors.public_ratings(start, end)
    if request.GET.get("format") == "xlsx":
        data = excel.table_xlsx(
            title=f"{year}年政务服务“好差评”结果公示", subtitle=f"统计期间：{start} 至 {end}",
            headers=["单位", "评价数", "好评率", "差评数", "差评整改率", "整改按时率"],
            rows=[[r["unit"], r["rated"], r["EVA_HP"].display, r["bad"], r["EVA_ZG"].display, r["EVA_ZGAS"].display]
                  for r in rows], widths=[34, 10, 12, 10, 12, 12],
            notes=["好评：非常满意、满意、基本满意；差评：不满意、非常不满意。申诉作废的差评不计入整改率。"])
        return _xlsx(data, f"{year}年好差评公示.xlsx")
    return render(request, "dashboards/public_ratings.html", {
        "rows": rows, "year": year, "start": start, "end": end, "years": list(range(today.year, today.year - 5, -1)),
        "defs": [rules.FIGURES_BY_CODE[c] for c in selectors.PUBLIC_FIGURES]})


# ------------------------------------------------------------------------------------------ 岗位效能评价

EFFICIENCY_HEAD = ["名次", "评价对象", "综合得分", *[label for label, _ in efficiency.PARTS.values()], "办结件数"]


def _efficiency_rows(rows) -> list[list]:
    return [[r["rank"], r["name"], "—" if r["score"] is None else r["score"],
             *["—" if r["parts"][p] is None else r["parts"][p] for p in efficiency.PARTS], r["decided"]]
            for r in rows]


def _weights_note(weights: dict, published) -> str:
    text = "、".join(f"{efficiency.PARTS[p][0]} {w}" for p, w in weights.items())
    who = (f"{published.set_by.first_name or published.set_by.get_username()} 于 "
           f"{timezone.localtime(published.set_at):%Y-%m-%d %H:%M} 公布" if published else "默认权重")
    return f"权重（{who}）：{text}。未发生的项目（无评价、无办结）不计，其权重由其余项目按比例分担；无差评时整改项计100分。"


@require_http_methods(["GET", "POST"])
@dashboard_page
def efficiency_page(request, scope):
    f, values, error = _filters(request, scope)
    by = request.GET.get("by", "staff")
    weights, published = selectors.efficiency_weights(selectors.scope_home_region(scope))
    form_errors, typed = {}, {}
    if request.method == "POST":
        typed = {p: request.POST.get(f"w_{p}", "") for p in efficiency.PARTS}
        try:
            services.efficiency_weights_set(actor=request.user, region=selectors.scope_home_region(scope), weights=typed,
                                            note=request.POST.get("note", ""))
            return redirect(f"{request.path}?{_qs(values, by=by)}")
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            form_errors[exc.field or "weights"] = exc.message
    try:
        rows = selectors.efficiency_ranking(scope, f, by=by, weights=weights)
    except DomainError as exc:
        error, rows, by = exc, [], "staff"
    note = _weights_note(weights, published)
    if request.GET.get("format") == "xlsx":
        data = excel.table_xlsx(title=f"岗位效能评价（按{selectors.EFFICIENCY_BY[by]}）", subtitle=_subtitle(scope, f),
                                headers=EFFICIENCY_HEAD, rows=_efficiency_rows(rows),
                                widths=[8, 28, 10, 14, 16, 12, 12, 14, 10], notes=[note])
        return _xlsx(data, f"岗位效能评价_{by}_{f.start}_{f.end}.xlsx")
    return render(request, "dashboards/efficiency.html", {
        "rows": rows, "by": by, "by_choices": selectors.EFFICIENCY_BY, "values": values, "error": error,
        "subtitle": _subtitle(scope, f), "parts": efficiency.PARTS, "weights": weights, "note": note,
        "can_set": has_role(request.user, Role.SUPERVISOR), "form_errors": form_errors,
        "weight_fields": [{"code": p, "label": label, "value": (typed or weights).get(p, ""),
                           "error": form_errors.get(f"weights.{p}", "")} for p, (label, _) in efficiency.PARTS.items()],
        "by_label": selectors.EFFICIENCY_BY.get(by, "评价对象"), "qs": _qs(values, by=by), "back": _qs(values),
    }, status=400 if form_errors else 200)


@login_required
def efficiency_mine(request):
    """Each staff member sees their own score and rank (not the others')."""
    try:
        scope = selectors.own_scope(request.user)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    f, values, error = _filters(request, scope)
    own = selectors.efficiency_own(request.user, scope, f)
    row = own["row"]
    return render(request, "dashboards/efficiency_mine.html", {
        **own, "values": values, "error": error, "presets": PRESETS,
        "part_rows": [(label, row["parts"][p], own["weights"][p]) for p, (label, _) in efficiency.PARTS.items()]
        if row else [],
        "note": _weights_note(own["weights"], own["published"]),
        "period": f"{f.start} 至 {f.end}", "scope_label": scope.label,
    })
