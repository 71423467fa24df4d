"""Crafted files for upload tests: good ones of each kind, and bad ones that look like them."""

from __future__ import annotations

import io
import struct
import zipfile

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject


def pdf(*, javascript: bool = False, launch: bool = False, attachment: tuple[str, bytes] | None = None,
        hidden_exe: bool = False) -> bytes:
    """A one-page PDF written by pypdf (header, xref, trailer, %%EOF), optionally with an open action
    running JavaScript, a launch action or an attached file."""
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    if javascript or launch:
        action = {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")} \
            if javascript else {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
        w._root_object[NameObject("/OpenAction")] = w._add_object(DictionaryObject(action))
    if attachment:
        w.add_attachment(*attachment)
    if hidden_exe:  # an executable in a Flate-compressed stream: only decoding the stream shows it
        stream = StreamObject()
        stream.set_data(exe())
        w._add_object(stream.flate_encode())
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def exe() -> bytes:
    """The head of a Windows PE: MZ, e_lfanew at 0x3C pointing at "PE\\0\\0"."""
    head = bytearray(b"MZ" + b"\x90\0" * 30)
    head[0x3C:0x40] = struct.pack("<I", 0x80)
    head += b"\0" * (0x80 - len(head)) + b"PE\0\0" + b"\x4c\x01" + b"\0" * 64
    return bytes(head)


ELF = b"\x7fELF\x02\x01\x01\0" + b"\0" * 56


def image(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


PNG = image("PNG")
JPG = image("JPEG")
PDF = pdf()


def ofd(entries: dict[str, bytes] | None = None, *, with_root: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if with_root:
            z.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody/></ofd:OFD>')
        for name, data in (entries if entries is not None else {"Doc_0/Document.xml": b"<ofd:Document/>",
                                                                   "Doc_0/Pages/Page_0/Content.xml": b"<x/>"}).items():
            z.writestr(name, data)
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims width × height pixels (a decompression bomb's shape)."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
