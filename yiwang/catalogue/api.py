import datetime as dt

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from yiwang.core.errors import NotFound
from yiwang.core.workflow.api import refusals
from yiwang.organisations.models import Unit

from . import selectors

router = Router(tags=["catalogue"])


class MaterialOut(Schema):
    name: str
    source: str
    required: bool
    tolerable: bool


class FaqOut(Schema):
    question: str
    answer: str


class GuideFormOut(Schema):
    name: str
    kind: str  # blank 空白表格 | sample 示范文本
    url: str


class ItemSummary(Schema):
    impl_code: str
    basic_code: str
    name: str
    type: str
    type_name: str
    mode: str
    region: str
    department: str
    department_name: str
    statutory_days: int
    promised_days: int


class ItemDetail(ItemSummary):
    basis: str
    conditions: str
    steps: list[str]
    materials: list[MaterialOut]
    form_fields: list[str]
    fee: str
    channels: list[str]
    commitment_allowed: bool
    deemed_approval_allowed: bool
    result_licence: str
    supervising_unit: str | None
    co_reviewers: list[str]
    location: str
    phone: str
    hours: str
    visits: int
    online_depth: str  # 1..4: Ⅰ级 信息公开 … Ⅳ级 全程网办
    online_depth_name: str
    complaint_phone: str
    faqs: list[FaqOut]
    forms: list[GuideFormOut]


def _summary(impl) -> dict:
    item = impl.item
    return {
        "impl_code": impl.impl_code,
        "basic_code": item.basic_code,
        "name": impl.name,
        "type": impl.type_code,
        "type_name": impl.get_type_code_display(),
        "mode": item.mode,
        "region": impl.region_id,
        "department": impl.department.code,
        "department_name": impl.department.name,
        "statutory_days": item.statutory_days,
        "promised_days": item.promised_days,
    }


class ItemFilter(Schema):
    # Limits from the columns (unit code 32, type 2, region 12); q as the item name (200).
    q: str = Field("", max_length=200)
    department: str = Field("", max_length=32)
    type: str = Field("", max_length=2)
    region: str = Field("", max_length=12)


@router.get("/items", response=list[ItemSummary], summary="Search the implementation list")
def items_list(request, f: Query[ItemFilter]):
    qs = selectors.implementations_search(q=f.q, department=f.department, type_code=f.type, region=f.region)
    return [_summary(i) for i in qs[:200]]


@router.get("/items/{impl_code}", openapi_extra=refusals(404), response=ItemDetail, summary="One implementation with its guide")
def items_get(request, impl_code: str):
    impl = selectors.implementation_get(impl_code, field="impl_code")
    item = impl.item
    return {
        **_summary(impl),
        "basis": impl.basis,
        "conditions": item.conditions,
        "steps": [s.name for s in item.steps.all()],
        "materials": [
            {"name": m.name, "source": m.source, "required": m.required, "tolerable": m.tolerable}
            for m in item.materials.all()
        ],
        "form_fields": item.form_fields,
        "fee": str(item.fee),
        "channels": item.channels,
        "commitment_allowed": item.commitment_allowed,
        "deemed_approval_allowed": item.deemed_approval_allowed,
        "result_licence": item.result_licence,
        "supervising_unit": item.supervising_unit.code if item.supervising_unit_id else None,
        "co_reviewers": [u.code for u in impl.co_reviewers.all()],
        "location": impl.location,
        "phone": impl.phone,
        "hours": impl.hours,
        "visits": item.visits,
        "online_depth": item.online_depth,
        "online_depth_name": item.get_online_depth_display(),
        "complaint_phone": impl.complaint_phone,
        "faqs": [{"question": f.question, "answer": f.answer} for f in item.faqs.all()],
        "forms": [
            {"name": f.name, "kind": f.kind, "url": reverse("portal:item_form", args=[impl.impl_code, f.pk])}
            for f in item.guide_forms.all()
        ],
    }


class BundleSummary(Schema):
    code: str
    name: str
    theme: str
    region: str
    promised_days: int
    members: int


