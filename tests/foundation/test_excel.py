"""Excel import and export of the catalogue: round trip, all-or-nothing, row-by-row reports."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from openpyxl import load_workbook

from yiwang.catalogue.excel import SHEETS, CatalogueImportError, catalogue_export, catalogue_import
from yiwang.catalogue.models import (
    Bundle,
    BundleMember,
    Empowerment,
    ItemImplementation,
    Material,
    ServiceItem,
    Step,
)

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = [BundleMember, Bundle, Empowerment, ItemImplementation, Material, Step, ServiceItem]


def _values(content: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(content))
    return {name: [tuple(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}


def _empty_catalogue() -> None:
    """The catalogue's rows, and every row that points at them (other apps' too, transitively),
    removed straight in SQL inside the test's transaction (rolled back after it)."""
    doomed = {*CATALOGUE_MODELS, BundleMember.after.through, ItemImplementation.co_reviewers.through}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models(include_auto_created=True):
            if model not in doomed and any(
                f.is_relation and (f.many_to_one or (f.one_to_one and f.concrete)) and f.related_model in doomed
                for f in model._meta.get_fields()
            ):
                doomed.add(model)
                grew = True
    for model in doomed:
        # a plain queryset: history models refuse deletes through their own manager (append-only)
        models.QuerySet(model)._raw_delete("default")


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in CATALOGUE_MODELS}


