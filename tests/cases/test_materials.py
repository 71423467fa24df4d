"""Uploads checked by their content (issue 12, item 10): a table of crafted files, each accepted or
refused with its Chinese reason; the pure rules of an application's materials."""

import pytest

from tests import files as F
from yiwang.cases.materials import (
    FILENAME_MAX,
    Upload,
    has_executable,
    inspect,
    required_missing,
    sniff,
    upload_problem,
)

# content, kind read, the words of the refusal (None: accepted)
FILES = [
    (F.PDF, "pdf", None),
    (F.JPG, "jpg", None),
    (F.PNG, "png", None),
    (F.ofd(), "ofd", None),
    (F.pdf(attachment=("说明.txt", b"hello")), "pdf", None),
    (F.exe(), None, "仅支持"),  # a renamed .exe
    (F.ELF, None, "仅支持"),
    (b"<html><script>alert(1)</script>", None, "仅支持"),
    (b"%PDF-1.4\n" + F.exe() + F.PDF[9:], "pdf", "可执行程序"),  # starts %PDF-, carries an executable
    (F.pdf(hidden_exe=True), "pdf", "可执行程序"),  # inside a compressed stream
    (F.pdf(attachment=("setup.exe", F.exe())), "pdf", "可执行程序"),
    (F.pdf(attachment=("setup.exe", b"harmless?")), "pdf", "可执行程序文件"),
    (F.pdf(javascript=True), "pdf", "JavaScript"),
    (F.pdf(launch=True), "pdf", "启动外部程序"),
    (F.PDF.replace(b"%%EOF", b""), "pdf", "%%EOF"),
    (b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "pdf", "startxref"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n", "pdf", "xref"),
    # garbage after a header that pypdf cannot read: a refusal, never a 500
    (b"%PDF-1.4\n" + b"\0garbage" * 20 + b"\nstartxref\n9\nxref\n%%EOF\n", "pdf", "已损坏"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "Doc_0/run.exe": F.exe()}), "ofd", "可执行"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "Doc_0/Res/a.xml": F.exe()}), "ofd", "可执行程序"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "Doc_0/a.js": b"alert(1)"}), "ofd", "可执行或脚本"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "Doc_0/a.dll": b"x"}), "ofd", "可执行或脚本"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "Doc_0/a.html": b"x"}), "ofd", "不允许的文件类型"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "../../etc/cron.d/x.xml": b"x"}), "ofd", "越出容器"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "/abs.xml": b"x"}), "ofd", "越出容器"),
    (F.ofd({"Doc_0/Document.xml": b"<d/>", "Other/a.xml": b"x"}), "ofd", "版式文档结构之外"),
    (F.ofd({"Doc_0/Document.xml": b"\0" * 60_000_000}), "ofd", "压缩炸弹"),
    (F.ofd(with_root=False), "ofd", "OFD.xml"),
    (F.ofd({}), "ofd", "Doc_0"),
    (b"PK\x03\x04not a zip", "ofd", "已损坏"),
    (F.png_claiming(30_000, 30_000), "png", "解压炸弹"),
    (F.PNG[:30], "png", "已损坏"),
    (b"\xff\xd8\xff\xe0" + b"0" * 20, "jpg", "已损坏"),
    (F.PNG + F.exe(), "png", "可执行程序"),  # a polyglot: a picture with a program after it
]


@pytest.mark.parametrize("content, kind, words", FILES)
def test_each_crafted_file_is_accepted_or_refused_by_its_content(content, kind, words):
    verdict = inspect(content)
    assert verdict.kind == kind
    if words is None:
        assert verdict.problem is None and sniff(content) == kind
    else:
        assert words in verdict.problem and sniff(content) is None
        assert any("\u4e00" <= c <= "\u9fff" for c in verdict.problem)


@pytest.mark.parametrize("blob, found", [
    (F.exe(), True), (F.ELF, True), (b"MZ" + b"\0" * 100, False), (b"xxMZ", False), (b"\x7fELF\x09", False),
    (F.PNG, False), (F.PDF, False),
])
def test_an_executable_is_found_by_its_header_not_by_two_letters(blob, found):
    assert has_executable(blob) is found


@pytest.mark.parametrize("upload, code", [
    (Upload("章程", "章程.pdf", F.PDF), None),
    (Upload("章程", "章程.pdf", b""), "empty"),
    (Upload("章程", "章程.pdf", b"", size=30 * 1024 * 1024), "too_large"),
    (Upload("章程", "长" * (FILENAME_MAX + 1) + ".pdf", F.PDF), "bad_name"),
    (Upload("章程", "setup.pdf", F.exe()), "bad_type"),
])
def test_an_upload_is_refused_for_its_size_name_or_content(upload, code):
    problem = upload_problem(upload, max_bytes=20 * 1024 * 1024)
    assert (problem[0] if problem else None) == code
    if code == "bad_name":
        assert "文件名过长" in problem[1]


@pytest.mark.parametrize("required, tolerable, supplied, missing", [
    (["章程", "住所证明"], [], set(), ["章程", "住所证明"]),
    (["章程", "住所证明"], ["住所证明"], {"章程"}, []),
    (["章程", "住所证明"], ["住所证明"], set(), ["章程"]),
    (["章程"], [], {"章程"}, []),
    (["营业执照"], [], {"营业执照"}, []),  # supplied by data sharing (case.shared_materials)
    ([], [], set(), []),
])
def test_required_materials_are_missing_unless_supplied_or_tolerable(required, tolerable, supplied, missing):
    assert required_missing(required=required, tolerable=tolerable, supplied=supplied) == missing
