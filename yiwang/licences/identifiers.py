"""The electronic-licence identifier (电子证照标识, GB/T 36904 pattern as used by the national platform).

    1.2.156.3005.2.<licence type code>.<issuer code>.<serial>.<3-digit version>.<check character>

The check character is ISO 7064 MOD 37,36 (hybrid system, alphabet 0-9A-Z) over the concatenation
type code + issuer code + serial + version. python-stdnum implements the check; the format is ours.
"""

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_PART_RE = re.compile(r"^[0-9A-Z]+$")
_VERSION_RE = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class LicenceIdentifier:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    def __str__(self) -> str:
        return f"{ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


def check_character(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    """The ISO 7064 MOD 37,36 check character over type code + issuer code + serial + version."""
    for label, part in (("证照类型代码", type_code), ("颁证单位代码", issuer_code), ("顺序号", serial)):
        if not part or not _PART_RE.match(part):
            raise ValueError(f"{label}只能由数字和大写字母组成")
    if not _VERSION_RE.match(version):
        raise ValueError("版本号应为3位数字")
    return mod_37_36.calc_check_digit(type_code + issuer_code + serial + version, alphabet=ALPHABET)


def identifier_build(*, type_code: str, issuer_code: str, serial: str, version: int | str = 1) -> str:
    version_text = f"{int(version):03d}" if isinstance(version, int) else version
    check = check_character(type_code, issuer_code, serial, version_text)
    return str(LicenceIdentifier(type_code, issuer_code, serial, version_text, check))


def identifier_parse(text: str) -> LicenceIdentifier | None:
    """The parts of a well-formed identifier (whatever its check character), or None."""
    text = (text or "").strip()
    if not text.startswith(ROOT + "."):
        return None
    parts = text[len(ROOT) + 1:].split(".")
    if len(parts) != 5:
        return None
    type_code, issuer_code, serial, version, check = parts
    if not all(_PART_RE.match(p or "-") for p in (type_code, issuer_code, serial, check)) or len(check) != 1:
        return None
    if not _VERSION_RE.match(version):
        return None
    return LicenceIdentifier(type_code, issuer_code, serial, version, check)


def identifier_is_valid(text: str) -> bool:
    """Well formed and its check character is right."""
    parsed = identifier_parse(text)
    if parsed is None:
        return False
    return check_character(parsed.type_code, parsed.issuer_code, parsed.serial, parsed.version) == parsed.check
