"""Changes to the calendar. Each bumps the version and tells the case engine what moved."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F

from yiwang.core.errors import DomainError

from . import index
from .models import CalendarDay, CalendarVersion, CalendarYear, DayKind
from .signals import calendar_changed

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
KIND_ALIASES = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
    "调休上班日": DayKind.WORKDAY,
}


@dataclass(frozen=True)
class DayRow:
    date: date
    kind: str
    name: str


def _changed(since: date) -> None:
    CalendarVersion.objects.get_or_create(pk=1)
    CalendarVersion.objects.filter(pk=1).update(version=F("version") + 1)
    index.mark_changed()
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarDay, since=since))


@transaction.atomic
def calendar_seed_from_package(*, overwrite: bool = False) -> list[int]:
    """Load every year chinesecalendar knows that the database does not have yet."""
    from chinese_calendar import constants

    by_year: dict[int, list[DayRow]] = {}
    for d, name in constants.holidays.items():
        by_year.setdefault(d.year, []).append(DayRow(d, DayKind.HOLIDAY, HOLIDAY_NAMES.get(name, name)))
    for d, name in constants.workdays.items():
        if d.weekday() >= 5:  # the package lists every workday of some years; keep only 调休 weekends
            by_year.setdefault(d.year, []).append(DayRow(d, DayKind.WORKDAY, HOLIDAY_NAMES.get(name, name)))
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    loaded = []
    for year in sorted(by_year):
        if year in existing and not overwrite:
            continue
        _replace_year(year, by_year[year], source="chinesecalendar")
        loaded.append(year)
    if loaded:
        _changed(date(min(loaded), 1, 1))
    return loaded


def _replace_year(year: int, rows: list[DayRow], *, source: str) -> None:
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create([CalendarDay(date=r.date, kind=r.kind, name=r.name) for r in rows])
    CalendarYear.objects.update_or_create(year=year, defaults={"source": source})


def parse_calendar_file(content: bytes, *, filename: str) -> tuple[int, list[DayRow]]:
    """Parse a year from CSV (date,kind,name) or JSON ({"year", "days": [{date, kind, name}]}).

    Every bad row is reported at once, in Chinese, with its row number.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("文件必须是 UTF-8 编码", field="file", code="bad_encoding")
    raw: list[tuple[int, dict]] = []
    declared_year = None
    if filename.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DomainError(f"JSON 格式错误：第{exc.lineno}行", field="file", code="bad_json")
        if isinstance(data, dict):
            declared_year = data.get("year")
            data = data.get("days", [])
        if not isinstance(data, list):
            raise DomainError("JSON 应为 {\"year\": 年份, \"days\": [...]}", field="file", code="bad_json")
        raw = [(i + 1, row if isinstance(row, dict) else {}) for i, row in enumerate(data)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "date" not in [f.strip() for f in reader.fieldnames]:
            raise DomainError("CSV 第一行应为表头 date,kind,name", field="file", code="bad_csv")
        raw = [(i + 2, {k.strip(): (v or "").strip() for k, v in row.items() if k}) for i, row in enumerate(reader)]
    errors, rows = [], []
    for line, row in raw:
        try:
            d = date.fromisoformat(str(row.get("date", "")))
        except ValueError:
            errors.append(f"第{line}行：日期“{row.get('date', '')}”格式应为 YYYY-MM-DD")
            continue
        kind = KIND_ALIASES.get(str(row.get("kind", "")).strip().lower())
        if kind is None:
            errors.append(f"第{line}行：类型“{row.get('kind', '')}”应为 holiday（休）或 workday（班）")
            continue
        rows.append(DayRow(d, kind, str(row.get("name", ""))[:64]))
    years = {r.date.year for r in rows}
    if declared_year is not None:
        if not str(declared_year).strip().isdigit():
            raise DomainError(f"JSON 的 year“{declared_year}”应为四位年份", field="file", code="bad_json")
        years.add(int(declared_year))
    if not errors and len(years) != 1:
        errors.append("一个文件只能导入一个年度，发现：" + "、".join(str(y) for y in sorted(years)) if years else "文件中没有日期")
    seen = set()
    for r in rows:
        if r.date in seen:
            errors.append(f"日期 {r.date} 重复")
        seen.add(r.date)
    if errors:
        raise DomainError("；".join(errors), field="file", code="bad_rows")
    return years.pop(), rows


@transaction.atomic
def calendar_import_year(*, content: bytes, filename: str, source: str = "文件导入") -> tuple[int, int]:
    year, rows = parse_calendar_file(content, filename=filename)
    _replace_year(year, rows, source=source)
    _changed(date(year, 1, 1))
    return year, len(rows)


@transaction.atomic
def calendar_day_set(*, day: date, kind: str, name: str = "") -> CalendarDay:
    """Add or change one day (an extra holiday, say). Its year becomes covered if it was not."""
    if kind not in DayKind.values:
        raise DomainError("类型应为 holiday 或 workday", field="kind")
    obj, _ = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
    CalendarYear.objects.get_or_create(year=day.year, defaults={"source": "手工维护"})
    _changed(day)
    return obj


@transaction.atomic
def calendar_day_remove(*, day: date) -> None:
    CalendarDay.objects.filter(date=day).delete()
    _changed(day)
