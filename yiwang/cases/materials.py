"""Checking uploaded materials by their content, not their name."""

from __future__ import annotations

import io
import zipfile

KINDS = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}


def sniff(data: bytes) -> str | None:
    """pdf, jpg, png or ofd by magic bytes (OFD: a ZIP holding OFD.xml, GB/T 33190); None otherwise."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if any(n.rsplit("/", 1)[-1].upper() == "OFD.XML" for n in z.namelist()):
                    return "ofd"
        except zipfile.BadZipFile:
            return None
    return None