def _edit(content: bytes, sheet: str, key: tuple, changes: dict | None = None, *, append: list | None = None):
    """A copy of the workbook with one row changed (found by its first columns) or one row appended.
    Returns (bytes, the row number touched)."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    if append is not None:
        ws.append(append)
        row = ws.max_row
    else:
        row = next(r[0].row for r in ws.iter_rows(min_row=2)
                   if tuple(c.value for c in r[: len(key)]) == key)
        for column, value in (changes or {}).items():
            ws.cell(row=row, column=header.index(column) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), row


def test_export_has_the_five_sheets_with_their_headers():
    values = _values(catalogue_export())
    assert list(values) == list(SHEETS)
    for name, columns in SHEETS.items():
        assert list(values[name][0]) == columns
    items = {r[0]: r for r in values["事项"][1:]}
    assert items["QYSLDJ"][1] == "企业设立登记"
    assert items["GZKZBA"][3] == "即办件"
    assert "企业名称" in items["QYSLDJ"][12].split("、")


def test_round_trip_into_an_empty_catalogue_gives_the_same_workbook():
    first = catalogue_export()
    counts = _counts()
    _empty_catalogue()
    assert ServiceItem.objects.count() == 0
    summary = catalogue_import(first)
    assert summary["事项"] == counts["ServiceItem"]
    assert _counts() == counts
    second = catalogue_export()
    assert _values(second) == _values(first)
    # And the imported catalogue works: the bundle graph and search are rebuilt.
    assert ItemImplementation.objects.get(impl_code="430321-QYSLDJ").search_text
    assert Bundle.objects.get(code="QYKB").members.count() == 6


def test_importing_the_export_again_changes_nothing():
    first = catalogue_export()
    catalogue_import(first)
    assert _values(catalogue_export()) == _values(first)


def test_empowerment_mode_is_accepted_as_code_or_chinese():
    content, _ = _edit(catalogue_export(), "赋权", ("430421-SPJYXK", "XDGX"), {"赋权方式": "DIRECT"})
    catalogue_import(content)
    assert Empowerment.objects.get(implementation__impl_code="430421-SPJYXK").mode == "DIRECT"


# (sheet, row key, changes or None, appended row or None, column expected, words in the reason)
BAD_ROWS = [
    ("事项", ("QYSLDJ",), {"事项类型代码": "99"}, None, "事项类型代码", "GB/T 39046"),
    ("事项", ("QYSLDJ",), {"承诺时限": 5}, None, "承诺时限", "不能超过法定办结时限"),
    ("事项", ("QYSLDJ",), {"办件类型": "即办件"}, None, "承诺时限", "即办件"),
    ("事项", ("QYSLDJ",), {"办件类型": "急办"}, None, "办件类型", "即办件 或 承诺件"),
    ("事项", ("QYSLDJ",), {"法定时限": "三天"}, None, "法定时限", "整数"),
    ("事项", ("QYSLDJ",), {"办理环节": "受理、审核、复核、决定"}, None, "办理环节", "不能超过3个"),
    ("事项", ("QYSLDJ",), {"告知承诺": "也许"}, None, "告知承诺", "是 或 否"),
    ("事项", None, None, ["QYSLDJ", "重复的事项", "07", "承诺件", 3, 1], "基本编码", "重复"),
    ("材料", ("QYSLDJ", "公司章程"), {"基本编码": "NOSUCH"}, None, "基本编码", "不在事项表中"),
    ("材料", ("QYSLDJ", "公司章程"), {"来源": "网上下载"}, None, "来源", "不是有效的来源"),
    ("实施清单", ("430321-QYSLDJ",), {"实施部门代码": "XTX-NOPE"}, None, "实施部门代码", "部门“XTX-NOPE”不存在"),
    ("实施清单", ("430321-QYSLDJ",), {"行政区划": "999999"}, None, "行政区划", "不存在"),
    ("实施清单", ("430321-QYSLDJ",), {"事项类型代码": "7x"}, None, "事项类型代码", "GB/T 39046"),
    ("实施清单", None, None, ["430321-QYSLDJ", "QYSLDJ", "430321", "XTX-SCJG", "企业设立登记", "", "07"],
     "实施编码", "重复"),
    ("赋权", ("430421-SPJYXK", "XDGX"), {"赋权方式": "随便"}, None, "赋权方式", "直接赋权/DIRECT"),
    ("赋权", ("430421-SPJYXK", "XDGX"), {"园区代码": "XTX-SCJG"}, None, "园区代码", "不是园区"),
    ("赋权", ("430421-SPJYXK", "XDGX"), {"园区代码": "NOPARK"}, None, "园区代码", "不存在"),
    ("赋权", ("430421-SPJYXK", "XDGX"), {"生效日期": "2021-13-01"}, None, "生效日期", "不是日期"),
    ("赋权", ("430421-SPJYXK", "XDGX"), {"终止日期": "2020-01-01"}, None, "终止日期", "晚于生效日期"),
    ("赋权", ("430421-SPJYXK", "XDGX"), {"实施编码": "430421-NOPE"}, None, "实施编码", "不在实施清单中"),
    ("一件事", ("QYKB", "企业开办", "企业全周期", "430321", 1, "QYSLDJ"), {"需等待": "GZKZBA"}, None,
     "需等待", "循环等待"),
    ("一件事", ("QYKB", "企业开办", "企业全周期", "430321", 1, "GZKZBA"), {"需等待": "JSGCGHXK"}, None,
     "需等待", "不在本一件事中"),
    ("一件事", None, None, ["QYKB", "企业开办", "企业全周期", "430321", 1, "HPBGB", ""],
     "成员事项基本编码", "区划之外"),
    ("一件事", None, None, ["QYKB", "企业开办", "企业全周期", "430321", 1, "QYSLDJ", ""],
     "成员事项基本编码", "重复"),
    ("一件事", ("QYKB", "企业开办", "企业全周期", "430321", 1, "FPSL"), {"承诺时限": 9}, None,
     "承诺时限", "不一致"),
    ("一件事", ("QYKB", "企业开办", "企业全周期", "430321", 1, "FPSL"), {"主题": "娱乐"}, None,
     "主题", "不是有效的主题"),
]


@pytest.mark.parametrize("sheet,key,changes,append,column,reason", BAD_ROWS)
def test_a_bad_row_imports_nothing_and_is_reported(sheet, key, changes, append, column, reason):
    # A good new item rides along in the same file: it must not be imported either.
    content, _ = _edit(catalogue_export(), "事项", None,
                       append=["NEWITEM", "新事项", "20", "即办件", 0, 0, "", "", 0, "否", "否", "", "", "受理"])
    content, row = _edit(content, sheet, key, changes, append=append)
    before = _counts()
    with pytest.raises(CatalogueImportError) as err:
        catalogue_import(content)
    problems = err.value.problems
    assert any(p.sheet == sheet and p.row == row and p.column == column and reason in p.reason for p in problems), \
        [str(p) for p in problems]
    assert _counts() == before
    assert not ServiceItem.objects.filter(basic_code="NEWITEM").exists()
    assert err.value.field == "file" and "未导入任何数据" in err.value.message


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese():
    with pytest.raises(CatalogueImportError) as err:
        catalogue_import(b"date,kind\n2027-01-01,holiday\n")
    assert "不是有效的 Excel 文件" in err.value.problems[0].reason


def test_a_missing_sheet_is_reported():
    wb = load_workbook(io.BytesIO(catalogue_export()))
    del wb["赋权"]
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(CatalogueImportError) as err:
        catalogue_import(out.getvalue())
    assert any(p.sheet == "赋权" and "缺少工作表" in p.reason for p in err.value.problems)


def test_commands_export_and_import(tmp_path):
    path = tmp_path / "catalogue.xlsx"
    call_command("catalogue_export", str(path))
    assert path.stat().st_size > 0
    out = io.StringIO()
    call_command("catalogue_import", str(path), stdout=out)
    assert "导入成功" in out.getvalue()


def test_import_command_with_bad_rows_fails_and_lists_them(tmp_path):
    content, row = _edit(catalogue_export(), "实施清单", ("430321-QYSLDJ",), {"实施部门代码": "XTX-NOPE"})
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("catalogue_import", str(path), stderr=err)
    assert f"实施清单 第{row}行「实施部门代码」" in err.getvalue()


def test_import_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("catalogue_import", str(tmp_path / "none.xlsx"))
