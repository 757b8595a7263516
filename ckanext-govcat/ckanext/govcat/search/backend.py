"""The PostgreSQL search backend, with the connection surface CKAN's search code expects.

CKAN 2.12 builds index documents and Solr parameters itself (``ckan.lib.search.index`` and
``.query``) and hands them to a connection from ``make_connection()``. ``PostgresConnection``
is that connection, backed by ``govcat_search_*`` tables instead of Solr:

- ``add(docs, commit)``: upsert index documents; with ``commit=False`` they are batched and
  written at ``commit()``, at ``batch_size`` documents, before the next search in this process,
  and at exit.
- ``delete(q=..., id=...)``: delete the documents a query (or an index id) matches.
- ``search(q, **params)``: the package_search parameters CKAN sends (q, fq, sort, rows, start,
  fl, facet.field, facet.limit, facet.mincount); returns ``Results`` (hits, docs, facets).
  Bad input raises ``ckan.lib.search.common.SearchError`` with a readable message.
"""
from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from collections import Counter

from . import text
from .bitmaps import CHANGES_COLUMN, SNAPSHOT_COLUMNS, FacetBitmaps, View

from .compiler import (COLUMN_FIELDS, DATE_COLUMNS, Compiled, Compiler,
                       FieldWeights, OnePass, PackedText, RankScore, Slice, SliceMatch,
                       parse_date, split_slice, unpack)
from .model import TOTAL_TERM, doc_table, facet_count_table, field_table, term_table
from .parser import FIELD_RE, And, MatchAll, Node, QuerySyntaxError, parse
from .prepared import PREPARE_OPTION

log = logging.getLogger(__name__)
D = doc_table.c

MAX_START = 10_000_000
MAX_FACET_LIMIT = 10_000
LABEL_SEPARATOR = "\x1f"  # joins a label set into one text value for unnest
# Characters of normalised text kept per ranking column. The columns are stored PLAIN
# (uncompressed, inline), so together they must leave a row room in a page.
RANK_TEXT_LIMIT = {"A": 300, "B": 400, "D": 400}
# Index-document keys that are bookkeeping or ids, never searched as text.
NOT_TEXT = {
    "id", "index_id", "site_id", "state", "capacity", "entity_type", "dataset_type", "type",
    "permission_labels", "data_dict", "validated_data_dict", "metadata_created",
    "metadata_modified", "owner_org", "creator_user_id", "license_id", "private",
    "num_resources", "num_tags", "res_url", "url", "title_string", "res_type", "isopen",
    "res_format", "plugin_data",
}
# ``fl`` fields read from a column of their own rather than from the stored document.
OWN_COLUMNS: dict[str, sa.ColumnElement[Any]] = {
    "id": D.id, "index_id": D.index_id, "name": D.name,
    "data_dict": D.data_dict, "validated_data_dict": D.validated_data_dict,
}
_SORT_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s+(asc|desc)\s*$", re.IGNORECASE)


class SearchBackendError(Exception):
    """Raised for unreadable search input; the bridge maps it to CKAN's SearchError."""


@dataclass
class Results:
    """What pysolr's ``Results`` offers CKAN: hits, docs and facets."""

    hits: int
    docs: list[dict[str, Any]]
    facets: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.docs)


@dataclass
class BackendSettings:
    facet_fields: list[str]
    weights: FieldWeights
    statement_timeout_ms: int = 10_000
    batch_size: int = 500


# Select-list item reading the term table's oid, for ``TermDictionary.validate``.
TERM_OID = "CAST('govcat_search_term' AS regclass)::oid"
TERM_TABLE_OID = f"{TERM_OID} AS term_oid"
# Session settings of the read engine's connections (``search_session``): plans must reach
# documents through the indexes (a sequential scan would read every out-of-line tsvector),
# work_mem keeps complement sets hashed, and prepared search statements (``prepared``) keep
# one generic plan instead of being planned again on every search.
SEARCH_SETTINGS = {"enable_seqscan": "off", "work_mem": "64MB",
                   "plan_cache_mode": "force_generic_plan"}
# Execution options of the search statements that run on every search: prepared on the
# server (``prepared``, when the read engine has it installed).
PREPARED = {PREPARE_OPTION: True}
# What a text search's statement reads along (``OnePass``'s ``along``): the term table's oid
# and, when the facet bitmaps count, the snapshot and what changed since their last sync
# (bound to ``FacetBitmaps.since()``): no statement of its own for either.
READ_ALONG_TERMS = sa.text(TERM_TABLE_OID)
READ_ALONG_BITMAPS = sa.text(f"{TERM_TABLE_OID}, {SNAPSHOT_COLUMNS}, {CHANGES_COLUMN}")


