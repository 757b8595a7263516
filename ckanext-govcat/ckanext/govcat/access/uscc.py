"""统一社会信用代码 check (GB 32100-2015 check digit), for organization applicants.

Interim: the catalog room brings the project's USCC checker; once it lands in main this module
should delegate to ``ckanext.govcat.catalog.uscc``.
"""
from __future__ import annotations

import re
from typing import Optional

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_SHAPE = re.compile(r"^[1-9ANY][0-9A-HJ-NPQRTUWXY]\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def problem(value: str) -> Optional[str]:
    """Why ``value`` is not a valid USCC (Chinese), or None when it is valid."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    if not _SHAPE.match(code):
        return "统一社会信用代码含有无效字符或登记管理部门、机构类别代码无效"
    total = sum(CHARSET.index(ch) * pow(3, i, 31) for i, ch in enumerate(code[:17]))
    expected = CHARSET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"统一社会信用代码校验码错误（最后一位应为 {expected}）"
    return None
