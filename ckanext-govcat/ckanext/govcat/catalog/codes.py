"""Resource-code schemes (信息资源代码, REFERENCE §1), defined as data in ``code_schemes.yaml`` and
chosen by name. Codes are stored as opaque strings plus the scheme name; schemes never convert."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from .messages import N_, Message
from .text import clean


@dataclass(frozen=True)
class ParsedCode:
    code: str
    class_code: str
    seq: str
    groups: Mapping[str, str]


class CodeError(ValueError):
    """The code does not fit the scheme; ``str(error)`` is a Chinese message for the user,
    ``args[0]`` the same as a translatable :class:`~.messages.Message`."""


def normalise(value: object) -> str:
    """NFKC (full-width digits and "／" become ASCII) and surrounding whitespace removed."""
    return clean(value)


@dataclass(frozen=True)
class CodeScheme:
    name: str
    label: str
    pattern: re.Pattern[str]
    example: str
    format: str
    seq_width: int = 0
    min_class_level: int = 3
    middle: str = ""
    class_digits: int = 0  # 0: the class part is the node's whole code

    def class_prefix(self, node_code: str) -> str:
        """The class part a code under tree node ``node_code`` carries."""
        return node_code[:self.class_digits] if self.class_digits else node_code

    @classmethod
    def from_data(cls, name: str, spec: Mapping[str, Any]) -> "CodeScheme":
        pattern = re.compile(spec["pattern"])
        if not {"class", "seq"} <= set(pattern.groupindex):
            raise ValueError(f"code scheme {name}: pattern needs groups 'class' and 'seq'")
        return cls(name=name, label=str(spec.get("label", name)), pattern=pattern,
                   example=str(spec.get("example", "")), format=str(spec["format"]),
                   seq_width=int(spec.get("seq_width", 0)),
                   min_class_level=int(spec.get("min_class_level", 3)),
                   middle=str(spec.get("middle", "")),
                   class_digits=int(spec.get("class_digits", 0)))

    def parse(self, value: object) -> ParsedCode:
        code = normalise(value)
        if not code:
            raise CodeError(Message(N_("代码为空")))
        if not code.isascii() or any(ch.isspace() for ch in code):
            raise CodeError(Message(N_("代码只能由半角数字和“/”组成，不能含空格或全角字符")))
        match = self.pattern.match(code)
        if not match:
            raise CodeError(Message(N_("不符合{label}的代码结构（示例：{example}）"), label=self.label, example=self.example))
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        return ParsedCode(code=code, class_code=groups["class"], seq=groups["seq"], groups=groups)

    def make(self, class_code: str, seq: int, middle: Optional[str] = None) -> str:
        seq_text = str(seq).zfill(self.seq_width) if self.seq_width else str(seq)
        code = self.format.format(**{"class": class_code, "seq": seq_text,
                                     "middle": middle if middle is not None else self.middle})
        self.parse(code)  # a scheme must accept what it generates
        return code

    def next_code(self, class_code: str, existing: Iterable[str],
                  middle: Optional[str] = None) -> str:
        """The next free code under ``class_code``: one more than the highest sequence used."""
        highest = 0
        for value in existing:
            try:
                parsed = self.parse(value)
            except CodeError:
                continue
            if parsed.class_code == class_code and (
                    middle is None or parsed.groups.get("middle", middle) == middle):
                highest = max(highest, int(parsed.seq))
        return self.make(class_code, highest + 1, middle)


def load_schemes(data: Mapping[str, Any]) -> dict[str, CodeScheme]:
    return {name: CodeScheme.from_data(name, spec) for name, spec in data.items()}
