"""What each document says, read from the case and the event that caused it: a plain dict, stored
with the document (so the record shows what was printed) and drawn by pdf.py."""

from __future__ import annotations

from yiwang.cases.models import Case, CaseChannel, CaseEvent, DeliveryMethod
from yiwang.organisations.models import Unit

from . import rules
from .models import DocumentKind as K

LAW = "《中华人民共和国行政许可法》"


def issuing_unit(case: Case, kind: str, event: CaseEvent) -> Unit:
    """The unit in whose name the document is issued (and whose seal it bears)."""
    if kind == K.RECEIPT:
        return case.remote_intake_unit or case.receiving_unit
    if kind in (K.APPROVAL, K.DENIAL):
        return case.in_name_of
    if kind == K.DELIVERY:
        return event.actor_unit or case.receiving_unit
    return case.receiving_unit


def _common(case: Case, event: CaseEvent) -> dict:
    party = case.applicant
    return {
        "case_number": case.number,
        "item": case.implementation.name,
        "impl_code": case.implementation.impl_code,
        "party_name": party.name,
        "party_number": party.number,
        "received_on": case.received_on.isoformat(),
        "on": event.on.isoformat(),
    }


def _received_materials(case: Case) -> list[str]:
    names = sorted({m.name for m in case.materials.all()})
    shared = [s["material"] for s in (case.shared_materials or {}).get("satisfied", [])]
    return names + [f"{n}（数据共享获取，免提交）" for n in shared if n not in names]


def _paragraphs(case: Case, event: CaseEvent, kind: str, unit: Unit) -> dict:
    item, data = case.implementation.name, event.data or {}
    if kind == K.RECEIPT:
        return {
            "body": [
                f"你（单位）于{event.on:%Y年%m月%d日}通过{CaseChannel(case.channel).label}提交的“{item}”申请材料已收到。"
                f"本机关将在5个工作日内作出是否受理的决定（{LAW}第三十二条）。"
                f"可凭办件编号和申请人手机号码（或证件号码后6位）扫描下方二维码查询办理进度。"
            ],
            "materials": _received_materials(case),
            "materials_title": "已收到的材料",
        }
    if kind == K.ACCEPTANCE:
        body = [
            f"你（单位）提出的“{item}”申请，经审查，申请材料齐全、符合法定形式，"
            f"根据{LAW}第三十二条的规定，本机关决定予以受理。",
            f"法定办结时限{case.statutory_days}个工作日，承诺办结时限{case.promised_days}个工作日"
            + (f"，办结期限为{case.deadline:%Y年%m月%d日}" if case.deadline else "")
            + "。",
        ]
        tolerated = data.get("tolerated") or []
        if tolerated:
            body.append(
                f"以下材料容缺受理，请于{data.get('supply_due', '')}前补交，逾期未补交的，不能作出准予决定。"
            )
        if data.get("commitment"):
            body.append(
                "本申请适用告知承诺制，你（单位）应对承诺内容的真实性负责，本机关将依法进行事后核查。"
            )
        return {"body": body, "materials": tolerated, "materials_title": "容缺补交材料"}
    if kind == K.CORRECTION:
        materials = data.get("materials") or []
        body = [
            f"你（单位）提出的“{item}”申请，申请材料不齐全或者不符合法定形式。根据{LAW}第三十二条的规定，"
            "现一次性告知你（单位）需要补正的全部内容如下，请补正后重新提交："
        ]
        if event.reason:
            body.append(f"补正说明：{event.reason}")
        return {"body": body, "materials": materials, "materials_title": "需补正的材料"}
    if kind == K.REFUSAL:
        return {
            "body": [
                f"你（单位）提出的“{item}”申请，经审查，根据{LAW}第三十二条的规定，本机关决定不予受理。",
                f"理由：{event.reason}",
            ]
        }
    if kind == K.APPROVAL:
        body = [
            f"你（单位）提出的“{item}”申请（办件编号 {case.number}），经审查，符合法定条件、标准，"
            f"根据{LAW}第三十八条的规定，本机关决定准予许可。"
        ]
        if case.commitment:
            body.append(
                "本决定依你（单位）的书面承诺作出；经事后核查承诺与实际不符的，本机关将依法撤销本决定。"
            )
        licence = _licence_of(case)
        if licence:
            body.append(f"颁发证照：{licence}。")
        return {"body": body}
    if kind == K.DENIAL:
        return {
            "body": [
                f"你（单位）提出的“{item}”申请，经审查，根据{LAW}第三十八条的规定，本机关决定不予许可。",
                f"理由：{event.reason}",
            ]
        }
    return _delivery(case, event)


def _licence_of(case: Case) -> str:
    from yiwang.licences.models import Licence

    lic = (
        Licence.objects.filter(case_number=case.number)
        .select_related("licence_type")
        .order_by("-version")
        .first()
    )
    return f"{lic.licence_type.name}（证照标识 {lic.identifier}）" if lic else ""


def _delivery(case: Case, event: CaseEvent) -> dict:
    from .models import CaseDocument

    decision = (
        CaseDocument.objects.filter(case=case, kind__in=(K.APPROVAL, K.DENIAL))
        .order_by("-issued_at")
        .values_list("kind", "number")
        .first()
    )
    method = DeliveryMethod((event.data or {}).get("method") or case.delivery_method or "window").label
    delivered = [f"{K(decision[0]).label}（{decision[1]}）" if decision else "行政许可决定书"]
    licence = _licence_of(case)
    if licence:
        delivered.append(licence)
    actor = event.actor.get_full_name() or event.actor.username if event.actor else "系统"
    return {
        "body": [
            f"送达文书：{'；'.join(delivered)}",
            f"送达方式：{method}",
            f"送达时间：{event.at:%Y年%m月%d日}",
            f"送达人：{actor}",
            f"受送达人：{case.applicant.name}",
        ],
        "signature_lines": ["受送达人签名（盖章）：", "送达人签名："],
    }


def document_content(case: Case, event: CaseEvent, kind: str, unit: Unit) -> dict:
    out = {
        **_common(case, event),
        "title": K(kind).label,
        "unit_name": unit.name,
        **_paragraphs(case, event, kind, unit),
    }
    if kind in rules.WITH_REMEDY:
        region = unit.region
        parent = region.parent.name if region.parent_id else ""
        remedy = rules.remedy_for(
            unit_name=unit.name, region_name=region.name, region_level=region.level, parent_region_name=parent
        )
        out.update(remedy=remedy.text, review_body=remedy.review_body, court=remedy.court)
    return out
