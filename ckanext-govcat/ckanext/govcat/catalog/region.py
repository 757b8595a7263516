"""GB/T 2260 administrative division codes, REFERENCE §7."""
from __future__ import annotations

import re
from typing import Mapping, Optional

from .messages import N_, Message
from .text import clean

_SHAPE = re.compile(r"^[1-8]\d{5}$")


class Regions:
    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = {str(k): str(v) for k, v in names.items()}
        self.provinces = {code[:2] for code in self.names if code.endswith("0000")}

    def problem(self, value: object) -> Optional[Message]:
        """Why ``value`` cannot be a region code (Chinese), or None."""
        code = clean(value)
        if not _SHAPE.match(code):
            return Message(N_("应为6位数字的行政区划代码（GB/T 2260），首位为1–8"))
        if code[:2] not in self.provinces:
            return Message(N_("省级代码 {prefix} 不存在"), prefix=code[:2])
        return None

    def is_known(self, value: object) -> bool:
        return clean(value) in self.names

    def name(self, value: object) -> Optional[str]:
        return self.names.get(clean(value))
