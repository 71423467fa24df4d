"""The catalogue as one Excel workbook, in the layout a catalogue admin keeps (事项, 材料, 实施清单,
赋权, 一件事). Export writes exactly what import reads.

Import is all or nothing: every row is checked first (against the file and the database); a file
with any bad row imports nothing and the error carries a row-by-row report in Chinese.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from yiwang.core.errors import DomainError
from yiwang.organisations.models import Region, Unit

from . import rules, services
from .models import (
    Bundle,
    BundleMember,
    BundleTheme,
    Empowerment,
    EmpowermentMode,
    ItemImplementation,
    ItemMode,
    ItemType,
    Material,
    MaterialSource,
    OnlineDepth,
    ServiceItem,
)

LIST_SEP = "、"

ITEM_COLUMNS = ["基本编码", "事项名称", "事项类型代码", "办件类型", "法定时限", "承诺时限", "设定依据", "受理条件",
                "收费", "告知承诺", "超时默认", "结果证照", "表单字段", "办理环节", "服务对象", "监管部门代码",
                "到现场次数", "网办深度"]
MATERIAL_COLUMNS = ["基本编码", "材料名称", "来源", "必需", "可容缺"]
IMPL_COLUMNS = ["实施编码", "基本编码", "行政区划", "实施部门代码", "事项名称", "设定依据", "事项类型代码",
                "办理地点", "咨询电话", "联合审查单位代码", "监督投诉电话"]
EMPOWER_COLUMNS = ["实施编码", "园区代码", "赋权方式", "生效日期", "终止日期", "审批层级代码"]
BUNDLE_COLUMNS = ["编码", "名称", "主题", "行政区划", "承诺时限", "成员事项基本编码", "需等待"]

SHEETS = {
    "事项": ITEM_COLUMNS,
    "材料": MATERIAL_COLUMNS,
    "实施清单": IMPL_COLUMNS,
    "赋权": EMPOWER_COLUMNS,
    "一件事": BUNDLE_COLUMNS,
}
# Columns a file may leave out (older layouts): the value is then left as it was, or its default.
OPTIONAL = {"服务对象", "监管部门代码", "联合审查单位代码", "审批层级代码", "终止日期", "到现场次数", "网办深度",
            "监督投诉电话"}

YES, NO = "是", "否"
SERVICE_OBJECTS = {"自然人": "person", "法人": "enterprise", "person": "person", "enterprise": "enterprise"}


def _choices(enum) -> dict[str, str]:
    """Accept a code or its Chinese label: DIRECT and 直接赋权 both mean DIRECT."""
    out = {}
    for value, label in enum.choices:
        out[str(value).lower()] = value
        out[str(label).lower()] = value
    return out


MODES = _choices(ItemMode) | {"1": ItemMode.INSTANT, "2": ItemMode.PROMISED, "即办": ItemMode.INSTANT,
                              "承诺": ItemMode.PROMISED}
SOURCES = _choices(MaterialSource)
EMPOWER_MODES = _choices(EmpowermentMode)
THEMES = _choices(BundleTheme)
DEPTHS = _choices(OnlineDepth) | {label.split(" ", 1)[1]: value for value, label in OnlineDepth.choices} | {
    label.split(" ", 1)[0].lower(): value for value, label in OnlineDepth.choices}


# ---------------------------------------------------------------- export


def _yes(value: bool) -> str:
    return YES if value else NO


def _join(values) -> str:
    return LIST_SEP.join(values)


def catalogue_rows() -> dict[str, list[list]]:
    """The catalogue as rows per sheet, in a stable order."""
    items = list(ServiceItem.objects.select_related("supervising_unit").prefetch_related("steps", "materials")
                 .order_by("basic_code"))
    sheets: dict[str, list[list]] = {name: [] for name in SHEETS}
    for it in items:
        sheets["事项"].append([
            it.basic_code, it.name, it.type_code, it.get_mode_display(), it.statutory_days, it.promised_days,
            it.basis, it.conditions, _fee_out(it.fee), _yes(it.commitment_allowed),
            _yes(it.deemed_approval_allowed), it.result_licence, _join(it.form_fields),
            _join(s.name for s in sorted(it.steps.all(), key=lambda s: s.order)),
            it.get_service_object_display(), it.supervising_unit.code if it.supervising_unit_id else "",
            it.visits, it.get_online_depth_display(),
        ])
        for m in sorted(it.materials.all(), key=lambda m: (m.order, m.pk)):
            sheets["材料"].append([it.basic_code, m.name, m.get_source_display(), _yes(m.required),
                                 _yes(m.tolerable)])
    for impl in (ItemImplementation.objects.select_related("item", "department")
                 .prefetch_related("co_reviewers").order_by("impl_code")):
        sheets["实施清单"].append([
            impl.impl_code, impl.item.basic_code, impl.region_id, impl.department.code, impl.name, impl.basis,
            impl.type_code, impl.location, impl.phone, _join(sorted(u.code for u in impl.co_reviewers.all())),
            impl.complaint_phone,
        ])
    for e in (Empowerment.objects.select_related("implementation", "park", "approving_unit")
              .order_by("implementation__impl_code", "park__code", "effective_from")):
        sheets["赋权"].append([
            e.implementation.impl_code, e.park.code, e.get_mode_display(), e.effective_from,
            e.effective_to or "", e.approving_unit.code if e.approving_unit_id else "",
        ])
    for b in Bundle.objects.order_by("code"):
        for m in (BundleMember.objects.filter(bundle=b).select_related("implementation__item")
                  .prefetch_related("after__implementation__item").order_by("order", "id")):
            sheets["一件事"].append([
                b.code, b.name, b.get_theme_display(), b.region_id, b.promised_days,
                m.implementation.item.basic_code,
                _join(sorted(a.implementation.item.basic_code for a in m.after.all())),
            ])
    return sheets


def _type_code(text: str) -> str:
    return text.zfill(2) if text.isdigit() else text


def _fee_out(fee: Decimal):
    return int(fee) if fee == fee.to_integral_value() else float(fee)


def catalogue_export() -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in catalogue_rows().items():
        ws = wb.create_sheet(name)
        ws.append(SHEETS[name])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        for col, cell in zip(ws.iter_cols(min_row=1, max_row=1), ws[1], strict=True):
            ws.column_dimensions[cell.column_letter].width = max(10, min(40, 2 * len(str(col[0].value)) + 4))
        ws.freeze_panes = "A2"
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.sheet + (f" 第{self.row}行" if self.row else "") + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.reason}"


class CatalogueImportError(DomainError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = f"导入失败，共 {len(problems)} 处问题，未导入任何数据"
        super().__init__(head + "\n" + "\n".join(str(p) for p in problems), field="file", code="bad_rows")


class _Row:
    """One spreadsheet row as a dict by header, with its number and a problem collector."""

    def __init__(self, sheet: str, number: int, values: dict, problems: list[Problem]):
        self.sheet, self.number, self.values, self.problems = sheet, number, values, problems
        self.ok = True

    def bad(self, column: str | None, reason: str) -> None:
        self.problems.append(Problem(self.sheet, self.number, column, reason))
        self.ok = False

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values.get(column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.bad(column, "不能为空")
        return text

    def integer(self, column: str) -> int | None:
        value = self.values.get(column)
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                value = int(value)
            n = int(str(value).strip())
            if n < 0:
                raise ValueError
            return n
        except (TypeError, ValueError):
            self.bad(column, f"“{'' if value is None else value}”应为不小于0的整数")
            return None

    def flag(self, column: str) -> bool:
        text = self.text(column)
        if text in (YES, "Y", "y", "1", "true", "True", "TRUE"):
            return True
        if text in (NO, "", "N", "n", "0", "false", "False", "FALSE"):
            return False
        self.bad(column, f"“{text}”应为 是 或 否")
        return False

    def choice(self, column: str, table: dict[str, str], hint: str) -> str | None:
        text = self.text(column)
        value = table.get(text.lower())
        if value is None:
            self.bad(column, f"“{text}”不是有效的{column}（{hint}）")
        return value

    def day(self, column: str, *, required: bool = True) -> date | None:
        value = self.values.get(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.bad(column, "不能为空")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.bad(column, f"“{text}”不是日期（应为 YYYY-MM-DD）")
            return None

    def codes(self, column: str) -> list[str]:
        text = self.text(column)
        for sep in ",，;；":
            text = text.replace(sep, LIST_SEP)
        return [c.strip() for c in text.split(LIST_SEP) if c.strip()]


def _read_sheets(content: bytes, problems: list[Problem]) -> dict[str, list[_Row]]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise CatalogueImportError([Problem("文件", None, None, "不是有效的 Excel 文件（.xlsx）")])
    out: dict[str, list[_Row]] = {}
    for name, columns in SHEETS.items():
        if name not in wb.sheetnames:
            problems.append(Problem(name, None, None, f"缺少工作表“{name}”"))
            out[name] = []
            continue
        rows = list(wb[name].iter_rows(values_only=True))
        header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
        missing = [c for c in columns if c not in header and c not in OPTIONAL]
        if missing:
            problems.append(Problem(name, 1, None, "缺少列：" + "、".join(missing)))
            out[name] = []
            continue
        out[name] = []
        for number, values in enumerate(rows[1:], start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            out[name].append(_Row(name, number, {h: v for h, v in zip(header, values, strict=False) if h}, problems))
    wb.close()
    return out


@dataclass
class _Plan:
    items: list[tuple[ServiceItem, list[str], str | None]]  # item, steps, supervising unit code
    materials: dict[str, list[Material]]
    impls: list[tuple[dict, list[str]]]
    empowerments: list[dict]
    bundles: list[tuple[dict, list[tuple[str, list[str]]]]]


@dataclass
class _Known:
    """What the file's rows are checked against: the database's units, regions, items and implementations,
    plus what earlier sheets of the same file add."""

    units: dict[str, Unit]
    regions: set[str]
    items: set[str]
    impls: dict[str, tuple[str, str]]  # impl code → (basic code, region)


def _check(sheets: dict[str, list[_Row]], problems: list[Problem]) -> _Plan:
    known = _Known(
        units={u.code: u for u in Unit.objects.all()},
        regions=set(Region.objects.values_list("code", flat=True)),
        items=set(ServiceItem.objects.values_list("basic_code", flat=True)),
        impls={c: (i, reg) for c, i, reg in
               ItemImplementation.objects.values_list("impl_code", "item__basic_code", "region_id")},
    )
    plan = _Plan([], defaultdict(list), [], [], [])
    _check_items(sheets["事项"], known, plan)
    _check_materials(sheets["材料"], known, plan)
    _check_impls(sheets["实施清单"], known, plan)
    _check_empowerments(sheets["赋权"], known, plan)
    _check_bundles(sheets["一件事"], known, plan)
    return plan


def _check_items(rows: list[_Row], known: _Known, plan: _Plan) -> None:
    file_items: set[str] = set()
    for r in rows:
        code = r.text("基本编码", required=True)
        if code in file_items:
            r.bad("基本编码", f"基本编码“{code}”重复")
        item, steps, sup = _item_of_row(r, code, known)
        if r.ok and code not in file_items:
            file_items.add(code)
            plan.items.append((item, steps, sup or None))
    known.items |= file_items


def _item_of_row(r: _Row, code: str, known: _Known) -> tuple[ServiceItem, list[str], str]:
    type_code = _type_code(r.text("事项类型代码", required=True))
    if type_code not in ItemType.values:
        r.bad("事项类型代码", f"“{type_code}”不在 GB/T 39046 事项类型代码表中（如 01 行政许可、07 行政确认、20 公共服务）")
    mode = r.choice("办件类型", MODES, "即办件 或 承诺件")
    statutory, promised = r.integer("法定时限"), r.integer("承诺时限")
    try:
        fee = Decimal(r.text("收费") or "0")
        if fee < 0:
            raise InvalidOperation
    except InvalidOperation:
        r.bad("收费", f"“{r.text('收费')}”应为金额（元）")
        fee = Decimal(0)
    steps = r.codes("办理环节")
    obj_text = r.text("服务对象")
    service_object = SERVICE_OBJECTS.get(obj_text or "法人")
    if service_object is None:
        r.bad("服务对象", f"“{obj_text}”应为 自然人 或 法人")
    sup = r.text("监管部门代码")
    if sup and sup not in known.units:
        r.bad("监管部门代码", f"单位“{sup}”不存在")
    visits = r.integer("到现场次数") if r.text("到现场次数") else 1
    depth = r.choice("网办深度", DEPTHS, "Ⅰ级、Ⅱ级、Ⅲ级 或 Ⅳ级（全程网办）") if r.text("网办深度") else OnlineDepth.ONLINE
    item = ServiceItem(
        visits=1 if visits is None else visits, online_depth=depth or OnlineDepth.ONLINE,
        basic_code=code, name=r.text("事项名称", required=True), type_code=type_code,
        mode=mode or "promised", statutory_days=statutory or 0, promised_days=promised or 0,
        basis=r.text("设定依据"), conditions=r.text("受理条件"), fee=fee, commitment_allowed=r.flag("告知承诺"),
        deemed_approval_allowed=r.flag("超时默认"), result_licence=r.text("结果证照"),
        form_fields=r.codes("表单字段"), service_object=service_object or "enterprise",
    )
    if statutory is not None and promised is not None and mode:
        try:
            services.item_validate(item=item, steps=steps)
        except DomainError as exc:
            column = {"promised_days": "承诺时限", "steps": "办理环节", "visits": "到现场次数"}.get(exc.field or "")
            r.bad(column, exc.message.partition("：")[2] or exc.message)
    elif len(steps) > services.MAX_STEPS:
        r.bad("办理环节", f"办理环节不能超过{services.MAX_STEPS}个")
    return item, steps, sup


def _check_materials(rows: list[_Row], known: _Known, plan: _Plan) -> None:
    for r in rows:
        code = r.text("基本编码", required=True)
        if code and code not in known.items:
            r.bad("基本编码", f"事项“{code}”不在事项表中，也不在目录中")
        name = r.text("材料名称", required=True)
        if name in {m.name for m in plan.materials.get(code, [])}:
            r.bad("材料名称", f"事项“{code}”的材料“{name}”重复")
        source = r.choice("来源", SOURCES, "申请人提交、电子证照库调取 或 数据共享获取")
        material = Material(name=name, source=source or "applicant", required=r.flag("必需"),
                            tolerable=r.flag("可容缺"))
        if r.ok:
            material.order = len(plan.materials[code]) + 1
            plan.materials[code].append(material)


def _check_impls(rows: list[_Row], known: _Known, plan: _Plan) -> None:
    file_impls: dict[str, tuple[str, str]] = {}
    for r in rows:
        code = r.text("实施编码", required=True)
        if code in file_impls:
            r.bad("实施编码", f"实施编码“{code}”重复")
        basic, region, dept = _impl_refs(r, known)
        type_code = _type_code(r.text("事项类型代码", required=True))
        if type_code not in ItemType.values:
            r.bad("事项类型代码", f"“{type_code}”不在 GB/T 39046 事项类型代码表中")
        co = r.codes("联合审查单位代码")
        for c in co:
            if c not in known.units:
                r.bad("联合审查单位代码", f"单位“{c}”不存在")
        pair = (basic, region)
        clash = [c for c, p in list(file_impls.items()) + [(k, v) for k, v in known.impls.items() if k not in file_impls]
                 if p == pair and c != code]
        if clash and basic and region:
            r.bad("基本编码", f"事项“{basic}”在行政区划 {region} 已有实施清单（{clash[0]}）")
        if r.ok and code not in file_impls:
            file_impls[code] = pair
            plan.impls.append(({"impl_code": code, "basic": basic, "region": region, "dept": dept,
                                "name": r.text("事项名称", required=True), "basis": r.text("设定依据"),
                                "type_code": type_code, "location": r.text("办理地点"),
                                "phone": r.text("咨询电话"), "complaint_phone": r.text("监督投诉电话")}, co))
    known.impls = {**known.impls, **file_impls}


def _impl_refs(r: _Row, known: _Known) -> tuple[str, str, str]:
    """An implementation row's item and region (each must exist) and its department."""
    basic = r.text("基本编码", required=True)
    if basic and basic not in known.items:
        r.bad("基本编码", f"事项“{basic}”不在事项表中，也不在目录中")
    region = r.text("行政区划", required=True)
    if region and region not in known.regions:
        r.bad("行政区划", f"行政区划“{region}”不存在")
    dept = r.text("实施部门代码", required=True)
    if dept and dept not in known.units:
        r.bad("实施部门代码", f"部门“{dept}”不存在")
    return basic, region, dept


