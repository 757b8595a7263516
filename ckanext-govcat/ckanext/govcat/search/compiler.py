"""Compile parsed queries (``parser.Node``) into SQLAlchemy conditions on ``govcat_search_doc``.

Every value reaches PostgreSQL as a bound parameter: tsquery text is built by ``text`` with its
own quoting and cast by PostgreSQL; jsonpath expressions are constants chosen from a fixed set,
with values passed as jsonpath variables. No SQL is assembled from user strings.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import sqlalchemy as sa
from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from . import text
from .model import TOTAL_TERM, doc_table, facet_count_table
from .parser import And, MatchAll, Node, Not, Or, QuerySyntaxError, Range, Term, Text

D = doc_table.c

COLUMN_FIELDS: dict[str, sa.ColumnElement[Any]] = {
    "index_id": D.index_id, "id": D.id, "name": D.name, "site_id": D.site_id,
    "state": D.state, "capacity": D.capacity, "dataset_type": D.dataset_type,
}
DATE_COLUMNS: dict[str, sa.ColumnElement[Any]] = {
    "metadata_modified": D.metadata_modified, "metadata_created": D.metadata_created,
}
# Tokenised (Solr "text") fields; fielded matches on them are full-text matches restricted to
# the field's weight. ``text`` is every indexed text.
TEXT_FIELDS = {"text", "title", "notes", "res_name", "res_description", "author", "maintainer",
               "urls", "title_ngram"}
ALL_WEIGHTS = "ABCD"

_DATE_MATH_RE = re.compile(r"([+-])(\d+)(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?")
_UNITS = {"YEAR": "years", "MONTH": "months", "DAY": "days", "HOUR": "hours",
          "MINUTE": "minutes", "SECOND": "seconds"}

# jsonpath constants: (low bound op, high bound op) -> path. Values come in as $lo / $hi.
_RANGE_PATHS = {
    (lo, hi): "$[*] ? (" + " && ".join(p for p in (
        {">=": "@ >= $lo", ">": "@ > $lo", None: ""}[lo],
        {"<=": "@ <= $hi", "<": "@ < $hi", None: ""}[hi]) if p) + ")"
    for lo in (">=", ">", None) for hi in ("<=", "<", None) if lo or hi
}
_PREFIX_PATH = "$[*] ? (@ starts with $p)"
_EXISTS_PATH = "$[*] ? (@ != null)"


# Per query word: a match in A-weight fields (title) scores 8, B (tags, classification) 4,
# D (resource names) 1; a word found in none of them matched elsewhere (C: description) and
# scores 2.
RANK_POINTS = {"A": 8, "B": 4, "D": 1, "C": 2}
_RANK_COLUMNS = (("A", D.rank_a), ("B", D.rank_b), ("D", D.rank_d))


class RankScore(sa.sql.expression.ColumnElement[int]):
    """The rank of a document for query ``words``: the sum over the words of A 8 + B 4 + D 1
    for each ranking text holding the word, or C 2 when none does.

    One SQL construct rendered from a fixed template (``_render_rank``), with each word a bound
    parameter: a search builds and cache-keys one element instead of dozens per word. Each
    text is searched once per word (NULLIF/COALESCE, not CASE, so no strpos runs twice)."""

    inherit_cache = True
    type = sa.Integer()
    _traverse_internals = [("words", InternalTraversal.dp_clauseelement_tuple)]

    def __init__(self, words: list[str]) -> None:
        self.words = tuple(sa.bindparam(None, w, type_=sa.Text, unique=True) for w in words)


@compiles(RankScore)
def _render_rank(element: RankScore, compiler: Any, **kw: Any) -> str:
    columns = [(RANK_POINTS[w], compiler.process(col, **kw)) for w, col in _RANK_COLUMNS]
    per_word = []
    for word in element.words:
        bound = compiler.process(word, **kw)
        hits = " + ".join(f"{points} * CAST(strpos({col}, {bound}) > 0 AS INTEGER)"
                          for points, col in columns)
        per_word.append(f"coalesce(nullif({hits}, 0), {RANK_POINTS['C']})")
    return "(" + " + ".join(per_word) + ")"


class PackedText(sa.sql.expression.ColumnElement[str]):
    """The texts of ``columns`` (any type, cast to text) one after another, each written
    ``<length>:<text>`` (``-:`` for null): values of any content, read back by ``unpack``
    without quoting on either side. One construct, cache-keyed by its columns."""

    inherit_cache = True
    type = sa.Text()
    _traverse_internals = [("columns", InternalTraversal.dp_clauseelement_tuple)]

    def __init__(self, columns: list[sa.ColumnElement[Any]]) -> None:
        self.columns = tuple(columns)


@compiles(PackedText)
def _render_packed(element: PackedText, compiler: Any, **kw: Any) -> str:
    parts = []
    for column in element.columns:
        value = f"CAST({compiler.process(column, **kw)} AS TEXT)"
        parts.append(f"coalesce(CAST(length({value}) AS TEXT), '-'), ':', coalesce({value}, '')")
    return "concat(" + ", ".join(parts) + ")"


class OnePass(sa.sql.expression.Executable, sa.sql.expression.ClauseElement):
    """The statement of a search that reads its matches once: a row with ``hits`` (how many
    documents match ``where``), ``docs`` (``PackedText`` of ``fields`` for the page
    ``limit``/``offset`` in ``keys`` order, the last key being ``ord``) and ``matched`` (the
    ords of all matches, or null: when not ``want_matched``, or with ``total`` — a
    ``SliceMatch`` on the facet count table — when the matches are more than half of the
    documents of that slice), then the select-list items of ``along``.

    One construct around the parts that vary (conditions, sort keys, fields), rendered from
    a fixed template: a search builds and cache-keys a handful of elements instead of a
    hundred. Every value is a bound parameter."""

    inherit_cache = True
    _traverse_internals = [
        ("where", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_clauseelement_tuple),
        ("directions", InternalTraversal.dp_plain_obj),
        ("fields", InternalTraversal.dp_clauseelement_tuple),
        ("limit", InternalTraversal.dp_clauseelement),
        ("offset", InternalTraversal.dp_clauseelement),
        ("want_matched", InternalTraversal.dp_plain_obj),
        ("total", InternalTraversal.dp_clauseelement),
        ("along", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, where: sa.ColumnElement[bool],
                 keys: list[tuple[sa.ColumnElement[Any], bool, bool]],
                 fields: list[sa.ColumnElement[Any]], limit: int, offset: int,
                 want_matched: bool, total: Optional["SliceMatch"],
                 along: sa.TextClause) -> None:
        self.where = where
        self.keys = tuple(expr for expr, _, _ in keys)
        self.directions = tuple((desc, nulls_last) for _, desc, nulls_last in keys)
        self.fields = tuple(fields)
        self.limit = sa.bindparam(None, limit, type_=sa.Integer, unique=True)
        self.offset = sa.bindparam(None, offset, type_=sa.Integer, unique=True)
        self.want_matched = want_matched
        self.total = total if total is not None else sa.null()
        self.along = along

    @property
    def _all_selected_columns(self) -> tuple[()]:
        """No typed result columns: rows are read by the names the template gives them."""
        return ()


@compiles(OnePass)
def _render_one_pass(element: OnePass, compiler: Any, **kw: Any) -> str:
    doc = compiler.process(doc_table, asfrom=True, **kw)
    keys = ", ".join(f"{compiler.process(expr, **kw)} AS k{i}" for i, expr in enumerate(element.keys))
    last = f"k{len(element.keys) - 1}"

    def order(prefix: str) -> str:
        return ", ".join(f"{prefix}k{i} {'DESC' if desc else 'ASC'}{' NULLS LAST' if nulls else ''}"
                         for i, (desc, nulls) in enumerate(element.directions))

    columns = ", ".join(f"k{i}" for i in range(len(element.keys)))
    packed = compiler.process(PackedText(list(element.fields)), **kw)
    matched = "NULL"
    if element.want_matched:
        matched = f"(SELECT coalesce(array_agg({last}), '{{}}') FROM m)"
        if not isinstance(element.total, sa.sql.elements.Null):
            fc = facet_count_table
            total = (f"(SELECT sum({compiler.process(fc.c.n, **kw)}) "
                     f"FROM {compiler.process(fc, asfrom=True, **kw)} "
                     f"WHERE {compiler.process(fc.c.term_id, **kw)} = {TOTAL_TERM} "
                     f"AND {compiler.process(element.total, **kw)})")
            matched = (f"CASE WHEN counted.hits * 2 > coalesce({total}, 0) "
                       f"THEN NULL ELSE {matched} END")
    return (
        f"WITH m AS MATERIALIZED (SELECT {keys} FROM {doc} "
        f"WHERE {compiler.process(element.where, **kw)}), "
        f"page AS (SELECT {columns} FROM m ORDER BY {order('')} "
        f"LIMIT {compiler.process(element.limit, **kw)} "
        f"OFFSET {compiler.process(element.offset, **kw)}) "
        f"SELECT counted.hits, "
        f"(SELECT string_agg({packed}, '' ORDER BY {order('page.')}) FROM page "
        f"JOIN {doc} ON {doc}.ord = page.{last}) AS docs, {matched} AS matched, "
        f"{compiler.process(element.along, **kw)} "
        f"FROM (SELECT count(*) AS hits FROM m) AS counted")


def unpack(packed: str) -> list[Optional[str]]:
    """The values of ``PackedText`` (several rows' may follow one another)."""
    values: list[Optional[str]] = []
    pos = 0
    while pos < len(packed):
        colon = packed.index(":", pos)
        length = packed[pos:colon]
        if length == "-":
            values.append(None)
            pos = colon + 1
        else:
            end = colon + 1 + int(length)
            values.append(packed[colon + 1:end])
            pos = end
    return values


@dataclass
class Compiled:
    """A condition, plus the normalised words of the positive free-text parts (for ranking)."""

    where: sa.ColumnElement[bool]
    rank_terms: list[str] = field(default_factory=list)


SLICE_FIELDS = ("site_id", "state", "capacity", "dataset_type", "permission_labels")


@dataclass
class Slice:
    """Conditions on the slice columns only: field -> allowed values (labels: any of them)."""

    values: dict[str, frozenset[str]] = field(default_factory=dict)


class SliceMatch(sa.sql.expression.ColumnElement[bool]):
    """The rows of ``table`` in a ``Slice``: each slice column among its values (the label
    array sharing one of them; an empty set matches nothing). ``table`` is the document table
    or the facet count table (its label column is ``labels``). One construct rendered from a
    fixed template with one bound array per column, the same condition as compiling the
    slice's query parts: every search has one, and it builds and cache-keys one element
    instead of a handful per column."""

    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [("columns", InternalTraversal.dp_clauseelement_tuple),
                           ("arrays", InternalTraversal.dp_clauseelement_tuple)]

    def __init__(self, part: Slice, table: sa.Table = doc_table) -> None:
        names = [name for name in SLICE_FIELDS if name in part.values]
        self.columns = tuple(table.c[name] if name in table.c else table.c.labels
                             for name in names)
        self.arrays = tuple(sa.bindparam(None, sorted(part.values[name]), type_=pg.ARRAY(sa.Text),
                                         unique=True) for name in names)


@compiles(SliceMatch)
def _render_slice(element: SliceMatch, compiler: Any, **kw: Any) -> str:
    if not element.columns:
        return "true"
    conditions = []
    for column, array in zip(element.columns, element.arrays):
        name = compiler.process(column, **kw)
        values = f"CAST({compiler.process(array, **kw)} AS TEXT[])"
        conditions.append(f"{name} && {values}" if isinstance(column.type, pg.ARRAY)
                          else f"{name} = ANY({values})")
    return "(" + " AND ".join(conditions) + ")"


def _exact_values(node: Node) -> tuple[str, frozenset[str]] | None:
    """(field, values) when ``node`` is one exact slice value or an OR of them on one field."""
    if isinstance(node, Term) and not node.prefix and not node.exists:
        return (node.field, frozenset([node.value])) if node.field in SLICE_FIELDS else None
    if isinstance(node, Text) and node.phrase and node.field in SLICE_FIELDS:
        return node.field, frozenset([node.text])
    if isinstance(node, Or):
        parts = [_exact_values(n) for n in node.nodes]
        if all(parts) and len({p[0] for p in parts if p}) == 1:
            return parts[0][0], frozenset().union(*(p[1] for p in parts if p))  # type: ignore[index]
    return None


def split_slice(node: Node) -> tuple[Slice, list[Node]]:
    """Split a query into slice conditions and the rest (ANDed). ``rest`` empty: only a slice."""
    parts = list(node.nodes) if isinstance(node, And) else [node]
    flat: list[Node] = []
    while parts:
        part = parts.pop(0)
        if isinstance(part, And):
            parts[0:0] = list(part.nodes)
        elif not isinstance(part, MatchAll):
            flat.append(part)
    result, rest = Slice(), []
    for part in flat:
        exact = _exact_values(part)
        if exact is None:
            rest.append(part)
            continue
        name, values = exact
        if name in result.values:
            if name == "permission_labels":
                rest.append(part)  # two label conditions are not one slice
                continue
            values = result.values[name] & values
        result.values[name] = values
    return result, rest


@dataclass
class FieldWeights:
    """Field name -> tsvector weight; fields not listed weigh ``default``."""

    weights: dict[str, str]
    default: str = "C"

    def of(self, name: str) -> str:
        return self.weights.get(name, self.default)


def parse_date(value: str, *, now: Callable[[], dt.datetime] | None = None) -> dt.datetime:
    """ISO dates and Solr date math (``NOW``, ``NOW-7DAYS``, ``NOW/DAY``) as aware UTC datetimes."""
    value = value.strip()
    try:
        return _parse_date(value, now)
    except (ValueError, OverflowError) as e:
        raise QuerySyntaxError(f"cannot read the date {value!r}") from e


def _parse_date(value: str, now: Callable[[], dt.datetime] | None) -> dt.datetime:
    if value.upper().startswith("NOW"):
        moment = (now or (lambda: dt.datetime.now(dt.timezone.utc)))()
        rest = value[3:].upper()
        rounding = None
        if "/" in rest:
            rest, rounding = rest.split("/", 1)
        pos = 0
        for m in _DATE_MATH_RE.finditer(rest):
            if m.start() != pos:
                break
            amount = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
            moment += relativedelta(**{_UNITS[m.group(3)]: amount})
            pos = m.end()
        if pos != len(rest):
            raise QuerySyntaxError(f"cannot read the date {value!r}")
        if rounding:
            unit = rounding.rstrip("S")
            keep = {"YEAR": 1, "MONTH": 2, "DAY": 3, "HOUR": 4, "MINUTE": 5, "SECOND": 6}.get(unit)
            if keep is None:
                raise QuerySyntaxError(f"cannot round the date {value!r} to {rounding!r}")
            parts = [moment.year, moment.month, moment.day, moment.hour, moment.minute,
                     moment.second]
            defaults = [1, 1, 1, 0, 0, 0]
            parts = parts[:keep] + defaults[keep:]
            moment = dt.datetime(*parts, tzinfo=dt.timezone.utc)  # type: ignore[misc]
        return moment
    parsed = dateparser.isoparse(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def _iso(value: str) -> str:
    """A date bound in the form CKAN stores ``*_date`` fields: ``YYYY-MM-DDTHH:MM:SS[+zone|Z]``."""
    moment = parse_date(value).astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def _json_candidates(value: str) -> list[Any]:
    """The JSON values a query value may stand for in the index document."""
    out: list[Any] = [value]
    if value in ("true", "false"):
        out.append(value == "true")
    try:
        number = float(value)
    except ValueError:
        return out
    if number.is_integer() and re.fullmatch(r"-?\d+", value):
        out.append(int(value))
    elif re.fullmatch(r"-?\d+\.\d+", value):
        out.append(number)
    return out


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class TextMatch(sa.sql.expression.ColumnElement[bool]):
    """``govcat_search_doc.tsv @@ CAST(:query AS tsquery)`` for each of ``queries`` (ANDed),
    one bound tsquery text each. One construct per free-text part or facet filter, however
    many lexemes it has: cheap to build and to cache-key."""

    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [("queries", InternalTraversal.dp_clauseelement_tuple)]

    def __init__(self, *queries: str) -> None:
        self.queries = tuple(sa.bindparam(None, q, type_=sa.Text, unique=True) for q in queries)


@compiles(TextMatch)
def _render_match(element: TextMatch, compiler: Any, **kw: Any) -> str:
    tsv = compiler.process(D.tsv, **kw)
    return "(" + " AND ".join(f"{tsv} @@ CAST({compiler.process(q, **kw)} AS TSQUERY)"
                              for q in element.queries) + ")"


def _as_array(field_name: str) -> sa.ColumnElement[Any]:
    return D.doc[field_name]


TermLookup = Callable[[str, str], Optional[int]]


class Compiler:
    """Compiles one query. ``facet_term`` finds the id of a facet field's value (None: no
    document has it), so exact filters on facet fields use the facet term index."""

    def __init__(self, weights: FieldWeights, facet_fields: frozenset[str] = frozenset(),
                 facet_term: Optional[TermLookup] = None) -> None:
        self.weights = weights
        self.facet_fields = facet_fields
        self.facet_term = facet_term

    def compile(self, node: Node) -> Compiled:
        rank: list[str] = []
        where = self._node(node, rank, negated=False)
        return Compiled(where, rank)

    def _node(self, node: Node, rank: list[str], negated: bool) -> sa.ColumnElement[bool]:
        if isinstance(node, MatchAll):
            return sa.true()
        if isinstance(node, And):
            return sa.and_(*(self._node(n, rank, negated) for n in node.nodes))
        if isinstance(node, Or):
            return self._or(node, rank, negated)
        if isinstance(node, Not):
            return sa.not_(self._node(node.node, rank, not negated))
        if isinstance(node, Text):
            return self._text(node, rank, negated)
        if isinstance(node, Term):
            return self._term(node, rank, negated)
        if isinstance(node, Range):
            return self._range(node)
        raise QuerySyntaxError(f"unsupported query part {node!r}")

    def _or(self, node: Or, rank: list[str], negated: bool) -> sa.ColumnElement[bool]:
        labels = [n for n in node.nodes if isinstance(n, (Term, Text))
                  and n.field == "permission_labels" and not getattr(n, "prefix", False)
                  and not getattr(n, "exists", False)]
        if len(labels) == len(node.nodes):
            values = [n.value if isinstance(n, Term) else n.text for n in labels]
            return D.permission_labels.overlap(sa.cast(values, pg.ARRAY(sa.Text)))
        return sa.or_(*(self._node(n, rank, negated) for n in node.nodes))

    # -- free text and text fields -------------------------------------------------------

    def _text(self, node: Text, rank: list[str], negated: bool) -> sa.ColumnElement[bool]:
        if node.field is not None and node.field not in TEXT_FIELDS:
            # A quoted value of a keyword field is that exact value.
            return self._term(Term(node.field, node.text), rank, negated)
        weights = self._weights_for(node.field)
        if node.phrase:
            queries = [text.phrase_tsquery(node.text, weights)]
        else:
            queries = [q for t in text.query_terms(node.text, prefix=node.prefix)
                       for q in text.term_tsqueries(t, weights)]
        queries = [q for q in queries if q]
        if not queries:
            return sa.true()
        if not negated:
            rank.extend(text.rank_words(node.text))
        # One condition per lexeme: the GIN scan takes each as a key of its own and skips
        # through the frequent ones, where one tsquery of all lexemes reads their lists whole
        # (half the time for 杭州市 职业资格证书 at 200,000 datasets).
        match = TextMatch(*queries)
        if node.field in (None, "text", "title_ngram"):
            return match
        # Several fields share a weight: keep the documents whose own field holds the words.
        field_text = sa.func.lower(sa.func.normalize(sa.cast(D.doc[node.field], sa.Text),
                                                     sa.text("NFKC")))
        words = ([text.normalize(node.text)] if node.phrase
                 else [t.lexeme for t in text.query_terms(node.text, prefix=node.prefix)])
        return sa.and_(match, *(sa.func.strpos(field_text, w) > 0 for w in words))

    def _weights_for(self, field_name: str | None) -> str:
        if field_name in (None, "text"):
            return ""
        if field_name == "title_ngram":
            return self.weights.of("title")
        return self.weights.of(field_name)

    # -- exact fields --------------------------------------------------------------------

    def _term(self, node: Term, rank: list[str], negated: bool) -> sa.ColumnElement[bool]:
        name, value = node.field, node.value
        if name in TEXT_FIELDS:
            return self._text(Text(value, name, prefix=node.prefix), rank, negated)
        if name == "name_ngram":
            return D.name.ilike("%" + _like_prefix(value))
        if name == "permission_labels":
            if node.exists:
                return sa.func.cardinality(D.permission_labels) > 0
            if node.prefix:
                raise QuerySyntaxError("permission_labels does not take prefixes")
            return D.permission_labels.contains(sa.cast([value], pg.ARRAY(sa.Text)))
        if name in DATE_COLUMNS:
            column = DATE_COLUMNS[name]
            if node.exists:
                return column.is_not(None)
            if node.prefix:
                raise QuerySyntaxError(f"{name} takes a date or a range, not a prefix")
            return column == parse_date(value)
        if name in COLUMN_FIELDS:
            column = COLUMN_FIELDS[name]
            if node.exists:
                return column.is_not(None)
            if node.prefix:
                return column.like(_like_prefix(value), escape="\\")
            return column == value
        if name in self.facet_fields and self.facet_term is not None and not (
                node.exists or node.prefix):
            term_id = self.facet_term(name, value)
            if term_id is None:
                return sa.false()
            # A lexeme of the tsvector: one GIN scan takes it with the query's words as
            # separate keys, so only documents that have both are read.
            return TextMatch(text.tsquery_lexeme(text.facet_lexeme(term_id)))
        if node.exists:
            return sa.func.jsonb_path_exists(_as_array(name), _EXISTS_PATH)
        if node.prefix:
            return sa.func.jsonb_path_exists(
                _as_array(name), _PREFIX_PATH, sa.cast({"p": value}, pg.JSONB))
        return sa.or_(*(D.doc.contains({name: candidate}) for candidate in
                        _json_candidates(value))
                      , *(D.doc.contains({name: [candidate]}) for candidate in
                          _json_candidates(value)))

    def _range(self, node: Range) -> sa.ColumnElement[bool]:
        name = node.field
        lo_op = None if node.low is None else (">=" if node.low_inclusive else ">")
        hi_op = None if node.high is None else ("<=" if node.high_inclusive else "<")
        if lo_op is None and hi_op is None:
            return self._term(Term(name, "", exists=True), [], False)
        if name in DATE_COLUMNS:
            column = DATE_COLUMNS[name]
            conds = []
            if node.low is not None:
                low = parse_date(node.low)
                conds.append(column >= low if node.low_inclusive else column > low)
            if node.high is not None:
                high = parse_date(node.high)
                conds.append(column <= high if node.high_inclusive else column < high)
            return sa.and_(*conds)
        if name in COLUMN_FIELDS or name == "permission_labels":
            raise QuerySyntaxError(f"{name} does not take a range")
        low: Any = node.low
        high: Any = node.high
        if name.endswith("_date"):
            low = None if low is None else _iso(low)
            high = None if high is None else _iso(high)
        else:
            numbers = []
            for bound in (low, high):
                if bound is None:
                    continue
                try:
                    numbers.append(float(bound))
                except ValueError:
                    break
            else:
                low = None if low is None else float(low)
                high = None if high is None else float(high)
        variables = {k: v for k, v in (("lo", low), ("hi", high)) if v is not None}
        return sa.func.jsonb_path_exists(
            _as_array(name), _RANGE_PATHS[(lo_op, hi_op)], sa.cast(variables, pg.JSONB))
