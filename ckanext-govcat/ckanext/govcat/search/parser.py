"""Parser for the Solr query subset that CKAN's ``package_search`` speaks (``q``, ``fq``).

Pure Python, no CKAN imports. Supported: free text; ``field:value``; quoted phrases
(``"..."``, ``field:"..."``); ``AND`` / ``OR`` / ``NOT`` (also ``&&`` ``||`` ``!``), ``+`` / ``-``
prefixes, parentheses, ``field:(a OR b)``; ``*:*``, ``field:*``, trailing-``*`` prefixes;
ranges ``field:[a TO b]`` / ``{a TO b}`` with ``*`` for an open end; backslash escapes.
Clauses next to each other are ANDed (CKAN sends ``q.op=AND``). Anything else raises
``QuerySyntaxError`` with a readable message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 32


class QuerySyntaxError(ValueError):
    """The query text cannot be parsed; the message says where and why."""


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Text:
    """Free text (``field`` None) or text in one field; ``phrase`` keeps word order."""

    text: str
    field: str | None = None
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class Term:
    """``field:value`` (exact), ``field:value*`` (prefix) or ``field:*`` (has a value)."""

    field: str
    value: str
    prefix: bool = False
    exists: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None
    high: str | None
    low_inclusive: bool = True
    high_inclusive: bool = True


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class And:
    nodes: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple["Node", ...]


Node = Union[MatchAll, Text, Term, Range, Not, And, Or]

FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_SPECIAL = set('()[]{}":')


@dataclass
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN LBRACK RBRACK COLON OP PLUS MINUS
    value: str
    pos: int
    escaped_star: bool = False


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise QuerySyntaxError(f"unclosed quote starting at position {i + 1}")
            toks.append(_Tok("PHRASE", "".join(buf), i))
            i = j + 1
        elif c in "()":
            toks.append(_Tok("LPAREN" if c == "(" else "RPAREN", c, i))
            i += 1
        elif c in "[{":
            toks.append(_Tok("LBRACK", c, i))
            i += 1
        elif c in "]}":
            toks.append(_Tok("RBRACK", c, i))
            i += 1
        elif c == ":":
            toks.append(_Tok("COLON", c, i))
            i += 1
        elif text.startswith("&&", i) or text.startswith("||", i):
            toks.append(_Tok("OP", "AND" if c == "&" else "OR", i))
            i += 2
        elif c in "+-!" and (i + 1 < n and not text[i + 1].isspace()) and (
                not toks or i == 0 or text[i - 1].isspace() or text[i - 1] in "(:"):
            toks.append(_Tok({"+": "PLUS", "-": "MINUS", "!": "NOT"}[c], c, i))
            i += 1
        else:
            j, buf, star_escaped = i, [], False
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                    if text[j] == "*":
                        star_escaped = True
                buf.append(text[j])
                j += 1
            word = "".join(buf)
            if word in ("AND", "OR", "NOT"):
                toks.append(_Tok("NOT" if word == "NOT" else "OP", word, i))
            elif word:
                toks.append(_Tok("WORD", word, i, star_escaped))
            else:
                raise QuerySyntaxError(f"unexpected character {text[j]!r} at position {j + 1}")
            i = j
    return toks


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Tok | None:
        k = self.i + offset
        return self.toks[k] if k < len(self.toks) else None

    def take(self, kind: str) -> _Tok:
        tok = self.peek()
        if tok is None or tok.kind != kind:
            where = f"at position {tok.pos + 1}" if tok else "at the end"
            raise QuerySyntaxError(f"expected {kind.lower()} {where}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            return MatchAll()
        node = self.or_expr(None)
        tok = self.peek()
        if tok is not None:
            raise QuerySyntaxError(f"unexpected {tok.value!r} at position {tok.pos + 1}")
        return node

    def or_expr(self, field: str | None) -> Node:
        nodes = [self.and_expr(field)]
        while (tok := self.peek()) is not None and tok.kind == "OP" and tok.value == "OR":
            self.i += 1
            nodes.append(self.and_expr(field))
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self, field: str | None) -> Node:
        nodes = [self.unary(field)]
        while (tok := self.peek()) is not None and tok.kind not in ("RPAREN",) and not (
                tok.kind == "OP" and tok.value == "OR"):
            if tok.kind == "OP" and tok.value == "AND":
                self.i += 1
            nodes.append(self.unary(field))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("the query ends where a term was expected")
        if tok.kind in ("NOT", "MINUS"):
            self.i += 1
            return Not(self.unary(field))
        if tok.kind == "PLUS":
            self.i += 1
            return self.unary(field)
        return self.primary(field)

    def primary(self, field: str | None) -> Node:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "LPAREN":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError("the query nests parentheses too deeply")
            self.i += 1
            node = self.or_expr(field)
            self.take("RPAREN")
            self.depth -= 1
            return node
        if tok.kind == "LBRACK":
            if field is None:
                raise QuerySyntaxError(f"a range needs a field, at position {tok.pos + 1}")
            return self.range(field)
        if tok.kind == "PHRASE":
            self.i += 1
            return Text(tok.value, field, phrase=True) if tok.value.strip() else MatchAll()
        if tok.kind == "WORD":
            nxt = self.peek(1)
            if field is None and nxt is not None and nxt.kind == "COLON":
                return self.fielded(tok)
            self.i += 1
            return self.word(tok, field)
        raise QuerySyntaxError(f"unexpected {tok.value!r} at position {tok.pos + 1}")

    def fielded(self, tok: _Tok) -> Node:
        self.i += 2  # WORD COLON
        name = tok.value
        after = self.peek()
        if name == "*" and after is not None and after.kind == "WORD" and after.value == "*":
            self.i += 1
            return MatchAll()
        if not FIELD_RE.match(name):
            raise QuerySyntaxError(f"{name!r} is not a field name (position {tok.pos + 1})")
        if after is None:
            raise QuerySyntaxError(f"field {name!r} has no value")
        if after.kind in ("LPAREN", "LBRACK", "PHRASE"):
            return self.primary(name)
        if after.kind == "WORD":
            self.i += 1
            return self.word(after, name)
        raise QuerySyntaxError(f"unexpected {after.value!r} after {name}: (position {after.pos + 1})")

    def word(self, tok: _Tok, field: str | None) -> Node:
        value = tok.value
        if field is None:
            if value == "*":
                return MatchAll()
            if value.endswith("*") and not tok.escaped_star and len(value) > 1:
                return Text(value[:-1], None, prefix=True)
            return Text(value)
        if value == "*":
            return Term(field, "", exists=True)
        if value.endswith("*") and not tok.escaped_star:
            return Term(field, value[:-1], prefix=True)
        return Term(field, value)

    def range(self, field: str) -> Node:
        opening = self.take("LBRACK")
        low = self._bound()
        to = self.take("WORD")
        if to.value != "TO":
            raise QuerySyntaxError(f"a range needs TO, at position {to.pos + 1}")
        high = self._bound()
        closing = self.take("RBRACK")
        return Range(field, low, high, opening.value == "[", closing.value == "]")

    def _bound(self) -> str | None:
        tok = self.peek()
        if tok is None or tok.kind not in ("WORD", "PHRASE"):
            raise QuerySyntaxError("a range bound is missing")
        self.i += 1
        value = tok.value
        # Date bounds such as 2024-01-01T00:00:00Z arrive split at their colons.
        while (c := self.peek()) is not None and c.kind == "COLON" and (
                w := self.peek(1)) is not None and w.kind == "WORD" and tok.kind == "WORD":
            self.i += 2
            value += ":" + w.value
        return None if value == "*" else value


def parse(text: str) -> Node:
    """Parse ``q`` or one ``fq`` string; raise ``QuerySyntaxError`` when it cannot be read."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    if "\x00" in text:
        raise QuerySyntaxError("the query contains a NUL character")
    return _Parser(text).parse()
