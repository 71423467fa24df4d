"""Excel exports in the layout each page's table shows (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="EEF2F7")


def table_xlsx(*, title: str, subtitle: str, headers: list[str], rows: list[list], widths: list[int] | None = None,
               notes: list[str] | None = None, sheet: str = "统计") -> bytes:
    """One sheet: a title row, a subtitle (scope and period), the header row and the rows, then notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ncol = len(headers)
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([subtitle])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    ws.append(headers)
    for c in range(1, ncol + 1):
        cell = ws.cell(row=3, column=c)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD, BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r in rows:
        ws.append(["" if v is None else v for v in r])
        for c in range(1, ncol + 1):
            cell = ws.cell(row=ws.max_row, column=c)
            cell.border = BOX
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for note in notes or []:
        ws.append([note])
    for i, w in enumerate(widths or [14] * ncol, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
