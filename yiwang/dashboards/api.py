"""The dashboard's figures for the province's monitoring platform: counts only, never personal data."""

from ninja import Query, Router

from yiwang.core.auth import require_user
from yiwang.core.workflow.api import refusals

from . import rules, selectors

router = Router(tags=["stats"])




def _filters(request, region, unit, park, item, start, end):
    scope = selectors.scope_for(require_user(request))
    return scope, selectors.filters_parse(scope, region=region, unit=unit, park=park, item=item, start=start,
                                          end=end)


def _fv(fv: rules.FigureValue) -> dict:
    f = fv.figure
    return {"numerator": fv.numerator, "denominator": fv.denominator if f.denominator else None, "value": fv.value}


def _period(f) -> dict:
    return {"from": f.start, "to": f.end}


@router.get("/stats/overview", openapi_extra=refusals(401, 403), summary="总览：每项指标的分子、分母、定义代码，及上期对比")
def overview(request, region: str = "", unit: str = "", park: str = "", item: str = "",
             start: str = Query("", alias="from"), end: str = Query("", alias="to")):
    scope, f = _filters(request, region, unit, park, item, start, end)
    rows = selectors.overview(scope, f)
    p0, p1 = rules.previous_range(f.start, f.end)
    return {
        "scope": scope.label, "period": _period(f), "previous_period": {"from": p0, "to": p1},
        "figures": [{"code": r.now.figure.code, "name": r.now.figure.name, "kind": r.now.figure.kind,
                     "group": r.now.figure.group, "definition": r.now.figure.definition,
                     "numerator_counter": r.now.figure.numerator, "denominator_counter": r.now.figure.denominator or None,
                     "live": r.now.figure.live, "unit": r.now.figure.unit or ("%" if r.now.figure.kind == "rate" else ""),
                     **_fv(r.now), "previous": None if r.now.figure.live else _fv(r.before), "change": r.change}
                    for r in rows],
    }


@router.get("/stats/series", openapi_extra=refusals(401, 403), summary="一项指标的时间序列（按日、月、季、年）")
def series(request, figure: str, by: str = "month", region: str = "", unit: str = "", park: str = "",
           item: str = "", start: str = Query("", alias="from"), end: str = Query("", alias="to")):
    scope, f = _filters(request, region, unit, park, item, start, end)
    fig = selectors.figure_get(figure)
    return {"figure": fig.code, "name": fig.name, "kind": fig.kind, "by": by, "period": _period(f),
            "points": selectors.series(scope, f, figure=figure, by=by)}


@router.get("/stats/ranking", openapi_extra=refusals(401, 403), summary="一项指标的排名（按单位、窗口、人员、园区、区划、事项）")
def ranking(request, figure: str, by: str = "unit", region: str = "", unit: str = "", park: str = "",
            item: str = "", start: str = Query("", alias="from"), end: str = Query("", alias="to")):
    scope, f = _filters(request, region, unit, park, item, start, end)
    fig = selectors.figure_get(figure)
    return {"figure": fig.code, "name": fig.name, "kind": fig.kind, "by": by, "period": _period(f),
            "rows": selectors.ranking(scope, f, figure=figure, by=by)}


@router.get("/stats/map", openapi_extra=refusals(401, 403), summary="区域示意图：各区划及其园区、乡镇、村社区代办点的指标值")
def region_map(request, figure: str, region: str = "", unit: str = "", park: str = "", item: str = "",
               start: str = Query("", alias="from"), end: str = Query("", alias="to")):
    scope, f = _filters(request, region, unit, park, item, start, end)
    fig = selectors.figure_get(figure)
    return {"figure": fig.code, "name": fig.name, "kind": fig.kind, "up_is_good": fig.up_is_good,
            "period": _period(f), "regions": selectors.region_map(scope, f, figure=figure)}


@router.get("/stats/efficiency", openapi_extra=refusals(401, 403), summary="岗位效能评价：工作人员、窗口或单位的综合得分、各项得分与所用权重")
def efficiency(request, by: str = "staff", region: str = "", unit: str = "", park: str = "", item: str = "",
               start: str = Query("", alias="from"), end: str = Query("", alias="to")):
    scope, f = _filters(request, region, unit, park, item, start, end)
    weights, published = selectors.efficiency_weights(selectors.scope_home_region(scope))
    return {"by": by, "period": _period(f), "weights": weights,
            "weights_published_at": published.set_at if published else None,
            "rows": [{k: r[k] for k in ("rank", "key", "name", "score", "parts", "decided")}
                     for r in selectors.efficiency_ranking(scope, f, by=by, weights=weights)]}


@router.get("/stats/definitions", openapi_extra=refusals(401), summary="指标定义：代码、名称、分子、分母、口径")
def definitions(request):
    require_user(request)
    return [{"code": f.code, "name": f.name, "kind": f.kind, "group": f.group, "numerator": f.numerator,
             "denominator": f.denominator or None, "definition": f.definition, "live": f.live}
            for f in rules.FIGURES]