def _check_empowerments(rows: list[_Row], known: _Known, plan: _Plan) -> None:
    seen = set()
    for r in rows:
        impl = r.text("实施编码", required=True)
        if impl and impl not in known.impls:
            r.bad("实施编码", f"实施编码“{impl}”不在实施清单中")
        park = r.text("园区代码", required=True)
        if park and park not in known.units:
            r.bad("园区代码", f"园区“{park}”不存在")
        elif park and known.units[park].kind not in rules.EMPOWERABLE_KINDS:  # parks, towns, community points
            r.bad("园区代码", f"单位“{park}”不是园区、乡镇或村（社区）代办点")
        mode = r.choice("赋权方式", EMPOWER_MODES, "直接赋权/DIRECT、委托行使/ENTRUSTED、服务前移/FORWARD、审批直报/DIRECT_REPORT")
        start, end = r.day("生效日期"), r.day("终止日期", required=False)
        if start and end and end <= start:
            r.bad("终止日期", "终止日期应晚于生效日期")
        approver = r.text("审批层级代码")
        if approver and approver not in known.units:
            r.bad("审批层级代码", f"单位“{approver}”不存在")
        elif approver and mode and mode != EmpowermentMode.DIRECT_REPORT:
            r.bad("审批层级代码", "只有审批直报需要填写审批层级")
        key = (impl, park, start)
        if key in seen:
            r.bad(None, f"赋权（{impl} → {park}，{start}）重复")
        seen.add(key)
        if r.ok:
            plan.empowerments.append({"impl": impl, "park": park, "mode": mode, "from": start, "to": end,
                                      "approver": approver or None})


