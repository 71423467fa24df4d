"""Checking uploaded materials by their content, not their name (issue 12, item 10).

`inspect(data)` tells the kind (pdf, jpg, png, ofd) from the magic bytes and then checks the file
as that kind: a PDF's structure (header, xref, trailer) and objects (no JavaScript, launch action or
embedded executable; pypdf reads and decodes them), an OFD's entries against the GB/T 33190 layout
(OFD.xml at the root, Doc_N/ folders, only document resource types, no path escaping the container,
a bounded uncompressed size), and an image by decoding it (Pillow, with a pixel limit). Anywhere in
the file, a Windows (MZ…PE) or ELF executable refuses it. Each refusal is a Chinese sentence.

`stored_files_cleanup` removes the files stored by a request whose transaction did not commit, so a
refused or conflicting upload leaves no orphan in the media storage.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import threading
import zipfile
from contextlib import contextmanager
from functools import wraps
from typing import NamedTuple

from django.db import transaction

KINDS = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}
FILENAME_MAX = 200  # the column CaseMaterial.filename

# OFD (GB/T 33190): what a document container may hold.
OFD_EXTENSIONS = {"xml", "png", "jpg", "jpeg", "bmp", "tif", "tiff", "gif", "jb2", "ttf", "otf", "ttc",
                  "dat", "esl", "sig", "txt"}
OFD_MAX_ENTRIES = 2000
OFD_MAX_UNCOMPRESSED = 100 * 1024 * 1024
OFD_MAX_RATIO = 200
# Pillow decodes an image of at most this many pixels (a 20 MB PNG can claim 10⁹ pixels: a bomb).
IMAGE_MAX_PIXELS = 50_000_000
PDF_MAX_OBJECTS = 50_000
PDF_BAD_ACTIONS = {"/JavaScript": "JavaScript 脚本", "/JS": "JavaScript 脚本", "/Launch": "启动外部程序的动作"}

_DOC_ENTRY = re.compile(r"^Doc_\d+/")
log = logging.getLogger(__name__)


class Verdict(NamedTuple):
    """The kind read from the content, and why the file is refused (None when it passed)."""

    kind: str | None
    problem: str | None = None


UNSUPPORTED = "仅支持 PDF、JPG、PNG、OFD 文件（按文件内容检查，不看扩展名）"


def magic_kind(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return "ofd"
    return None


def inspect(data: bytes) -> Verdict:
    """The file's kind and, if it is refused, why: see the module's docstring."""
    kind = magic_kind(data)
    if kind is None:
        return Verdict(None, UNSUPPORTED)
    if kind != "ofd" and has_executable(data):  # an OFD's entries are compressed: checked one by one
        return Verdict(kind, "文件中夹带可执行程序，不予接收")
    check = {"pdf": _pdf_problem, "ofd": _ofd_problem}.get(kind, _image_problem)
    try:
        problem = check(data, kind) if check is _image_problem else check(data)
    except Exception:  # a parser's own failure on a malformed file is a refusal, never a 500
        log.info("material check failed on a malformed %s", kind, exc_info=True)
        problem = "文件已损坏或格式不正确，无法读取"
    return Verdict(kind, problem)


def sniff(data: bytes) -> str | None:
    """pdf, jpg, png or ofd when the file passes its kind's check; None otherwise."""
    verdict = inspect(data)
    return verdict.kind if verdict.problem is None else None


def filename_problem(filename: str) -> str | None:
    if len(filename or "") > FILENAME_MAX:
        return f"文件名过长（{len(filename)}个字符），不能超过{FILENAME_MAX}个字符，请改短后重新上传"
    return None


class Upload(NamedTuple):
    """One file of an application or an upload: the catalogue material it is, as received."""

    name: str
    filename: str
    content: bytes
    size: int | None = None  # as the request declared it; content is left empty when it is too large


