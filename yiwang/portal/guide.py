"""What the portal shows: the service guide (办事指南) of an implementation, the checklist (明白卡) of a
bundle, and the ranking of search results. Plain data built from catalogue selectors, shared by the
HTML pages and the PDFs so that both say the same thing."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from yiwang.catalogue.models import (
    Channel,
    ItemImplementation,
    ItemMode,
    ItemType,
    MaterialSource,
    OnlineDepth,
)
from yiwang.catalogue.search import pinyin_initials, query_terms
from yiwang.catalogue.selectors import BundleView

# The order every guide page follows (the shape applicants know from other portals).
GUIDE_SECTIONS: list[tuple[str, str]] = [
    ("basic", "基本信息"),
    ("basis", "设定依据"),
    ("conditions", "受理条件"),
    ("materials", "申请材料"),
    ("steps", "办理流程"),
    ("days", "办理时限"),
    ("fee", "收费"),
    ("location", "办理地点"),
    ("hours", "办理时间"),
    ("phone", "咨询电话"),
    ("complaint", "监督投诉电话"),
    ("commitment", "告知承诺与超时默认"),
    ("result", "结果证照"),
    ("forms", "表格下载"),
    ("faq", "常见问题"),
]


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def source_label(source: str) -> str:
    return _label(MaterialSource, source)


@dataclass
class GuideMaterial:
    name: str
    source: str
    source_label: str
    required: bool
    tolerable: bool
    originals: int
    copies: int
    note: str

    @property
    def applicant_brings(self) -> bool:
        """Licence and data materials are fetched by the office: the applicant brings nothing."""
        return self.source == MaterialSource.APPLICANT


@dataclass
class GuideFormLink:
    pk: int
    name: str
    kind: str
    kind_label: str


@dataclass
class Guide:
    impl: ItemImplementation
    impl_code: str
    name: str
    basic_code: str
    type_label: str
    department: str
    region: str
    mode: str
    mode_label: str
    statutory_days: int
    promised_days: int
    channels: list[str]
    basis: str
    conditions: str
    materials: list[GuideMaterial]
    steps: list[str]
    fee: Decimal
    fee_basis: str
    location: str
    hours: str
    phone: str
    commitment_allowed: bool
    post_check_days: int
    deemed_approval_allowed: bool
    tolerance_days: int
    special_procedure: dict
    result_licence: str
    service_object: str
    co_reviewers: list[str] = field(default_factory=list)
    visits: int = 1
    online_depth: str = OnlineDepth.ONLINE
    online_depth_label: str = ""
    complaint_phone: str = ""
    faqs: list[tuple[str, str]] = field(default_factory=list)
    forms: list[GuideFormLink] = field(default_factory=list)

    @property
    def visits_text(self) -> str:
        if self.visits == 0:
            return _("0次（全程网办，不用跑）")
        return _("%(n)s次") % {"n": self.visits}

    @property
    def is_instant(self) -> bool:
        return self.mode == ItemMode.INSTANT

    @property
    def has_tolerable(self) -> bool:
        return any(m.tolerable for m in self.materials)

    @property
    def has_fetched(self) -> bool:
        return any(not m.applicant_brings for m in self.materials)

    @property
    def fee_text(self) -> str:
        return _("不收费") if not self.fee else _("%(fee)s 元") % {"fee": self.fee}

    def days_text(self) -> str:
        if self.is_instant:
            return _("即办件，材料齐全、符合法定形式的当场办结")
        return _("法定办结时限 %(statutory)s 个工作日，承诺办结时限 %(promised)s 个工作日") % {
            "statutory": self.statutory_days, "promised": self.promised_days,
        }


def guide_for(impl: ItemImplementation) -> Guide:
    item = impl.item
    return Guide(
        impl=impl,
        impl_code=impl.impl_code,
        name=impl.name,
        basic_code=item.basic_code,
        type_label=_label(ItemType, impl.type_code),
        department=impl.department.name,
        region=impl.region.name,
        mode=item.mode,
        mode_label=_label(ItemMode, item.mode),
        statutory_days=item.statutory_days,
        promised_days=item.promised_days,
        channels=[_label(Channel, c) for c in item.channels or []],
        basis=impl.basis or item.basis,
        conditions=item.conditions,
        materials=[
            GuideMaterial(m.name, m.source, source_label(m.source), m.required, m.tolerable, m.originals,
                          m.copies, m.note)
            for m in item.materials.all()
        ],
        steps=[s.name for s in item.steps.all()],
        fee=item.fee,
        fee_basis=item.fee_basis,
        location=impl.location,
        hours=impl.hours,
        phone=impl.phone,
        commitment_allowed=item.commitment_allowed,
        post_check_days=item.post_check_days,
        deemed_approval_allowed=item.deemed_approval_allowed,
        tolerance_days=item.tolerance_days,
        special_procedure=item.special_procedure or {},
        result_licence=item.result_licence,
        service_object=item.service_object,
        co_reviewers=[u.name for u in impl.co_reviewers.all()],
        visits=item.visits,
        online_depth=item.online_depth,
        online_depth_label=_label(OnlineDepth, item.online_depth),
        complaint_phone=impl.complaint_phone,
        faqs=[(f.question, f.answer) for f in item.faqs.all()],
        forms=[GuideFormLink(f.pk, f.name, f.kind, f.get_kind_display()) for f in item.guide_forms.all()],
    )


# --- bundles: the order of members and the checklist (明白卡) ---------------------------------


@dataclass
class LayerMember:
    pk: int
    name: str
    impl_code: str
    department: str
    promised_days: int
    is_instant: bool
    waits_for: list[str]


@dataclass
class ChecklistField:
    name: str
    members: list[str]


@dataclass
class ChecklistMaterial:
    name: str
    source: str
    source_label: str
    members: list[str]
    produced_by: str | None
    required: bool
    tolerable: bool

    @property
    def asked_of_applicant(self) -> bool:
        return self.produced_by is None and self.source == MaterialSource.APPLICANT

    @property
    def status(self) -> str:
        if self.produced_by:
            return _("由本一件事中的%(producer)s产生，无需提交") % {"producer": self.produced_by}
        if self.source == MaterialSource.LICENCE:
            return _("免提交（电子证照库调取）")
        if self.source == MaterialSource.DATA:
            return _("免提交（数据共享获取）")
        if self.tolerable:
            return _("需提交（可容缺，后补）")
        return _("需提交") if self.required else _("选择提交")


@dataclass
class Checklist:
    code: str
    name: str
    theme_label: str
    region: str
    promised_days: int
    chain_days: int
    description: str
    layers: list[list[LayerMember]]
    fields: list[ChecklistField]
    materials: list[ChecklistMaterial]

    @property
    def to_submit(self) -> list[ChecklistMaterial]:
        return [m for m in self.materials if m.asked_of_applicant]

    @property
    def not_to_submit(self) -> list[ChecklistMaterial]:
        return [m for m in self.materials if not m.asked_of_applicant]

    @property
    def member_count(self) -> int:
        return sum(len(layer) for layer in self.layers)


def checklist_for(view: BundleView) -> Checklist:
    names = {m.pk: m.implementation.name for m in view.members}
    bundle = view.bundle
    layers = [
        [
            LayerMember(
                pk=m.pk,
                name=m.implementation.name,
                impl_code=m.implementation.impl_code,
                department=m.implementation.department.name,
                promised_days=m.implementation.item.promised_days,
                is_instant=m.implementation.item.mode == ItemMode.INSTANT,
                waits_for=[names[a] for a in view.waits_for.get(m.pk, [])],
            )
            for m in layer
        ]
        for layer in view.layers
    ]
    return Checklist(
        code=bundle.code,
        name=bundle.name,
        theme_label=bundle.get_theme_display(),
        region=bundle.region.name,
        promised_days=bundle.promised_days,
        chain_days=view.critical_path_days,
        description=bundle.description,
        layers=layers,
        fields=[ChecklistField(f.name, [names[p] for p in f.members]) for f in view.merged_form],
        materials=[
            ChecklistMaterial(
                name=m.name, source=m.source, source_label=source_label(m.source),
                members=[names[p] for p in m.members],
                produced_by=names[m.produced_by] if m.produced_by is not None else None,
                required=m.required, tolerable=m.tolerable,
            )
            for m in view.merged_materials
        ],
    )


# --- search ranking ----------------------------------------------------------------------------


def relevance(q: str, *, name: str, code: str = "", licence: str = "") -> int:
    """How well a result answers the query: the name first, then its pinyin initials, then the
    licence it produces; a match only in the materials or the department scores lowest."""
    q = (q or "").strip().lower()
    if not q:
        return 0
    low_name = name.lower()
    initials = pinyin_initials(name).lower()
    score = 0
    if q == low_name or q == code.lower():
        score += 1000
    if q in low_name:
        score += 500
    if q == initials:
        score += 450
    elif initials.startswith(q):
        score += 300
    elif q in initials:
        score += 200
    if licence and q in licence.lower():
        score += 250
    terms = query_terms(q)
    score += 50 * sum(1 for t in terms if t in low_name)
    score += 20 * sum(1 for t in terms if licence and t in licence.lower())
    return score


def rank(q: str, results: Iterable, *, key) -> list:
    """Sort results by relevance, keeping the catalogue order among equals. `key(x)` gives
    (name, code, licence)."""
    scored = []
    for i, r in enumerate(results):
        name, code, licence = key(r)
        scored.append((-relevance(q, name=name, code=code, licence=licence), i, r))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in scored]