def _check_bundles(rows: list[_Row], known: _Known, plan: _Plan) -> None:
    """One row per member; the bundle's columns repeat on each of its rows."""
    bundles: dict[str, dict] = {}
    members: dict[str, list[tuple[_Row, str, list[str]]]] = defaultdict(list)
    implemented: dict[str, set[str]] = defaultdict(set)  # item → regions it is implemented in
    for basic, region in known.impls.values():
        implemented[basic].add(region)
    for r in rows:
        code = r.text("编码", required=True)
        head = _bundle_head(r, code, known, bundles)
        member = r.text("成员事项基本编码", required=True)
        _check_member_region(r, implemented, member, head["region"])
        if any(m == member for _, m, _ in members[code]):
            r.bad("成员事项基本编码", f"事项“{member}”在一件事“{code}”中重复")
        members[code].append((r, member, r.codes("需等待")))
    for code, member_rows in members.items():
        graph = {m: after for _, m, after in member_rows}
        try:
            rules.bundle_layers(graph)
        except rules.BundleGraphError as exc:
            culprit = next((r for r, m, _ in member_rows if m in exc.members), member_rows[0][0])
            culprit.bad("需等待", exc.message)
            continue
        if all(r.ok for r, _, _ in member_rows):
            plan.bundles.append((bundles[code], [(m, after) for _, m, after in member_rows]))