def upload_problem(upload: Upload, *, max_bytes: int) -> tuple[str, str] | None:
    """(code, Chinese reason) why this file is refused, by size, name and content; None if it passed."""
    size = upload.size if upload.size is not None else len(upload.content)
    if size == 0:
        return "empty", "文件为空"
    if size > max_bytes:
        return "too_large", f"文件超过 {max_bytes // 1024 // 1024}MB"
    problem = filename_problem(upload.filename)
    if problem:
        return "bad_name", problem
    verdict = inspect(upload.content)
    if verdict.problem:
        return "bad_type", verdict.problem
    return None


def required_missing(*, required: list[str], tolerable: list[str], supplied: set[str]) -> list[str]:
    """The required materials an application lacks: neither supplied (uploaded, or by data sharing or an
    earlier member of a bundle) nor tolerable (容缺: supplied after acceptance)."""
    return [m for m in required if m not in supplied and m not in tolerable]


# ---------------------------------------------------------------- executables


def has_executable(blob: bytes) -> bool:
    """A Windows PE (MZ header whose e_lfanew points at "PE\\0\\0") or an ELF header anywhere."""
    start = blob.find(b"MZ")
    while start != -1:
        if start + 0x40 <= len(blob):
            (lfanew,) = struct.unpack_from("<I", blob, start + 0x3C)
            if blob[start + lfanew: start + lfanew + 4] == b"PE\0\0":
                return True
        start = blob.find(b"MZ", start + 2)
    start = blob.find(b"\x7fELF")
    while start != -1:
        head = blob[start + 4: start + 7]
        if len(head) == 3 and head[0] in (1, 2) and head[1] in (1, 2) and head[2] == 1:
            return True
        start = blob.find(b"\x7fELF", start + 4)
    return False


# ---------------------------------------------------------------- PDF


def _pdf_problem(data: bytes) -> str | None:
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        return "PDF 文件不完整：缺少结尾标记（%%EOF）"
    if b"startxref" not in tail:
        return "PDF 文件不完整：缺少交叉引用表位置（startxref）"
    if not re.search(rb"(?<!start)xref", data) and b"/XRef" not in data:
        return "PDF 文件不完整：缺少交叉引用表（xref）"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        return "加密的 PDF 无法审查，请上传未加密的文件"
    return _pdf_objects_problem(reader)


def _pdf_objects_problem(reader) -> str | None:
    """Every indirect object: no JavaScript or launch action, no embedded executable file."""
    from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

    ids = {(num, gen) for gen, nums in reader.xref.items() for num in nums}
    ids |= {(num, 0) for num in reader.xref_objStm}
    if len(ids) > PDF_MAX_OBJECTS:
        return f"PDF 对象过多（超过{PDF_MAX_OBJECTS}个），无法审查"
    for num, gen in sorted(ids):
        obj = reader.get_object(IndirectObject(num, gen, reader))
        if not isinstance(obj, DictionaryObject):
            continue
        for key, label in PDF_BAD_ACTIONS.items():
            if key in obj or obj.get("/S") == key:
                return f"PDF 中含有{label}，不予接收"
        if isinstance(obj, StreamObject) and has_executable(obj.get_data()[:10 * 1024 * 1024]):
            return "PDF 中夹带可执行程序，不予接收"
        if obj.get("/Type") == "/Filespec" and _exe_name(str(obj.get("/UF") or obj.get("/F") or "")):
            return "PDF 中附带可执行程序文件，不予接收"
    return None


_EXE_EXTENSIONS = {"exe", "dll", "com", "scr", "bat", "cmd", "ps1", "vbs", "js", "jse", "msi", "sh", "jar",
                   "elf", "so", "bin", "lnk", "hta", "wsf", "cpl", "apk"}


def _exe_name(name: str) -> bool:
    return "." in name and name.rsplit(".", 1)[-1].lower() in _EXE_EXTENSIONS


# ---------------------------------------------------------------- OFD