class BundleMemberOut(Schema):
    item: str
    impl_code: str
    name: str
    department: str
    order: int
    layer: int
    after: list[str]
    promised_days: int
    produces: str


class MergedFieldOut(Schema):
    name: str
    members: list[str]


class MergedMaterialOut(Schema):
    name: str
    source: str
    members: list[str]
    required: bool
    tolerable: bool
    produced_by: str | None
    asked_of_applicant: bool


class BundleDetail(Schema):
    code: str
    name: str
    theme: str
    region: str
    promised_days: int
    critical_path_days: int
    members: list[BundleMemberOut]
    merged_form: list[MergedFieldOut]
    merged_materials: list[MergedMaterialOut]


@router.get("/bundles", response=list[BundleSummary], summary="List bundles (一件事)")
def bundles_list(request, q: str = Query("", max_length=200), region: str = Query("", max_length=12),
                 theme: str = Query("", max_length=16)):
    qs = selectors.bundles_search(q=q, region=region, theme=theme)
    return [
        {"code": b.code, "name": b.name, "theme": b.theme, "region": b.region_id,
         "promised_days": b.promised_days, "members": b.members.count()}
        for b in qs
    ]


def bundle_detail_dict(view) -> dict:
    code_of = {m.pk: m.implementation.item.basic_code for m in view.members}
    layer_of = {m.pk: i + 1 for i, layer in enumerate(view.layers) for m in layer}
    return {
        "code": view.bundle.code,
        "name": view.bundle.name,
        "theme": view.bundle.theme,
        "region": view.bundle.region_id,
        "promised_days": view.bundle.promised_days,
        "critical_path_days": view.critical_path_days,
        "members": [
            {
                "item": code_of[m.pk],
                "impl_code": m.implementation.impl_code,
                "name": m.implementation.name,
                "department": m.implementation.department.code,
                "order": m.order,
                "layer": layer_of[m.pk],
                "after": [code_of[a] for a in view.waits_for[m.pk]],
                "promised_days": m.implementation.item.promised_days,
                "produces": m.implementation.item.result_licence,
            }
            for m in view.members
        ],
        "merged_form": [{"name": f.name, "members": [code_of[m] for m in f.members]} for f in view.merged_form],
        "merged_materials": [
            {
                "name": x.name,
                "source": x.source,
                "members": [code_of[m] for m in x.members],
                "required": x.required,
                "tolerable": x.tolerable,
                "produced_by": code_of[x.produced_by] if x.produced_by else None,
                "asked_of_applicant": x.asked_of_applicant,
            }
            for x in view.merged_materials
        ],
    }


@router.get("/bundles/{code}", openapi_extra=refusals(404), response=BundleDetail, summary="A bundle: order, merged form and materials")
def bundles_get(request, code: str):
    return bundle_detail_dict(selectors.bundle_view(selectors.bundle_get(code)))


class RouteIn(Schema):
    item: str = Field(max_length=64)
    park: str = Field("", max_length=32)
    date: dt.date | None = None
    # Where the application is taken in: a window's unit (a town, a community point, a park…), or a
    # region (its hall). Another region than the item's: 跨域通办, only where the 清单 lists it.
    receiving_region: str = Field("", max_length=12)
    receiving_unit: str = Field("", max_length=32)


class RouteOut(Schema):
    mode: str
    receiving_unit: str
    reviewing_unit: str
    deciding_unit: str
    in_name_of: str
    remote_intake_unit: str | None = None


@router.get("/routing", openapi_extra=refusals(404), response=RouteOut,
            summary="Who receives, decides, and in whose name (from a receiving region or window for 跨域通办)")
def routing(request, q: Query[RouteIn]):
    impl = selectors.implementation_get(q.item, field="item")
    if q.park and not Unit.objects.filter(code=q.park, kind="park").exists():
        raise NotFound(f"园区“{q.park}”不存在", field="park", code="park_not_found")
    at = selectors.intake_point_find(region=q.receiving_region, unit=q.receiving_unit)
    r = selectors.route_for(impl=impl, park_code=q.park, on=q.date or timezone.localdate(), at=at)
    return r.__dict__