def _bundle_head(r: _Row, code: str, known: _Known, bundles: dict[str, dict]) -> dict:
    """The bundle's own columns of a row; the first row of a code sets them, later rows must repeat them."""
    head = {"code": code, "name": r.text("名称", required=True),
            "theme": r.choice("主题", THEMES, "个人全周期、企业全周期 或 项目全周期"),
            "region": r.text("行政区划", required=True), "promised_days": r.integer("承诺时限")}
    if head["region"] and head["region"] not in known.regions:
        r.bad("行政区划", f"行政区划“{head['region']}”不存在")
    if code in bundles:
        for key, column in (("name", "名称"), ("theme", "主题"), ("region", "行政区划"), ("promised_days", "承诺时限")):
            if head[key] != bundles[code][key]:
                r.bad(column, f"与一件事“{code}”的前面几行不一致")
    else:
        bundles[code] = head
    return head


def _check_member_region(r: _Row, implemented: dict[str, set[str]], member: str, region: str) -> None:
    """A member must be implemented in the bundle's own region."""
    if not member or not region or region in implemented.get(member, ()):
        return
    regions_of_item = implemented.get(member)
    if regions_of_item:
        r.bad("成员事项基本编码", f"事项“{member}”不在一件事所在的行政区划 {region} 实施"
              f"（只在 {'、'.join(sorted(regions_of_item))}）：成员不能来自区划之外")
    else:
        r.bad("成员事项基本编码", f"事项“{member}”没有实施清单")


