"""PDFs of the service guide and the bundle checklist (明白卡), with reportlab's built-in Chinese CID
font STSong-Light: nothing to download or embed, and every PDF reader can show it."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .guide import GUIDE_SECTIONS, Checklist, Guide

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    # wordWrap="CJK" breaks lines between Chinese characters, which have no spaces.
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=10, alignment=1, textColor=colors.grey),
        "h2": ParagraphStyle("h2", parent=body, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4,
                             textColor=colors.HexColor("#a50f15")),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=13),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(rows: list[list], widths: list[float], style: ParagraphStyle) -> Table:
    data = [[_p(c, style) for c in row] for row in rows]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return t


def _build(story: list, title: str, *, invariant: bool = False) -> bytes:
    """invariant: no creation date or random id, so the same content gives the same bytes."""
    buf = BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=title, author=_("一网通办"), invariant=invariant)
    doc.build(story)
    return buf.getvalue()


def _yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def guide_pdf(g: Guide, *, site_title: str) -> bytes:
    s = _styles()
    width = A4[0] - 36 * mm
    story: list = [_p(g.name, s["title"]), _p(_("办事指南") + " | " + site_title, s["subtitle"]), Spacer(1, 6)]
    titles = dict(GUIDE_SECTIONS)

    def section(key: str) -> None:
        story.append(_p(_(titles[key]), s["h2"]))

    section("basic")
    story.append(_table([
        [_("实施编码"), g.impl_code, _("事项类型"), g.type_label],
        [_("实施主体"), g.department, _("办件类型"), g.mode_label],
        [_("法定办结时限"), _("%(n)s 个工作日") % {"n": g.statutory_days},
         _("承诺办结时限"), _("%(n)s 个工作日") % {"n": g.promised_days}],
        [_("办理形式"), "、".join(g.channels) or "—", _("基本编码"), g.basic_code],
        [_("到办事现场次数"), g.visits_text, _("网上办理深度"), g.online_depth_label],
    ], [width * 0.17, width * 0.33, width * 0.17, width * 0.33], s["cell"]))
    section("basis")
    story.append(_p(g.basis or _("见相关法律法规"), s["body"]))
    section("conditions")
    story.append(_p(g.conditions or "—", s["body"]))
    section("materials")
    rows = [[_("序号"), _("材料名称"), _("来源"), _("必需"), _("可容缺")]]
    rows += [[str(i), m.name, m.source_label, _yes(m.required), _yes(m.tolerable)]
             for i, m in enumerate(g.materials, start=1)]
    story.append(_table(rows, [width * 0.08, width * 0.44, width * 0.24, width * 0.12, width * 0.12], s["cell"]))
    if g.has_fetched:
        story.append(Spacer(1, 4))
        story.append(_p(_("来源为“电子证照库调取”或“数据共享获取”的材料由部门调取，申请人无需提交。"), s["body"]))
    section("steps")
    story.append(_p(" → ".join(g.steps) or "—", s["body"]))
    section("days")
    story.append(_p(g.days_text(), s["body"]))
    section("fee")
    story.append(_p(g.fee_text + (f"（{g.fee_basis}）" if g.fee_basis else ""), s["body"]))
    section("location")
    story.append(_p(g.location or "—", s["body"]))
    section("hours")
    story.append(_p(g.hours or "—", s["body"]))
    section("phone")
    story.append(_p(g.phone or "12345", s["body"]))
    section("complaint")
    story.append(_p(g.complaint_phone or "12345", s["body"]))
    section("commitment")
    story.append(_p(_("适用告知承诺制：%(c)s；适用超时默认：%(d)s") % {
        "c": _yes(g.commitment_allowed), "d": _yes(g.deemed_approval_allowed)}, s["body"]))
    section("result")
    story.append(_p(g.result_licence or _("无"), s["body"]))
    section("forms")
    story.append(_p("；".join(f"{f.name}（{f.kind_label}）" for f in g.forms) or _("无"), s["body"]))
    section("faq")
    for q, a in g.faqs:
        story.append(_p(_("问：%(q)s") % {"q": q}, s["body"]))
        story.append(_p(_("答：%(a)s") % {"a": a}, s["body"]))
    if not g.faqs:
        story.append(_p(_("无"), s["body"]))
    return _build(story, g.name)


def form_pdf(title: str, item_name: str, fields: list[str], values: dict) -> bytes:
    """A form for the guide's downloads: the item's fields in a two-column table, empty (空白表格) or
    filled with `values` and marked 示范文本 (样表)."""
    s = _styles()
    width = A4[0] - 36 * mm
    sample = bool(values)
    story: list = [
        _p(title, s["title"]),
        _p(item_name + (" | " + _("示范文本（样表），仅供参考") if sample else ""), s["subtitle"]),
        Spacer(1, 8),
    ]
    rows = [[_("填写项目"), _("内容")]] + [[f, str(values.get(f, ""))] for f in fields]
    rows += [[_("申请人（签字或盖章）"), _("（示例）") if sample else ""], [_("日期"), ""]]
    t = _table(rows, [width * 0.3, width * 0.7], s["cell"])
    t.setStyle(TableStyle([("BOTTOMPADDING", (0, 1), (-1, -1), 14)]))
    story.append(t)
    story.append(Spacer(1, 8))
    story.append(_p(_("本人承诺所填内容真实、准确、完整。"), s["body"]))
    return _build(story, title, invariant=True)


def checklist_pdf(c: Checklist, *, site_title: str) -> bytes:
    s = _styles()
    width = A4[0] - 36 * mm
    story: list = [
        _p(_("“%(name)s”一件事一次办 明白卡") % {"name": c.name}, s["title"]),
        _p(site_title + " | " + _("承诺办结时限：%(n)s 个工作日") % {"n": c.promised_days}, s["subtitle"]),
        Spacer(1, 6),
        _p(_("办理顺序"), s["h2"]),
    ]
    for i, layer in enumerate(c.layers, start=1):
        names = "、".join(m.name for m in layer)
        waits = sorted({w for m in layer for w in m.waits_for})
        text = _("第%(i)s步：%(names)s") % {"i": i, "names": names}
        if len(layer) > 1:
            text += _("（同时办理）")
        if waits:
            text += _("，在%(waits)s办结后进行") % {"waits": "、".join(waits)}
        story.append(_p(text, s["body"]))
    story.append(_p(_("需提交的材料"), s["h2"]))
    rows = [[_("序号"), _("材料名称"), _("说明"), _("用于")]]
    rows += [[str(i), m.name, m.status, "、".join(m.members)] for i, m in enumerate(c.to_submit, start=1)]
    story.append(_table(rows, [width * 0.08, width * 0.34, width * 0.22, width * 0.36], s["cell"]))
    story.append(_p(_("无需提交的材料"), s["h2"]))
    rows = [[_("序号"), _("材料名称"), _("说明"), _("用于")]]
    rows += [[str(i), m.name, m.status, "、".join(m.members)] for i, m in enumerate(c.not_to_submit, start=1)]
    story.append(_table(rows, [width * 0.08, width * 0.30, width * 0.32, width * 0.30], s["cell"]))
    story.append(_p(_("填一份表：需填写的信息"), s["h2"]))
    rows = [[_("信息项"), _("用于")]] + [[f.name, "、".join(f.members)] for f in c.fields]
    story.append(_table(rows, [width * 0.3, width * 0.7], s["cell"]))
    return _build(story, c.name)
