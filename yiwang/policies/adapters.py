"""Data adapters for 一企一档: where profile values come from (tax, social insurance, market
regulation). Each adapter yields ProfileRecords; `services.profile_import` writes them with their
source and date. The local adapter reads an Excel or CSV file as the departments export them; a
deployment adds one class per provincial data-sharing interface with the same `records()`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from yiwang.core.errors import DomainError

# Column header (Chinese, as exported) -> profile key.
HEADERS = {
    "统一社会信用代码": "uscc", "年度": "year", "所属行业": "industry_code", "行业代码": "industry_code",
    "成立日期": "registered_on", "从业人数": "employees", "社保参保人数": "insured", "参保人数": "insured",
    "营业收入（万元）": "revenue", "营业收入": "revenue", "纳税额（万元）": "tax_paid", "纳税额": "tax_paid",
    "固定资产投资（万元）": "investment", "固定资产投资": "investment", "纳税信用等级": "credit_grade",
}
INT_KEYS = {"employees", "insured", "year"}
MONEY_KEYS = {"revenue", "tax_paid", "investment"}


@dataclass
class ProfileRecord:
    uscc: str
    values: dict = field(default_factory=dict)  # profile key -> value
    year: int | None = None
    row: int = 0  # the line in the file, for messages


class ProfileSource(Protocol):
    name: str  # the source as it is recorded with each value (税务, 人社, 市场监管)
    as_of: date

    def records(self) -> Iterator[ProfileRecord]: ...


class LocalFileSource:
    """An .xlsx or .csv file whose first row is the Chinese headers above."""

    def __init__(self, *, content: bytes, filename: str, name: str, as_of: date):
        self.content, self.filename, self.name, self.as_of = content, filename, name, as_of

    def _rows(self) -> list[list]:
        if self.filename.lower().endswith(".xlsx"):
            from openpyxl import load_workbook

            try:
                ws = load_workbook(io.BytesIO(self.content), read_only=True, data_only=True).active
            except Exception:  # noqa: BLE001 - any unreadable workbook is the same refusal
                raise DomainError("文件无法读取：请上传 Excel（.xlsx）或 CSV 文件", field="file") from None
            return [list(r) for r in ws.iter_rows(values_only=True)]
        if self.filename.lower().endswith(".csv"):
            text = self.content.decode("utf-8-sig", errors="strict") if self.content else ""
            return list(csv.reader(io.StringIO(text)))
        raise DomainError("文件类型不支持：请上传 .xlsx 或 .csv 文件", field="file")

    def records(self) -> Iterator[ProfileRecord]:
        rows = self._rows()
        if not rows:
            raise DomainError("文件为空", field="file")
        keys = [HEADERS.get(str(h or "").strip()) for h in rows[0]]
        if "uscc" not in keys:
            raise DomainError("文件缺少“统一社会信用代码”列", field="file")
        for n, row in enumerate(rows[1:], start=2):
            cells = {k: v for k, v in zip(keys, row, strict=False) if k and v not in (None, "")}
            if not cells:
                continue
            values = {k: _cell(k, v, row=n) for k, v in cells.items() if k not in ("uscc", "year")}
            year = _cell("year", cells["year"], row=n) if "year" in cells else None
            yield ProfileRecord(uscc=str(cells.get("uscc", "")).strip().upper(), values=values, year=year, row=n)


def _cell(key: str, value, *, row: int):
    try:
        if key in INT_KEYS:
            return int(Decimal(str(value)))
        if key in MONEY_KEYS:
            return Decimal(str(value)).quantize(Decimal("0.01"))
        if key == "registered_on":
            if isinstance(value, datetime):
                return value.date()
            return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"第{row}行“{key_label(key)}”格式不正确", field="file") from None
    return str(value).strip().upper() if key in ("industry_code", "credit_grade") else str(value).strip()


def key_label(key: str) -> str:
    return next((h for h, k in HEADERS.items() if k == key), key)