def catalogue_import(content: bytes) -> dict[str, int]:
    """Import a workbook; all or nothing. Returns the number of rows per sheet imported."""
    problems: list[Problem] = []
    sheets = _read_sheets(content, problems)
    plan = _check(sheets, problems)
    if problems:
        problems.sort(key=lambda p: (list(SHEETS).index(p.sheet) if p.sheet in SHEETS else -1, p.row or 0))
        raise CatalogueImportError(problems)
    try:
        _apply(plan)
    except DomainError as exc:  # a rule the row checks did not foresee: still nothing imported
        raise CatalogueImportError([Problem("文件", None, exc.field, exc.message)])
    return {name: len(rows) for name, rows in sheets.items()}


@transaction.atomic
def _apply(plan: _Plan) -> None:
    units = {u.code: u for u in Unit.objects.all()}
    touched: dict[str, ServiceItem] = {}
    for new, steps, sup in plan.items:
        item = ServiceItem.objects.filter(basic_code=new.basic_code).first() or ServiceItem(basic_code=new.basic_code)
        for f in ("name", "type_code", "mode", "statutory_days", "promised_days", "basis", "conditions", "fee",
                  "commitment_allowed", "deemed_approval_allowed", "result_licence", "form_fields", "service_object",
                  "visits", "online_depth"):
            setattr(item, f, getattr(new, f))
        if sup:
            item.supervising_unit = units[sup]
        services.item_save(item=item, steps=steps)
        touched[item.basic_code] = item
    for code in plan.materials:
        touched.setdefault(code, ServiceItem.objects.filter(basic_code=code).first())
    for code, item in touched.items():
        if code in plan.materials or any(i.basic_code == code for i, _, _ in plan.items):
            _replace_materials(item, plan.materials.get(code, []))
    items = {i.basic_code: i for i in ServiceItem.objects.all()}
    for row, co in plan.impls:
        impl = ItemImplementation.objects.filter(impl_code=row["impl_code"]).first() or ItemImplementation(
            impl_code=row["impl_code"])
        impl.item, impl.region_id, impl.department = items[row["basic"]], row["region"], units[row["dept"]]
        for f in ("name", "basis", "type_code", "location", "phone", "complaint_phone"):
            setattr(impl, f, row[f])
        services.implementation_save(impl=impl, co_reviewers=[units[c] for c in co])
    for item in touched.values():
        services.item_refresh_search(item=item)
    impls = {i.impl_code: i for i in ItemImplementation.objects.select_related("item")}
    for e in plan.empowerments:
        obj = Empowerment.objects.filter(implementation=impls[e["impl"]], park=units[e["park"]],
                                         effective_from=e["from"]).first()
        obj = obj or Empowerment(implementation=impls[e["impl"]], park=units[e["park"]], effective_from=e["from"])
        obj.mode, obj.effective_to = e["mode"], e["to"]
        obj.approving_unit = units[e["approver"]] if e["approver"] else None
        services.empowerment_save(empowerment=obj)
    by_item_region = {(i.item.basic_code, i.region_id): i for i in impls.values()}
    for head, members in plan.bundles:
        bundle = Bundle.objects.filter(code=head["code"]).first() or Bundle(code=head["code"])
        bundle.name, bundle.theme, bundle.region_id = head["name"], head["theme"], head["region"]
        bundle.promised_days = head["promised_days"]
        services.bundle_save(bundle=bundle, members=[(by_item_region[(m, head["region"])], after)
                                                     for m, after in members])


def _replace_materials(item: ServiceItem, materials: list[Material]) -> None:
    wanted = [(m.order, m.name, m.source, m.required, m.tolerable) for m in materials]
    have = list(item.materials.order_by("order", "id").values_list("order", "name", "source", "required", "tolerable"))
    if have == wanted:
        return
    item.materials.all().delete()
    for m in materials:
        m.item = item
    Material.objects.bulk_create(materials)