def _ofd_problem(data: bytes) -> str | None:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return "OFD 文件已损坏（不是有效的 OFD 容器）"
    with z:
        infos = z.infolist()
        if len(infos) > OFD_MAX_ENTRIES:
            return f"OFD 文件的条目过多（超过{OFD_MAX_ENTRIES}个）"
        names = [i.filename for i in infos]
        if "OFD.xml" not in names and not any(n.upper() == "OFD.XML" for n in names):
            return "不是 OFD 文件：根目录缺少 OFD.xml（GB/T 33190）"
        if not any(_DOC_ENTRY.match(n) for n in names):
            return "不是 OFD 文件：缺少文档文件夹 Doc_0（GB/T 33190）"
        for name in names:
            problem = _ofd_entry_problem(name)
            if problem:
                return problem
        return _ofd_content_problem(z, infos, len(data))


def _ofd_entry_problem(name: str) -> str | None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or "\\" in name or ".." in parts or (parts and ":" in parts[0]):
        return f"OFD 文件含有越出容器的路径“{name[:80]}”"
    if name.upper() == "OFD.XML" or (name.endswith("/") and _DOC_ENTRY.match(name)):
        return None
    if _exe_name(name):
        return f"OFD 文件中夹带可执行或脚本文件“{name[:80]}”，不予接收"
    if not _DOC_ENTRY.match(name):
        return f"OFD 文件含有版式文档结构之外的条目“{name[:80]}”（根目录只能有 OFD.xml 和 Doc_N 文件夹）"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if ext not in OFD_EXTENSIONS:
        return f"OFD 文件含有不允许的文件类型“{name[:80]}”"
    return None


def _ofd_content_problem(z: zipfile.ZipFile, infos, compressed: int) -> str | None:
    """Each entry read with a budget (headers can lie about sizes): a zip bomb stops at the limit."""
    budget = min(OFD_MAX_UNCOMPRESSED, max(compressed, 1) * OFD_MAX_RATIO)
    for info in infos:
        if info.is_dir():
            continue
        with z.open(info) as f:
            head = f.read(64 * 1024)
            if has_executable(head):
                return f"OFD 文件中夹带可执行程序“{info.filename[:80]}”，不予接收"
            budget -= len(head)
            while budget >= 0:
                chunk = f.read(1024 * 1024)
                if not chunk:
                    break
                budget -= len(chunk)
        if budget < 0:
            return "OFD 文件解压后过大（疑似压缩炸弹），不予接收"
    return None


# ---------------------------------------------------------------- images


def _image_problem(data: bytes, kind: str) -> str | None:
    from PIL import Image

    bomb = "图片像素过多，疑似解压炸弹，请压缩后上传"
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format != {"jpg": "JPEG", "png": "PNG"}[kind]:
                return "图片格式与文件内容不符"
            if im.width * im.height > IMAGE_MAX_PIXELS:  # before decoding a pixel
                return bomb
            im.load()  # decodes every pixel: a truncated or corrupt image fails here
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours, in open()
        return bomb
    return None


# ---------------------------------------------------------------- stored files of failed requests

_pending = threading.local()


@contextmanager
def stored_files_cleanup():
    """Around a service's transaction: files stored inside it (remember_stored) are deleted if it
    raises. Nested uses share the outermost one's list."""
    if getattr(_pending, "files", None) is not None:
        yield
        return
    _pending.files = []
    try:
        yield
    except BaseException:
        for storage, name in _pending.files:
            try:
                storage.delete(name)
            except OSError:  # already gone: nothing is left either way
                log.warning("could not remove the stored file %s of a failed upload", name)
        raise
    finally:
        _pending.files = None


def cleans_stored_files(fn):
    """Decorator (outside @transaction.atomic): the function's stored files go if it raises."""

    @wraps(fn)
    def wrapped(*args, **kwargs):
        with stored_files_cleanup():
            return fn(*args, **kwargs)

    return wrapped


def remember_stored(storage, name: str) -> None:
    """A file just stored: removed by stored_files_cleanup if the transaction fails; once the
    outermost transaction has committed it is the material's own."""
    files = getattr(_pending, "files", None)
    if files is None:
        return
    entry = (storage, name)
    files.append(entry)
    transaction.on_commit(lambda: entry in files and files.remove(entry))
