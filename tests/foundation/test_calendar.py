"""The working-day calendar across 2026's Spring Festival and National Day, the provisional year
2027, range errors, importing a year (command and admin upload) and rebuilding the index."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from yiwang.core.errors import DomainError
from yiwang.demo.loader import DEMO_PASSWORD
from yiwang.workcalendar import index
from yiwang.workcalendar.index import (
    CalendarIndex,
    CalendarRangeError,
    add_working_days,
    working_days_between,
)
from yiwang.workcalendar.models import CalendarDay, CalendarVersion, CalendarYear
from yiwang.workcalendar.services import calendar_day_remove, calendar_day_set, calendar_import_year

pytestmark = pytest.mark.django_db

D = date.fromisoformat


@pytest.fixture(autouse=True)
def fresh_index():
    index.invalidate()
    yield
    index.invalidate()


# 2026: Spring Festival 2/15–2/23 off, Saturdays 2/14 and 2/28 worked; Mid-autumn 9/25–9/27 and
# National Day 10/1–10/7 off, Sunday 9/20 and Saturday 10/10 worked.
ADD = [
    # start, n, expected, why
    ("2026-02-13", 0, "2026-02-13", "n=0 is the start itself"),
    ("2026-02-20", 0, "2026-02-20", "n=0 even on a holiday"),
    ("2026-02-13", 1, "2026-02-14", "Saturday 2/14 is a 调休 working day"),
    ("2026-02-13", 2, "2026-02-24", "2/15–2/23 are the Spring Festival"),
    ("2026-02-14", 1, "2026-02-24", "from the working Saturday over the holiday"),
    ("2026-02-12", 3, "2026-02-24", "13, 14, then 24"),
    ("2026-02-16", 1, "2026-02-24", "from inside the holiday"),
    ("2026-02-24", 4, "2026-02-28", "Saturday 2/28 is worked"),
    ("2026-02-24", 5, "2026-03-02", "Sunday 3/1 is not"),
    ("2026-09-18", 1, "2026-09-20", "Sunday 9/20 is a 调休 working day"),
    ("2026-09-24", 1, "2026-09-28", "9/25–9/27 Mid-autumn"),
    ("2026-09-30", 1, "2026-10-08", "10/1–10/7 National Day"),
    ("2026-09-30", 3, "2026-10-10", "Saturday 10/10 is worked"),
    ("2026-09-30", 4, "2026-10-12", "Sunday 10/11 is not"),
    ("2026-10-09", 1, "2026-10-10", "the working Saturday right after"),
    ("2026-12-30", 1, "2026-12-31", "still inside 2026"),
]


@pytest.mark.parametrize("start,n,expected,why", ADD)
def test_add_working_days_2026(start, n, expected, why):
    r = add_working_days(D(start), n)
    assert r.date == D(expected), why
    assert r.provisional is False


BETWEEN = [
    # a, b, working days in (a, b]
    ("2026-02-13", "2026-02-13", 0),
    ("2026-02-13", "2026-02-24", 2),
    ("2026-02-14", "2026-02-23", 0),
    ("2026-02-24", "2026-02-13", -2),
    ("2026-01-31", "2026-02-28", 16),
    ("2026-09-19", "2026-09-20", 1),
    ("2026-09-30", "2026-10-10", 3),
    ("2026-10-10", "2026-09-30", -3),
    ("2026-09-30", "2026-10-07", 0),
]


@pytest.mark.parametrize("a,b,expected", BETWEEN)
def test_working_days_between_2026(a, b, expected):
    r = working_days_between(D(a), D(b))
    assert r.days == expected
    assert r.provisional is False


@pytest.mark.parametrize("start,n", [(s, n) for s, n, _, _ in ADD if n > 0])
def test_between_inverts_add(start, n):
    end = add_working_days(D(start), n).date
    assert working_days_between(D(start), end).days == n


# 2027 has no official calendar (chinesecalendar stops at 2026): weekends only, flagged.
PROVISIONAL_ADD = [
    ("2026-12-31", 1, "2027-01-01", True),   # a Friday; the real New Year's Day, unknown here
    ("2026-12-31", 2, "2027-01-04", True),
    ("2027-03-05", 1, "2027-03-08", True),
    ("2027-03-05", 0, "2027-03-05", False),  # nothing computed
    ("2026-12-30", 1, "2026-12-31", False),
]


@pytest.mark.parametrize("start,n,expected,provisional", PROVISIONAL_ADD)
def test_a_year_without_calendar_is_provisional_weekends_only(start, n, expected, provisional):
    assert not CalendarYear.objects.filter(year=2027).exists()
    r = add_working_days(D(start), n)
    assert (r.date, r.provisional) == (D(expected), provisional)


@pytest.mark.parametrize("a,b,days,provisional", [
    ("2026-12-31", "2027-01-08", 6, True),
    ("2027-01-08", "2026-12-31", -6, True),
    ("2026-12-24", "2026-12-31", 5, False),
    ("2027-02-05", "2027-02-05", 0, False),
])
def test_between_into_a_year_without_calendar(a, b, days, provisional):
    r = working_days_between(D(a), D(b))
    assert (r.days, r.provisional) == (days, provisional)


@pytest.mark.parametrize("call", [
    lambda: add_working_days(date(1999, 12, 31), 1),
    lambda: add_working_days(date(2100, 12, 30), 5),
    lambda: working_days_between(date(1999, 1, 1), date(2026, 1, 1)),
    lambda: working_days_between(date(2026, 1, 1), date(2101, 1, 1)),
])
def test_dates_outside_the_index_raise_a_range_error_in_chinese(call):
    with pytest.raises(CalendarRangeError, match="超出日历支持的范围"):
        call()


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days(D("2026-02-13"), -1)


def test_pure_index_from_a_table():
    idx = CalendarIndex(covered={2030}, holidays={D("2030-01-01")}, workdays={D("2030-01-05")})
    assert idx.add_working_days(D("2029-12-31"), 1).date == D("2030-01-02")
    assert idx.add_working_days(D("2030-01-04"), 1).date == D("2030-01-05")
    assert idx.add_working_days(D("2030-01-04"), 1).provisional is False
    assert idx.working_days_between(D("2029-12-31"), D("2030-01-07")).days == 5


# ---------------------------------------------------------------- changing and importing

CSV_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-07,workday,春节\n"
JSON_2027 = json.dumps({"year": 2027, "days": [
    {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    {"date": "2027-02-06", "kind": "休", "name": "春节"},
    {"date": "2027-02-07", "kind": "班", "name": "春节"},
]}, ensure_ascii=False)


def _version() -> int:
    return CalendarVersion.objects.get(pk=1).version


def _assert_2027_loaded():
    assert CalendarYear.objects.filter(year=2027).exists()
    r = add_working_days(D("2026-12-31"), 1)
    assert (r.date, r.provisional) == (D("2027-01-04"), False)   # 1/1 is now a holiday
    assert add_working_days(D("2027-02-05"), 1).date == D("2027-02-07")  # the working Sunday


@pytest.mark.parametrize("name,content", [("2027.csv", CSV_2027), ("2027.json", JSON_2027)])
def test_importing_a_year_through_the_command(tmp_path, name, content):
    before = _version()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out = io.StringIO()
    call_command("import_calendar", str(path), stdout=out)
    assert "imported 2027: 3 day(s)" in out.getvalue()
    assert _version() == before + 1
    _assert_2027_loaded()


@pytest.mark.parametrize("name,content", [("2027.csv", CSV_2027), ("2027.json", JSON_2027)])
def test_importing_a_year_through_the_admin_upload_as_catadmin(name, content):
    c = Client()
    assert c.login(username="catadmin", password=DEMO_PASSWORD)
    upload = io.BytesIO(content.encode("utf-8"))
    upload.name = name
    r = c.post("/admin/workcalendar/calendaryear/import/", {"file": upload}, follow=True)
    assert r.status_code == 200
    assert "已导入 2027 年日历，共 3 天" in r.content.decode()
    _assert_2027_loaded()


BAD_FILES = [
    ("bad.csv", "date,kind,name\n2027-13-01,holiday,元旦\n", "第2行：日期“2027-13-01”格式应为 YYYY-MM-DD"),
    ("bad.csv", "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,rest,x\n", "第3行：类型“rest”应为 holiday"),
    ("bad.csv", "date,kind,name\n2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", "一个文件只能导入一个年度"),
    ("bad.csv", "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,workday,x\n", "日期 2027-01-01 重复"),
    ("bad.csv", "日期,类型\n2027-01-01,休\n", "CSV 第一行应为表头 date,kind,name"),
    ("bad.csv", "", "CSV 第一行应为表头"),
    ("bad.json", "{not json", "JSON 格式错误"),
    ("bad.json", '"2027"', "JSON 应为"),
    ("bad.json", '{"year": "明年", "days": []}', "应为四位年份"),
    ("bad.json", '{"year": 2027, "days": [{"date": "2027-01-01", "kind": "holiday"}, 5]}', "第2行"),
    ("bad.json", '{"year": 2027, "days": [{"date": "2028-01-01", "kind": "holiday"}]}', "一个文件只能导入一个年度"),
]


@pytest.mark.parametrize("name,content,message", BAD_FILES)
def test_bad_files_are_refused_with_chinese_row_messages(tmp_path, name, content, message):
    before = (_version(), CalendarDay.objects.count())
    with pytest.raises(DomainError) as err:
        calendar_import_year(content=content.encode("utf-8"), filename=name)
    assert message in err.value.message
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message.split("“")[0][:6]):
        call_command("import_calendar", str(path))
    assert (_version(), CalendarDay.objects.count()) == before
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_file_not_in_utf8_is_refused():
    with pytest.raises(DomainError, match="UTF-8"):
        calendar_import_year(content="date,kind\n2027-01-01,休\n".encode("gbk"), filename="x.csv")


def test_bad_file_through_the_admin_shows_the_row_messages():
    c = Client()
    assert c.login(username="catadmin", password=DEMO_PASSWORD)
    upload = io.BytesIO(b"date,kind,name\n2027-13-01,holiday,x\n")
    upload.name = "bad.csv"
    r = c.post("/admin/workcalendar/calendaryear/import/", {"file": upload})
    assert r.status_code == 200
    assert "第2行：日期" in r.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_adding_a_holiday_through_the_service_bumps_the_version_and_moves_results():
    before = _version()
    assert add_working_days(D("2026-03-05"), 1).date == D("2026-03-06")
    calendar_day_set(day=D("2026-03-06"), kind="holiday", name="临时假日")
    assert _version() == before + 1
    assert add_working_days(D("2026-03-05"), 1).date == D("2026-03-09")
    calendar_day_remove(day=D("2026-03-06"))
    assert _version() == before + 2
    assert add_working_days(D("2026-03-05"), 1).date == D("2026-03-06")


def test_a_change_made_by_another_process_is_seen_after_the_index_is_invalidated():
    assert add_working_days(D("2026-03-05"), 1).date == D("2026-03-06")
    # Another process writes the row and bumps the version; this process's index is stale.
    CalendarDay.objects.create(date=D("2026-03-06"), kind="holiday", name="另一进程")
    CalendarVersion.objects.filter(pk=1).update(version=_version() + 1)
    index._checked_at = 0.0  # the recheck interval has passed
    assert add_working_days(D("2026-03-05"), 1).date == D("2026-03-09")
    index.invalidate()
    assert add_working_days(D("2026-03-05"), 1).date == D("2026-03-09")


def test_an_unknown_kind_is_refused_by_the_service():
    with pytest.raises(DomainError, match="^类型应为 holiday 或 workday"):
        calendar_day_set(day=D("2026-03-06"), kind="rest")


def test_a_rolled_back_calendar_change_is_not_seen_afterwards():
    from django.db import transaction

    from yiwang.workcalendar.index import is_working_day
    from yiwang.workcalendar.services import calendar_day_set

    monday = date(2026, 11, 23)
    assert is_working_day(monday)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            calendar_day_set(day=monday, kind="holiday", name="回滚测试")
            assert not is_working_day(monday)
            raise RuntimeError("roll back")
    assert is_working_day(monday)
