"""The fixed query mix, and the naive baseline that answers it without any index."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Iterable

import sqlalchemy as sa

from . import corpus
from .env import FACET_FIELDS

NAIVE_TABLE = "bench_naive"
FACET_LIMIT = 50
ROWS = 20
# Naive-table column of each facet field; array columns are unnested.
NAIVE_COLUMNS = {"organization": "organization", "tags": "tags", "res_format": "res_format",
                 "share_type": "share_type", "open_type": "open_type",
                 "update_cycle": "update_cycle"}
ARRAY_COLUMNS = {"tags", "res_format"}


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]
    filters: tuple[tuple[str, str], ...] = ()
    label: str = ""

    @property
    def q(self) -> str:
        return " ".join(self.words)

    @property
    def fq(self) -> str:
        return " ".join(f'{name}:"{value}"' for name, value in self.filters)

    def describe(self) -> str:
        text = f"q={self.q or '*:*'}"
        if self.filters:
            text += f"  fq={self.fq}"
        return text + (f"  [{self.label}]" if self.label else "")

    def package_search(self) -> dict[str, Any]:
        """The ``package_search`` parameters of a portal search page."""
        params: dict[str, Any] = {"q": self.q, "rows": ROWS, "facet.field": list(FACET_FIELDS),
                                  "facet.limit": FACET_LIMIT}
        if self.filters:
            params["fq"] = self.fq
        return params


def query_mix(seed: int = corpus.SEED) -> list[Query]:
    """53 queries: 1-3 Chinese words (or none: ``*:*``), a third of them with 1-2 facet filters."""
    rng = random.Random(seed)
    base: list[tuple[tuple[str, ...], str]] = [
        ((), "match all, 6 facets"),
        ((corpus.EVERY_WORD,), "matches every dataset"),
        (("量子纠缠",), "no hits"),
        (("统一社会信用代码",), ""),
        (("省公安厅",), "department"),
    ]
    base += [((w,), "") for w in rng.sample(corpus.SUBJECTS, 12)]
    base += [((w,), "") for w in rng.sample(corpus.WORDS, 8)]
    base += [((w,), "") for w in rng.sample(corpus.REGIONS, 4)]
    for _ in range(10):
        base.append(((rng.choice(corpus.REGIONS), rng.choice(corpus.SUBJECTS + corpus.WORDS)), ""))
    for _ in range(6):
        base.append(((rng.choice(corpus.WORDS), rng.choice(corpus.SUBJECTS)), ""))
    for _ in range(6):
        base.append(((rng.choice(corpus.REGIONS), rng.choice(corpus.WORDS),
                      rng.choice(corpus.SUFFIXES)), ""))
    base.append(((corpus.EVERY_WORD, "数据"), "two very common words"))
    base.append(((corpus.EVERY_WORD,), "every dataset + filter"))
    pools = {
        "organization": [name for name, _ in corpus.DEPARTMENTS],
        "share_type": corpus.SHARE_TYPES, "open_type": corpus.OPEN_TYPES,
        "update_cycle": corpus.UPDATE_CYCLES, "res_format": ["CSV", "XLSX", "JSON", "PDF"],
        "tags": corpus.TAGS,
    }
    out: list[Query] = []
    for i, (words, label) in enumerate(base):
        filters: tuple[tuple[str, str], ...] = ()
        if i % 3 == 2 or label == "every dataset + filter":
            names = rng.sample(sorted(pools), rng.choice([1, 1, 2]))
            filters = tuple((n, rng.choice(pools[n])) for n in names)
        out.append(Query(words, filters, label))
    return out


# -- the naive baseline -----------------------------------------------------------------------

def create_naive_table(conn: sa.Connection) -> None:
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {NAIVE_TABLE}"))
    conn.execute(sa.text(
        f"CREATE TABLE {NAIVE_TABLE} (id text, title text, description text, organization text, "
        "tags text[], res_format text[], share_type text, open_type text, update_cycle text, "
        "metadata_modified timestamp)"))


def naive_rows(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": d["id"], "title": d["title"], "description": d["notes"],
             "organization": d["organization"], "tags": d["tags"], "res_format": d["res_format"],
             "share_type": d["share_type"], "open_type": d["open_type"],
             "update_cycle": d["update_cycle"], "metadata_modified": d["metadata_modified"][:-1]}
            for d in docs]


def insert_naive(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(sa.text(
        f"INSERT INTO {NAIVE_TABLE} VALUES (:id, :title, :description, :organization, "
        ":tags, :res_format, :share_type, :open_type, :update_cycle, "
        "CAST(:metadata_modified AS timestamp))"), rows)


def naive_statement(query: Query) -> tuple[sa.TextClause, dict[str, Any]]:
    """count + top 20 by modified + 6 facet counts, with ILIKE over title and description.

    One scan of the table (a materialised CTE) serves every part, which favours the baseline.
    Identifiers come from the fixed tables above; every value is a bound parameter.
    """
    params: dict[str, Any] = {}
    conds = []
    for k, word in enumerate(query.words):
        params[f"w{k}"] = f"%{word}%"
        conds.append(f"(title ILIKE :w{k} OR description ILIKE :w{k})")
    for k, (name, value) in enumerate(query.filters):
        column = NAIVE_COLUMNS[name]
        params[f"f{k}"] = value
        conds.append(f":f{k} = ANY({column})" if name in ARRAY_COLUMNS else f"{column} = :f{k}")
    where = " AND ".join(conds) or "true"
    facets = []
    for name in FACET_FIELDS:
        column = NAIVE_COLUMNS[name]
        value = f"unnest(m.{column})" if name in ARRAY_COLUMNS else f"m.{column}"
        facets.append(
            f"(SELECT json_agg(json_build_array(v, n)) FROM (SELECT {value} AS v, count(*) AS n "
            f"FROM m GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {FACET_LIMIT}) x) AS f_{name}")
    sql = (f"WITH m AS MATERIALIZED (SELECT * FROM {NAIVE_TABLE} WHERE {where}) "
           "SELECT (SELECT count(*) FROM m) AS hits, "
           f"(SELECT array_agg(id) FROM (SELECT id FROM m ORDER BY metadata_modified DESC "
           f"LIMIT {ROWS}) t) AS top, " + ", ".join(facets))
    return sa.text(sql), params


def run_naive(conn: sa.Connection, query: Query) -> int:
    stmt, params = naive_statement(query)
    return int(conn.execute(stmt, params).mappings().one()["hits"])
