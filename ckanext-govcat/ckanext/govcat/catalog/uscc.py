"""统一社会信用代码 (GB 32100-2015), REFERENCE §6."""
from __future__ import annotations

import re
from typing import Optional

from .messages import N_, Message
from .text import clean

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_SHAPE = re.compile(r"^[1-9ANY][0-9A-HJ-NPQRTUWXY]\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# Registration department + organisation class pairs (S9b).
VALID_PREFIXES = frozenset(
    "11 12 13 19 21 29 31 32 33 34 35 39 41 49 51 52 53 59 61 62 69 71 72 79 81 89 91 92 93 "
    "A1 A9 N1 N2 N3 N9 Y1".split())
GOVERNMENT_PREFIXES = ("11", "12")


def normalise(value: object) -> str:
    return clean(value).replace(" ", "").upper()


def check_char(first17: str) -> str:
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def problem(value: object) -> Optional[Message]:
    """Why ``value`` is not a valid USCC (Chinese, for the user), or None when it is valid."""
    code = normalise(value)
    if len(code) != 18:
        return Message(N_("应为18位，当前为{length}位"), length=len(code))
    bad = sorted({ch for ch in code if ch not in CHARSET})
    if bad:
        return Message(N_("含有不允许的字符 {chars}（不使用 I、O、S、V、Z）"), chars="、".join(bad))
    if not _SHAPE.match(code) or code[:2] not in VALID_PREFIXES:
        return Message(N_("登记管理部门与机构类别代码 {prefix} 无效"), prefix=code[:2])
    expected = check_char(code[:17])
    if code[17] != expected:
        return Message(N_("校验码错误（最后一位应为 {expected}）"), expected=expected)
    return None


def is_valid(value: object) -> bool:
    return problem(value) is None


def is_government(value: object) -> bool:
    return normalise(value)[:2] in GOVERNMENT_PREFIXES