def search_session(statement_timeout_ms: int) -> Callable[[Any, Any], None]:
    """A ``connect`` listener for the read engine: ``SEARCH_SETTINGS`` and the statement
    timeout, set once per new connection instead of once per search."""
    settings = {**SEARCH_SETTINGS, "statement_timeout": str(statement_timeout_ms)}

    def configure(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            for name, value in settings.items():
                cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
        dbapi_connection.commit()

    return configure


class _StaleTerms(Exception):
    """A search used facet term ids cached from a term table that has since been recreated."""


class TermDictionary:
    """(field, value) <-> integer id for facet values; ids never change once given."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}
        self._pairs: dict[int, tuple[str, str]] = {}
        self._oid: Optional[int] = None
        self._lock = threading.Lock()

    def validate(self, oid: int) -> bool:
        """Forget cached ids when the term table was recreated: ``oid`` (read with
        ``TERM_TABLE_OID``) is not the one they came from. True if it was."""
        if oid == self._oid:
            return False
        with self._lock:
            self._ids.clear()
            self._pairs.clear()
            self._oid = oid
        return True

    @property
    def oid(self) -> Optional[int]:
        """The term table's oid the cached ids come from (None: not read yet)."""
        return self._oid

    def ids(self, conn: sa.Connection, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The ids of ``pairs``, giving new ones to pairs never seen (one statement)."""
        wanted = set(pairs)
        missing = [p for p in wanted if p not in self._ids]
        if missing:
            params = {"f": [p[0] for p in missing], "v": [p[1] for p in missing]}
            rows = conn.execute(sa.text(
                "WITH x AS (SELECT * FROM unnest(CAST(:f AS text[]), CAST(:v AS text[])) "
                "AS x(field, value)), "
                "ins AS (INSERT INTO govcat_search_term (field, value) SELECT field, value FROM x "
                "ON CONFLICT (field, value) DO NOTHING RETURNING id, field, value) "
                "SELECT id, field, value FROM ins UNION ALL "
                "SELECT t.id, t.field, t.value FROM govcat_search_term t JOIN x USING (field, value)"),
                params).all()
            if len(rows) < len(missing):
                # A concurrent writer added some of them after this statement's snapshot.
                rows = conn.execute(sa.text(
                    "SELECT t.id, t.field, t.value FROM govcat_search_term t "
                    "JOIN unnest(CAST(:f AS text[]), CAST(:v AS text[])) AS x(field, value) "
                    "USING (field, value)"), params).all()
            with self._lock:
                for term_id, f, v in rows:
                    self._ids[(f, v)] = term_id
                    self._pairs[term_id] = (f, v)
        return {p: self._ids[p] for p in wanted}

    def lookup(self, conn: sa.Connection, field_name: str, value: str) -> Optional[int]:
        """The id of (field, value), or None when no document ever had it."""
        key = (field_name, value)
        if key not in self._ids:
            row = conn.execute(sa.select(term_table.c.id).where(
                term_table.c.field == field_name, term_table.c.value == value)).first()
            if row is None:
                return None
            with self._lock:
                self._ids[key] = row[0]
                self._pairs[row[0]] = key
        return self._ids[key]

    def pairs(self, conn: sa.Connection, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        wanted = set(ids)
        missing = [i for i in wanted if i not in self._pairs]
        if missing:
            rows = conn.execute(sa.select(term_table.c.id, term_table.c.field, term_table.c.value)
                                .where(term_table.c.id.in_(missing)))
            with self._lock:
                for term_id, f, v in rows:
                    self._ids[(f, v)] = term_id
                    self._pairs[term_id] = (f, v)
        return {i: self._pairs[i] for i in wanted if i in self._pairs}


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None]
    return [value]


def _strings(value: Any) -> list[str]:
    out = []
    for v in _values(value):
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (str, int, float)):
            out.append(str(v))
        else:
            out.append(json.dumps(v, ensure_ascii=False, sort_keys=True))
    return out


def _timestamp(value: Any) -> Optional[dt.datetime]:
    if not value:
        return None
    try:
        return parse_date(str(value))
    except QuerySyntaxError:
        return None


def _slice_key(row: Any) -> tuple[str, str, str, str, tuple[str, ...]]:
    get = row.get if isinstance(row, dict) else row._mapping.get
    return (get("site_id") or "", get("state") or "", get("capacity") or "",
            get("dataset_type") or "", tuple(sorted(get("permission_labels") or ())))


def _count_into(delta: Counter[tuple[Any, ...]], row: Any, sign: int) -> None:
    key = _slice_key(row)
    get = row.get if isinstance(row, dict) else row._mapping.get
    for term in (TOTAL_TERM, *(get("facet_terms") or ())):
        delta[(*key, term)] += sign


def _apply_counts(conn: sa.Connection, delta: Counter[tuple[Any, ...]]) -> None:
    """Add ``delta`` to govcat_search_facet_count in one statement, in key order (so concurrent
    writers lock counter rows in the same order)."""
    changes = sorted((k, n) for k, n in delta.items() if n)
    if not changes:
        return
    columns = list(zip(*(k for k, _ in changes)))
    conn.execute(sa.text(
        "INSERT INTO govcat_search_facet_count AS c "
        "(site_id, state, capacity, dataset_type, labels, term_id, n) "
        "SELECT s, st, cap, dt, string_to_array(l, :sep), t, n FROM unnest("
        "CAST(:s AS text[]), CAST(:st AS text[]), CAST(:cap AS text[]), CAST(:dt AS text[]), "
        "CAST(:l AS text[]), CAST(:t AS integer[]), CAST(:n AS bigint[])) AS x(s, st, cap, dt, l, t, n) "
        "ON CONFLICT (site_id, state, capacity, dataset_type, labels, term_id) "
        "DO UPDATE SET n = c.n + EXCLUDED.n"),
        {"sep": LABEL_SEPARATOR, "s": list(columns[0]), "st": list(columns[1]),
         "cap": list(columns[2]), "dt": list(columns[3]),
         "l": [LABEL_SEPARATOR.join(labels) for labels in columns[4]],
         "t": list(columns[5]), "n": [n for _, n in changes]})


# The columns a write sets (``ord`` and ``txid`` are the table's own).
WRITTEN = [c.name for c in doc_table.columns if c.name not in ("ord", "txid")]
# One statement for any batch (one compiled form, cached): lock and read the rows being
# replaced, then upsert the rows of ``:rows`` (a JSON array of ``_row`` dicts, read as the
# table's row type). An unreferenced data-modifying WITH query runs after the main query, in
# the same snapshot. Column names come from the table, values are bound.
UPSERT = sa.text(
    "WITH old AS (SELECT site_id, state, capacity, dataset_type, permission_labels, "
    "facet_terms FROM govcat_search_doc WHERE index_id = ANY(CAST(:ids AS text[])) "
    "ORDER BY index_id FOR UPDATE), "
    f"up AS (INSERT INTO govcat_search_doc ({', '.join(WRITTEN)}) SELECT {', '.join(WRITTEN)} "
    "FROM jsonb_populate_recordset(NULL::govcat_search_doc, CAST(:rows AS jsonb)) "
    "ON CONFLICT (index_id) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in WRITTEN if name != "index_id")
    + ", txid = txid_current()) "
    "SELECT site_id, state, capacity, dataset_type, permission_labels, facet_terms FROM old")


class PostgresConnection:
    """A search connection on PostgreSQL engines: ``write`` for the index, ``read`` for queries."""

    def __init__(self, write: sa.Engine, read: sa.Engine, settings: BackendSettings,
                 terms: TermDictionary) -> None:
        self.write_engine = write
        self.read_engine = read
        self.settings = settings
        self.terms = terms
        self.bitmaps = FacetBitmaps()
        self._pending: dict[str, dict[str, Any]] = {}
        self._known_fields: set[str] = set()
        # (view, term table oid) and, per facet field set, that view's terms of those fields.
        self._view_terms: tuple[tuple[Optional[View], Optional[int]],
                                dict[frozenset[str], list[int]]] = ((None, None), {})
        self._lock = threading.RLock()
        atexit.register(self._flush_quietly)

    # -- writing ---------------------------------------------------------------------------

    def add(self, docs: list[dict[str, Any]], commit: bool = True, **_: Any) -> None:
        with self._lock:
            for doc in docs:
                self._pending[doc["index_id"]] = doc
            if commit or len(self._pending) >= self.settings.batch_size:
                self.commit()

    def commit(self, **_: Any) -> None:
        with self._lock:
            if not self._pending:
                return
            docs = list(self._pending.values())
            with self.write_engine.begin() as conn:
                self._write(conn, docs)
            self._pending.clear()

    def _flush_quietly(self) -> None:
        try:
            self.commit()
        except Exception:  # at interpreter exit there is no one left to tell
            log.exception("Could not write the last batch of search documents")

    def _write(self, conn: sa.Connection, docs: list[dict[str, Any]]) -> None:
        # Writers of the same document take turns (advisory locks, in key order), so each old
        # row is counted out once; the same statement reads the term table's oid.
        index_ids = sorted({doc["index_id"] for doc in docs})
        oid = conn.execute(sa.text(
            f"SELECT {TERM_TABLE_OID}, "
            "(SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest(CAST(:k AS text[])) k)"),
            {"k": index_ids}).one().term_oid
        self._adopt_term_table(oid)
        facet_pairs: list[list[tuple[str, str]]] = []
        for doc in docs:
            pairs = [(f, v) for f in self.settings.facet_fields for v in _strings(doc.get(f))]
            facet_pairs.append(pairs)
        ids = self.terms.ids(conn, (p for pairs in facet_pairs for p in pairs))
        new_fields = {k for doc in docs for k in doc} - self._known_fields
        if new_fields:
            conn.execute(pg.insert(field_table).values([{"name": n} for n in sorted(new_fields)])
                         .on_conflict_do_nothing())
            self._known_fields |= new_fields
        rows = [self._row(doc, sorted({ids[p] for p in pairs}))
                for doc, pairs in zip(docs, facet_pairs)]
        delta: Counter[tuple[Any, ...]] = Counter()
        replaced = conn.execute(UPSERT, {"ids": index_ids,
                                         "rows": json.dumps(rows, ensure_ascii=False, default=str)})
        for row in replaced.all():
            _count_into(delta, row, -1)
        for row in rows:
            _count_into(delta, row, +1)
        _apply_counts(conn, delta)

    def _row(self, doc: dict[str, Any], facet_ids: list[int]) -> dict[str, Any]:
        stored = {k: v for k, v in doc.items() if k not in ("data_dict", "validated_data_dict")}
        weighted: list[tuple[str, str]] = []
        for key, value in doc.items():
            if key in NOT_TEXT or key.startswith(("extras_", "res_extras_")) or key.endswith("_date"):
                continue
            for item in _values(value):
                if isinstance(item, str) and item:
                    weighted.append((self.settings.weights.of(key), item))
        weighted.sort(key=lambda pair: pair[0])
        rank_text = {w: " ".join(text.normalize(t) for k, t in weighted if k == w)[:RANK_TEXT_LIMIT[w]]
                     for w in ("A", "B", "D")}
        title = doc.get("title") or ""
        return {
            "index_id": doc["index_id"],
            "id": doc["id"],
            "name": doc.get("name"),
            "site_id": doc.get("site_id") or "",
            "state": doc.get("state"),
            "capacity": doc.get("capacity"),
            "dataset_type": doc.get("dataset_type"),
            "permission_labels": sorted(set(_strings(doc.get("permission_labels")))),
            "metadata_modified": _timestamp(doc.get("metadata_modified")),
            "metadata_created": _timestamp(doc.get("metadata_created")),
            "title_sort": text.normalize(title) if isinstance(title, str) else None,
            "rank_a": rank_text["A"],
            "rank_b": rank_text["B"],
            "rank_d": rank_text["D"],
            "doc": stored,
            "tsv": f"{text.build_tsvector(weighted)} {text.facet_tsvector(facet_ids)}",
            "facet_terms": facet_ids,
            "data_dict": doc.get("data_dict"),
            "validated_data_dict": doc.get("validated_data_dict"),
        }

    def recount(self) -> None:
        """Recompute govcat_search_facet_count from the documents (after a rebuild)."""
        self.commit()
        with self.write_engine.begin() as conn:
            conn.execute(sa.text("LOCK TABLE govcat_search_facet_count IN EXCLUSIVE MODE"))
            conn.execute(sa.delete(facet_count_table))
            conn.execute(sa.text(
                "INSERT INTO govcat_search_facet_count "
                "(site_id, state, capacity, dataset_type, labels, term_id, n) "
                "SELECT site_id, coalesce(state, ''), coalesce(capacity, ''), "
                "coalesce(dataset_type, ''), permission_labels, t, count(*) "
                "FROM govcat_search_doc, unnest(array_prepend(0, facet_terms)) t "
                "GROUP BY 1, 2, 3, 4, 5, 6"))

    def delete(self, id: Optional[str] = None, q: Optional[str] = None, commit: bool = True,
               **_: Any) -> None:
        self.commit()
        if id is None and q is None:
            raise SearchBackendError("delete needs an id or a query")
        with self.write_engine.begin() as conn:
            if id is not None:
                condition: sa.ColumnElement[bool] = D.index_id == id
            else:
                condition = self._compile_node(self._parse([q or ""]), conn).where
            gone = conn.execute(sa.delete(doc_table).where(condition).returning(
                D.site_id, D.state, D.capacity, D.dataset_type, D.permission_labels,
                D.facet_terms)).all()
            delta: Counter[tuple[Any, ...]] = Counter()
            for row in gone:
                _count_into(delta, row, -1)
            _apply_counts(conn, delta)

    # -- searching -------------------------------------------------------------------------

    def _parse(self, queries: Iterable[str]) -> Node:
        nodes: list[Node] = []
        try:
            for query in queries:
                if query and query.strip():
                    nodes.append(parse(query))
        except QuerySyntaxError as e:
            raise SearchBackendError(f"Cannot read the search query: {e}") from e
        return And(tuple(nodes)) if nodes else MatchAll()

    def _compile_node(self, node: Node, conn: sa.Connection) -> Compiled:
        compiler = Compiler(self.settings.weights, frozenset(self.settings.facet_fields),
                            lambda f, v: self.terms.lookup(conn, f, v))
        try:
            return compiler.compile(node)
        except QuerySyntaxError as e:
            raise SearchBackendError(f"Cannot read the search query: {e}") from e

    def search(self, q: Optional[str] = None, **params: Any) -> Results:
        self.commit()
        try:
            return self._search(_Request.read(q, params, self))
        except sa.exc.DBAPIError as e:
            if not e.connection_invalidated:
                raise
        except _StaleTerms:
            pass
        # Once more, afresh: the server closed a pooled connection (restart, failover), or the
        # term table was recreated since this process cached ids from it (now forgotten).
        return self._search(_Request.read(q, params, self))

    def _search(self, request: "_Request") -> Results:
        # The read engine's transactions are REPEATABLE READ: one snapshot for the whole
        # search, to which the facet bitmaps are synced; its sessions carry SEARCH_SETTINGS.
        with self.read_engine.connect() as conn, conn.begin():
            try:
                return request.run(conn)
            except sa.exc.OperationalError as e:
                if "statement timeout" in str(e):
                    raise SearchBackendError(
                        "The search took too long; narrow it with more words or filters") from e
                raise

    def _adopt_term_table(self, oid: int) -> None:
        """Take ``oid`` (read with ``TERM_TABLE_OID``) as the term table's: when it was
        recreated, the cached term ids and field names are forgotten."""
        if self.terms.validate(oid):
            self._known_fields = set()

    def view_terms(self, conn: sa.Connection, view: View, fields: frozenset[str]) -> list[int]:
        """The terms of ``view``'s bitmaps that belong to ``fields``: worked out once per view
        (a view changes only when documents do) and term table."""
        (cached, oid), by_fields = self._view_terms
        if cached is not view or oid != self.terms.oid:  # identity: views compare by value
            by_fields = {}
            self._view_terms = ((view, self.terms.oid), by_fields)
        ids = by_fields.get(fields)
        if ids is None:
            pairs = self.terms.pairs(conn, view.bitmaps.keys())
            ids = by_fields[fields] = [t for t, (name, _) in pairs.items() if name in fields]
        return ids

    def is_known_field(self, conn: sa.Connection, name: str) -> bool:
        """Whether any indexed document ever had the field ``name``. A name not among the
        cached ones is looked up again: another process may have indexed it since."""
        if name not in self._known_fields:
            self._known_fields = self._known_fields | set(
                conn.execute(sa.select(field_table.c.name)).scalars())
        return name in self._known_fields


def _int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key, default)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise SearchBackendError(f"{key} must be a whole number, not {value!r}") from e


def _list_param(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


@dataclass
class _Request:
    conn: PostgresConnection
    node: Node
    slice: Slice
    slice_rest: list[Node]
    sort: list[tuple[str, bool]]
    rows: int
    start: int
    fl: list[str]
    facet_fields: list[str]
    facet_limit: int
    facet_mincount: int
    compiled: Compiled = field(init=False)
    # Read before the search's statements: where the facet bitmaps were last synced, and the
    # term table the cached term ids come from.
    since: dict[str, Any] = field(init=False)
    terms_from: Optional[int] = field(init=False)

    @classmethod
    def read(cls, q: Optional[str], params: dict[str, Any], conn: PostgresConnection) -> "_Request":
        queries = [q or params.get("q") or "*:*"] + _list_param(params.get("fq"))
        node = conn._parse(queries)
        part, rest = split_slice(node)
        rows = _int_param(params, "rows", 10)
        start = _int_param(params, "start", 0)
        if rows < 0:
            raise SearchBackendError("rows must not be negative")
        if not 0 <= start <= MAX_START:
            raise SearchBackendError(f"start must be between 0 and {MAX_START}")
        sort = []
        for key in str(params.get("sort") or "score desc, metadata_modified desc").split(","):
            if not key.strip():
                continue
            m = _SORT_RE.match(key)
            if not m:
                raise SearchBackendError(
                    f"Cannot read the sort {key.strip()!r}: write it as 'field asc' or 'field desc'")
            sort.append((m.group(1), m.group(2).lower() == "desc"))
        fl_text = str(params.get("fl") or "*")
        fl = [f for f in re.split(r"[\s,]+", fl_text) if f] or ["*"]
        facet_on = str(params.get("facet", "true")).lower() != "false"
        facet_fields = _list_param(params.get("facet.field")) if facet_on else []
        for name in facet_fields:
            if not FIELD_RE.match(name):
                raise SearchBackendError(f"Cannot count facets of {name!r}: not a field name")
        limit = _int_param(params, "facet.limit", 50)
        mincount = _int_param(params, "facet.mincount", 0)
        if limit < 0:
            limit = MAX_FACET_LIMIT
        return cls(conn, node, part, rest, sort, rows, start, fl,
                   facet_fields, min(limit, MAX_FACET_LIMIT), mincount)

    def _rank_expr(self) -> Optional[sa.ColumnElement[Any]]:
        words = list(dict.fromkeys(w for w in self.compiled.rank_terms if w))
        return RankScore(words) if words else None

    def _sort_keys(self, conn: sa.Connection, rank: Optional[sa.ColumnElement[Any]]
                   ) -> list[tuple[sa.ColumnElement[Any], bool, bool]]:
        """(expression, descending, nulls last) per sort key, then ``ord`` for a stable order."""
        keys: list[tuple[sa.ColumnElement[Any], bool, bool]] = []
        for name, desc in self.sort:
            expr: Optional[sa.ColumnElement[Any]]
            if name == "score":
                expr = rank
            elif name == "title_string":
                expr = D.title_sort
            elif name in DATE_COLUMNS:
                expr = DATE_COLUMNS[name]
            elif name in COLUMN_FIELDS:
                expr = COLUMN_FIELDS[name]
            elif self.conn.is_known_field(conn, name):
                expr = sa.func.coalesce(D.doc[name].op("->>")(0), D.doc[name].astext)
            else:
                raise SearchBackendError(f"Cannot sort on {name!r}: no dataset has that field")
            if expr is not None:
                # Dates are never null: plain order, so the btree index can serve it.
                keys.append((expr, desc, name not in DATE_COLUMNS))
        keys.append((D.ord, False, False))
        return keys

    @staticmethod
    def _ordering(keys: list[tuple[Any, bool, bool]]) -> list[Any]:
        out = []
        for expr, desc, nulls_last in keys:
            clause = expr.desc() if desc else expr.asc()
            out.append(clause.nullslast() if nulls_last else clause)
        return out

    def run(self, conn: sa.Connection) -> Results:
        self.since = self.conn.bitmaps.since()
        self.terms_from = self.conn.terms.oid
        self.compiled = self._compile(conn)
        where = self.compiled.where
        rank = self._rank_expr()
        keys = self._sort_keys(conn, rank)
        fast = [f for f in self.facet_fields if f in self.conn.settings.facet_fields]
        counts: Optional[Counter[int]] = None
        if not self.slice_rest and len(fast) == len(self.facet_fields):
            # Only slice conditions: counts are maintained, the page comes straight off an index.
            hits, counts = self._summary(conn)
            docs = [] if self.rows == 0 or hits <= self.start else self._docs(conn.execute(
                sa.select(self._page_docs(self._page(sa.select(*(
                    expr.label(f"k{i}") for i, (expr, _, _) in enumerate(keys))).where(where),
                    keys), rank)), execution_options=PREPARED).scalar())
        else:
            hits, docs, counts = self._one_pass(conn, where, keys, rank, bool(fast))
            if fast and counts is None:
                counts = self._complement(conn, where, hits, *self._summary(conn))
        facets = self._facets(conn, where, counts) if self.facet_fields else {}
        return Results(hits=hits, docs=docs, facets={"facet_fields": facets})

    def _compile(self, conn: sa.Connection) -> Compiled:
        """The request's condition: its slice as one ``SliceMatch``, the rest compiled."""
        rest = self.conn._compile_node(And(tuple(self.slice_rest)) if self.slice_rest
                                       else MatchAll(), conn)
        return Compiled(sa.and_(SliceMatch(self.slice), rest.where), rest.rank_terms)

    def _one_pass(self, conn: sa.Connection, where: sa.ColumnElement[bool],
                  keys: list[tuple[Any, bool, bool]], rank: Optional[sa.ColumnElement[Any]],
                  direct_facets: bool) -> tuple[int, list[dict[str, Any]], Optional[Counter[int]]]:
        """One scan of the matches: their number, the documents of the requested page, and —
        unless the matches are most of their slice (then the complement is cheaper) — the
        facet term counts, from the ordinals of all matches and the facet bitmaps."""
        total = (SliceMatch(self.slice, facet_count_table) if direct_facets and self.slice.values
                 else None)
        along = (READ_ALONG_BITMAPS.bindparams(**self.since) if direct_facets
                 else READ_ALONG_TERMS)
        row = conn.execute(OnePass(where, keys, [c for _, c in self._fields(rank)], self.rows,
                                   self.start, direct_facets, total, along),
                           execution_options=PREPARED).one()
        self._check_terms(row.term_oid)
        counts = None  # None with direct_facets: the complement is cheaper
        if direct_facets and row.matched is not None:
            view = self.conn.bitmaps.sync(conn, row, self.since)
            terms = self.conn.view_terms(conn, view, frozenset(self.facet_fields))
            counts = view.counts(row.matched, terms)
        return int(row.hits), self._docs(row.docs), counts

    def _check_terms(self, oid: int) -> None:
        """Check the term ids this search used against the term table's ``oid`` read in its
        transaction: raises ``_StaleTerms`` when they were cached from an older table."""
        self.conn._adopt_term_table(oid)
        if self.terms_from is not None and self.terms_from != oid:
            raise _StaleTerms()

    def _complement(self, conn: sa.Connection, where: sa.ColumnElement[bool], hits: int,
                    total: int, base: Counter[int]) -> Counter[int]:
        """Counts of matches that are most of their slice (``total`` documents, ``base`` their
        term counts, from ``_summary``): the slice's counts minus the counts of the slice's
        documents that do not match."""
        counts = Counter(base)
        if hits < total:
            slice_where = SliceMatch(self.slice)
            matched = sa.select(D.ord).where(where).scalar_subquery()
            counts.subtract(self._term_counts(conn, sa.and_(slice_where, D.ord.not_in(matched))))
        return counts

    def _page(self, keyed: sa.Select[Any], keys: list[tuple[Any, bool, bool]]
              ) -> tuple[sa.CTE, list[Any]]:
        """The requested page of ``keyed`` (sort keys as ``k0``…, ``ord`` last) as a CTE, and
        the page order on its columns."""
        page = (keyed.order_by(*self._ordering(keys)).limit(self.rows).offset(self.start)
                .cte("page"))
        return page, self._ordering([(page.c[f"k{i}"], desc, nulls)
                                     for i, (_, desc, nulls) in enumerate(keys)])

    def _page_docs(self, page: tuple[sa.CTE, list[Any]], rank: Optional[sa.ColumnElement[Any]]
                   ) -> sa.ColumnElement[Any]:
        """Select-list item ``docs``: the ``_fields()`` of the stored documents of ``page``
        (from ``_page``), in page order, as one ``PackedText``.
        The page's dataset dicts are returned as stored, with no JSON quoting on either side.
        The stored index document is read only when ``fl`` asks for a field without a column
        of its own (CKAN's own searches ask for ``id validated_data_dict``)."""
        cte, order = page
        ord_col = cte.c[f"k{len(cte.c) - 1}"]
        packed = PackedText([column for _, column in self._fields(rank)])
        return (sa.select(sa.func.string_agg(packed, pg.aggregate_order_by(sa.literal(""), *order)))
                .select_from(cte.join(doc_table, D.ord == ord_col))
                .scalar_subquery().label("docs"))

    def _fields(self, rank: Optional[sa.ColumnElement[Any]]) -> list[tuple[str, Any]]:
        """(name, column) of what a page returns per document for ``fl``."""
        wants_all = "*" in self.fl
        fields: list[tuple[str, Any]] = []
        if wants_all or any(f not in OWN_COLUMNS and f != "score" for f in self.fl):
            fields.append(("doc", D.doc))
        fields += [(f, OWN_COLUMNS[f]) for f in OWN_COLUMNS if f in self.fl or (
            wants_all and f in ("data_dict", "validated_data_dict"))]
        if "score" in self.fl:
            fields.append(("score", rank if rank is not None else sa.literal(1)))
        return fields

    def _docs(self, packed: Optional[str]) -> list[dict[str, Any]]:
        """The page's documents from ``_page_docs``."""
        names = [name for name, _ in self._fields(None)]
        values = unpack(packed or "")
        wants_all = "*" in self.fl
        docs = []
        for i in range(0, len(values), len(names)):
            fields = dict(zip(names, values[i:i + len(names)]))
            if fields.get("doc") is not None:
                fields["doc"] = json.loads(fields["doc"])
            if fields.get("score") is not None:
                fields["score"] = int(fields["score"])
            docs.append(self._doc(fields, wants_all))
        return docs

    def _summary(self, conn: sa.Connection) -> tuple[int, Counter[int]]:
        """How many documents the slice holds, and its facet term counts, from
        govcat_search_facet_count (no document is read). ``TOTAL_TERM`` is no term: it is
        never among the counts."""
        fc = facet_count_table.c
        rows = conn.execute(sa.select(fc.term_id, sa.func.sum(fc.n), sa.literal_column(TERM_OID)
                                      .label("term_oid"))
                            .where(SliceMatch(self.slice, facet_count_table))
                            .group_by(fc.term_id), execution_options=PREPARED).all()
        if rows:
            self._check_terms(rows[0].term_oid)
        counts = Counter({t: int(n) for t, n, _ in rows if n})
        return counts.pop(TOTAL_TERM, 0), counts

    def _term_counts(self, conn: sa.Connection, where: sa.ColumnElement[bool]) -> Counter[int]:
        terms = sa.select(sa.func.unnest(D.facet_terms).label("t")).where(where).subquery()
        stmt = sa.select(terms.c.t, sa.func.count()).group_by(terms.c.t)
        return Counter(dict(conn.execute(stmt).all()))

    def _facets(self, conn: sa.Connection, where: sa.ColumnElement[bool],
                counts: Optional[Counter[int]]) -> dict[str, list[Any]]:
        fast = [f for f in self.facet_fields if f in self.conn.settings.facet_fields]
        slow = [f for f in self.facet_fields if f not in fast]
        by_field: dict[str, dict[str, int]] = {f: {} for f in self.facet_fields}
        if fast:
            if counts is None:
                counts = self._term_counts(conn, where)
            pairs = self.conn.terms.pairs(conn, counts)
            wanted = set(fast)
            for term_id, n in counts.items():
                pair = pairs.get(term_id)
                if pair and pair[0] in wanted and n > 0:
                    by_field[pair[0]][pair[1]] = n
        for name in slow:
            by_field[name] = self._stored_counts(conn, where, name)
        out: dict[str, list[Any]] = {}
        for name, values in by_field.items():
            items = sorted(((v, n) for v, n in values.items() if n >= self.facet_mincount),
                           key=lambda item: (-item[1], item[0]))[: self.facet_limit]
            out[name] = [x for item in items for x in item]
        return out

    def _stored_counts(self, conn: sa.Connection, where: sa.ColumnElement[bool],
                       name: str) -> dict[str, int]:
        """Counts of a field that is not a facet field, read from the stored documents."""
        values = sa.func.jsonb_array_elements_text(sa.case(
            (sa.func.jsonb_typeof(D.doc[name]) == "array", D.doc[name]),
            else_=sa.func.jsonb_build_array(D.doc[name]),
        )).table_valued("v").render_derived()
        # A dataset counts once per value, however often the value repeats in it.
        stmt = (sa.select(values.c.v, sa.func.count(sa.distinct(D.ord))).select_from(doc_table)
                .join(values, sa.true()).where(where).where(D.doc.has_key(name))
                .group_by(values.c.v))
        return {v: n for v, n in conn.execute(stmt).all() if v is not None}

    def _doc(self, fields: dict[str, Any], wants_all: bool) -> dict[str, Any]:
        stored = dict(fields.pop("doc", None) or {})
        stored.update((k, v) for k, v in fields.items() if v is not None)
        if wants_all:
            return stored
        return {k: stored[k] for k in self.fl if k in stored}
