"""Plain rules of the documents: which action issues which document, the number's form, the unit's
short name in it, and the legal remedy (行政复议 / 行政诉讼) a decision must state."""

from __future__ import annotations

from dataclasses import dataclass

from .models import DocumentKind as K

# The case workflow's actions (and the submission) and the document each one issues.
ISSUED_BY = {
    "submit": K.RECEIPT,
    "accept": K.ACCEPTANCE,
    "deemed_accept": K.ACCEPTANCE,
    "request_correction": K.CORRECTION,
    "refuse": K.REFUSAL,
    "approve": K.APPROVAL,
    "deemed_approve": K.APPROVAL,
    "decide_on_acceptance": K.APPROVAL,
    "deny": K.DENIAL,
    "deliver": K.DELIVERY,
}

# The character(s) of each series in the number: 湘潭县市监受字〔2026〕第0001号.
SERIES = {
    K.RECEIPT: "收",
    K.ACCEPTANCE: "受",
    K.CORRECTION: "补告",
    K.REFUSAL: "不受",
    K.APPROVAL: "准许",
    K.DENIAL: "不许",
    K.DELIVERY: "送",
}

# Documents with a legal remedy: a refusal to accept and both decisions are administrative acts.
WITH_REMEDY = frozenset({K.REFUSAL, K.APPROVAL, K.DENIAL})

# Usual short forms of unit names in document numbers (longest first wins).
SHORT_FORMS = [
    ("市场监督管理局", "市监"),
    ("行政审批服务局", "审批"),
    ("政务服务中心", "政务"),
    ("人力资源和社会保障局", "人社"),
    ("住房和城乡建设局", "住建"),
    ("人民防空办公室", "人防"),
    ("科技和工业信息化局", "科工"),
    ("卫生健康局", "卫健"),
    ("医疗保障局", "医保"),
    ("自然资源局", "自然资源"),
    ("生态环境局", "环"),
    ("不动产登记中心", "不动产"),
    ("税务局", "税"),
    ("公安局", "公"),
    ("人民政府", ""),
]
MAX_SHORT = 12


def unit_short_name(name: str) -> str:
    """湘潭县市场监督管理局 → 湘潭县市监; 国家税务总局湘潭县税务局 → 湘潭县税; anything else loses
    its last 局/中心/办公室 and is cut to 12 characters."""
    name = (name or "").strip().removeprefix("国家税务总局")
    name = name.split("（")[0]
    for long, short in sorted(SHORT_FORMS, key=lambda p: -len(p[0])):
        if long in name:
            name = name.replace(long, short, 1)
            break
    else:
        for suffix in ("办公室", "中心", "局"):
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
    return name[:MAX_SHORT]


def document_number(*, unit_name: str, kind: str, year: int, serial: int) -> str:
    return f"{unit_short_name(unit_name)}{SERIES[K(kind)]}字〔{year}〕第{serial:04d}号"


@dataclass(frozen=True)
class Remedy:
    review_body: str  # 行政复议机关
    court: str  # 行政诉讼的法院
    text: str


def remedy_for(
    *, unit_name: str, region_name: str, region_level: int, parent_region_name: str = ""
) -> Remedy:
    """Who reviews the unit's decision and which court hears a suit (《行政复议法》（2023年修订）第二十条、
    第二十四条、第二十七条: 60 days, the government at the unit's level, a tax bureau's next tax
    authority; 《行政诉讼法》第十八条、第四十六条: 6 months, the court where the defendant is)."""
    if "税务局" in unit_name:
        review = "上一级税务机关"
    elif unit_name.endswith("人民政府") or "人民政府（" in unit_name:
        review = f"{parent_region_name or region_name}人民政府"
    else:
        review = f"{region_name}人民政府"
    if region_level >= 4:
        prefix = parent_region_name if region_name.endswith("区") and parent_region_name else ""
        court = f"{prefix}{region_name}人民法院"
    else:
        court = f"{region_name}辖区内有管辖权的人民法院"
    text = (
        f"如不服本决定，可以自收到本决定书之日起六十日内向{review}申请行政复议，"
        f"或者自收到本决定书之日起六个月内向{court}提起行政诉讼。"
    )
    return Remedy(review_body=review, court=court, text=text)


def mask_name(name: str) -> str:
    """What a public page shows of a party's name: 湘潭示范科技有限公司 → 湘潭示****限公司, 张三 → 张*."""
    name = name or ""
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    keep = max(1, len(name) // 4)
    return name[:keep] + "*" * (len(name) - 2 * keep) + name[-keep:]
