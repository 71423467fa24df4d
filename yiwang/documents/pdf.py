"""A case document as a PDF: the project's PDF stack (reportlab, the built-in Chinese CID font
STSong-Light — nothing to download or embed), the unit's round seal over its name and date, and a
QR code: to the progress lookup on a receipt, to the document's verification page otherwise."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

# The licence's seal mark and QR drawing: one look for every seal the platform prints.
from yiwang.licences.pdf import _font, _qr, _seal_mark

GREY = colors.Color(0.4, 0.4, 0.4)


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=21, wordWrap="CJK", firstLineIndent=24)
    return {
        "unit": ParagraphStyle("unit", parent=body, fontSize=15, leading=22, alignment=1, firstLineIndent=0),
        "title": ParagraphStyle(
            "title", parent=body, fontSize=22, leading=32, alignment=1, firstLineIndent=0
        ),
        "number": ParagraphStyle("number", parent=body, fontSize=11, alignment=1, firstLineIndent=0),
        "to": ParagraphStyle("to", parent=body, firstLineIndent=0, spaceBefore=6),
        "body": body,
        "item": ParagraphStyle("item", parent=body, firstLineIndent=0, leftIndent=24),
        "cell": ParagraphStyle("cell", parent=body, fontSize=10.5, leading=15, firstLineIndent=0),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8, leading=11, firstLineIndent=0, textColor=GREY
        ),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


class SealBlock(Flowable):
    """The issuing unit's name and the date at the right, the round seal over them, and the QR code
    with its caption at the left."""

    def __init__(self, *, unit_name: str, date_text: str, qr_data: str, qr_caption: str, width: float):
        super().__init__()
        self.unit_name, self.date_text, self.qr_data, self.qr_caption = (
            unit_name,
            date_text,
            qr_data,
            qr_caption,
        )
        self.width, self.height = width, 52 * mm

    def draw(self) -> None:
        c, font = self.canv, _font()
        _qr(c, 0, 8 * mm, 34 * mm, self.qr_data)
        c.setFont(font, 8)
        c.drawString(0, 4 * mm, self.qr_caption)
        c.setFont(font, 12)
        right = self.width - 6 * mm
        c.drawRightString(right, 30 * mm, self.unit_name)
        c.drawRightString(right, 23 * mm, self.date_text)
        _seal_mark(c, right - 28 * mm, 28 * mm, 21 * mm, self.unit_name)


def _materials(content: dict, s: dict, width: float) -> list:
    names = content.get("materials") or []
    if not names:
        return []
    rows = [[_p("序号", s["cell"]), _p(content.get("materials_title") or "材料", s["cell"])]]
    rows += [[_p(str(i), s["cell"]), _p(n, s["cell"])] for i, n in enumerate(names, start=1)]
    t = Table(rows, colWidths=[width * 0.12, width * 0.88])
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
            ]
        )
    )
    return [Spacer(1, 4), t, Spacer(1, 6)]


def _facts(content: dict, s: dict, width: float) -> Table:
    rows = [
        ("办件编号", content["case_number"]),
        ("申请事项", content["item"]),
        ("申请人", content["party_name"]),
        ("申请人代码", content["party_number"]),
        ("收件日期", content["received_on"]),
    ]
    t = Table([[_p(k, s["cell"]), _p(v, s["cell"])] for k, v in rows], colWidths=[width * 0.22, width * 0.78])
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f7f7f7")),
            ]
        )
    )
    return t


def document_pdf(
    content: dict, *, number: str, code: str, seal_name: str, qr_data: str, qr_caption: str, verify_url: str
) -> bytes:
    s = _styles()
    width = A4[0] - 40 * mm
    story: list = [
        _p(content["unit_name"], s["unit"]),
        _p(content["title"], s["title"]),
        _p(number, s["number"]),
        Spacer(1, 8),
        _p(f"{content['party_name']}：", s["to"]),
    ]
    story += [_p(text, s["body"]) for text in content.get("body", [])]
    story += _materials(content, s, width)
    if content.get("remedy"):
        story.append(_p(content["remedy"], s["body"]))
    story += [Spacer(1, 6), _facts(content, s, width), Spacer(1, 6)]
    for line in content.get("signature_lines", []):
        story += [Spacer(1, 10), _p(line + "＿" * 12 + "　日期：＿＿＿＿", s["item"])]
    y, m, d = content["on"].split("-")
    story.append(
        SealBlock(
            unit_name=content["unit_name"],
            date_text=f"{y}年{m}月{d}日",
            qr_data=qr_data,
            qr_caption=qr_caption,
            width=width,
        )
    )
    story.append(_p(f"电子印章：{seal_name}（SM2/SM3） 核验码：{code} 核验：{verify_url}", s["small"]))
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=f"{content['title']} {number}",
        author=content["unit_name"],
        subject=f"办件 {content['case_number']}",
    )
    doc.build(story)
    return buf.getvalue()
