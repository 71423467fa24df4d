"""The licence types the platform knows out of the box: every result licence of the demo catalogue.

A type code is the defining body's USCC + a 3-digit type number (GB/T 36904 pattern). Only the
住建部 code 11100000000013338W is taken from published identifiers (research notes §5.1); the
other defining bodies' codes below are demo codes with valid GB 32100 check characters, built the
way the demo loader builds unit codes — a deployment replaces them from the national 证照目录.
"""

import zlib

from stdnum.cn import uscc as stdnum_uscc


def _demo_body_code(name: str) -> str:
    body = f"{zlib.crc32(name.encode()) % 10**8:08d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    c = 11 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    first17 = "11100000" + body + {10: "X", 11: "0"}.get(c, str(c))
    return first17 + stdnum_uscc.calc_check_digit(first17)


MOHURD = "11100000000013338W"  # 中华人民共和国住房和城乡建设部 (seen in published identifiers)
SAMR = _demo_body_code("国家市场监督管理总局")
MNR = _demo_body_code("自然资源部")
NHC = _demo_body_code("国家卫生健康委员会")

# name: (defining body, defining body code, 3-digit type number, validity in years or None)
KNOWN_TYPES: dict[str, tuple[str, str, str, int | None]] = {
    "营业执照": ("国家市场监督管理总局", SAMR, "001", None),
    "食品经营许可证": ("国家市场监督管理总局", SAMR, "002", 5),  # 《食品经营许可和备案管理办法》：有效期5年
    "建设用地规划许可证": ("自然资源部", MNR, "001", None),
    "建设工程规划许可证": ("自然资源部", MNR, "002", None),
    "不动产权证书": ("自然资源部", MNR, "003", None),
    "建筑工程施工许可证": ("中华人民共和国住房和城乡建设部", MOHURD, "009", None),
    "出生医学证明": ("国家卫生健康委员会", NHC, "001", None),
}
