"""The classification tree (类 → 项 → 目 → 细目), REFERENCE §2. Nodes are identified by their full
code, the concatenation of the segments on their path (``303026010201``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Optional

LEVEL_NAMES = {1: "类", 2: "项", 3: "目"}
SEGMENT_LENGTHS = {1: 1, 2: 2, 3: 3}  # 细目 (level 4+) has variable length


@dataclass
class Node:
    code: str
    segment: str
    name: str
    level: int
    parent: Optional[str]
    short: str = ""
    children: list[str] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, "细目")


class ClassificationTree:
    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self.roots: list[str] = []

    def __contains__(self, code: object) -> bool:
        return code in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def get(self, code: str) -> Optional[Node]:
        return self._nodes.get(code)

    def node(self, code: str) -> Node:
        try:
            return self._nodes[code]
        except KeyError:
            raise KeyError(f"classification {code!r} is not in the tree") from None

    def children(self, code: Optional[str]) -> list[Node]:
        codes = self.roots if code is None else self.node(code).children
        return [self._nodes[c] for c in codes]

    def path(self, code: str) -> list[Node]:
        """Nodes from the 类 down to ``code``."""
        out: list[Node] = []
        current: Optional[str] = code
        while current is not None:
            node = self.node(current)
            out.append(node)
            current = node.parent
        return out[::-1]

    def ancestor_at(self, code: str, level: int) -> Optional[Node]:
        for node in self.path(code):
            if node.level == level:
                return node
        return None

    def walk(self) -> Iterator[Node]:
        stack = list(reversed(self.roots))
        while stack:
            node = self._nodes[stack.pop()]
            yield node
            stack.extend(reversed(node.children))

    def find_by_names(self, names: Iterable[str]) -> Optional[Node]:
        """The node reached by following names or segment codes level by level (workbook cells
        类 · 项 · 目 · 细目), or None."""
        from .text import match_key

        current: Optional[str] = None
        found: Optional[Node] = None
        for raw in names:
            key = match_key(raw)
            if not key:
                break
            found = None
            for child in self.children(current):
                if key in (match_key(child.name), match_key(child.segment), match_key(child.code),
                           match_key(child.short)):
                    found = child
                    break
            if found is None:
                return None
            current = found.code
        return found

    def add(self, segment: str, name: str, parent: Optional[str], short: str = "") -> Node:
        level = 1 if parent is None else self.node(parent).level + 1
        expected = SEGMENT_LENGTHS.get(level)
        if not segment.isdigit() or (expected is not None and len(segment) != expected):
            raise ValueError(f"classification segment {segment!r} at level {level} must be "
                             f"{expected or 'one or more'} digits")
        code = (parent or "") + segment
        if code in self._nodes:
            raise ValueError(f"classification code {code!r} defined twice")
        node = Node(code=code, segment=segment, name=name, level=level, parent=parent,
                    short=short)
        self._nodes[code] = node
        if parent is None:
            self.roots.append(code)
        else:
            self._nodes[parent].children.append(code)
        return node

    def extend(self, data: list[Mapping[str, Any]]) -> None:
        """Add nodes from parsed YAML: a list of ``{code, name, children}`` at the top level, or of
        ``{under: FULLCODE, children: [...]}`` for local extensions below existing nodes."""
        for entry in data:
            if "under" in entry:
                self.node(str(entry["under"]))
                self._add_children(str(entry["under"]), entry.get("children") or [])
            else:
                self._add_entry(entry, None)

    def _add_entry(self, entry: Mapping[str, Any], parent: Optional[str]) -> None:
        node = self.add(str(entry["code"]), str(entry["name"]), parent, str(entry.get("short", "")))
        self._add_children(node.code, entry.get("children") or [])

    def _add_children(self, parent: str, children: list[Mapping[str, Any]]) -> None:
        for child in children:
            self._add_entry(child, parent)
