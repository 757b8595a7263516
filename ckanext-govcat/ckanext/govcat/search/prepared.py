"""Server-side prepared statements for search statements on psycopg2.

PostgreSQL parses, analyses and plans every statement text it is sent: for a search statement,
hundreds of microseconds of a search taking a few milliseconds. A search shape's statement text
is the same from one search to the next (every value is bound), so the read engine prepares a
text once per database session (``PREPARE``) and from then on sends ``EXECUTE name(values)``
with the same bound values. Read sessions use generic plans (``backend.SEARCH_SETTINGS``), so a
prepared statement is not planned again either. (psycopg 3 prepares by itself; on the search
mix it was no faster than psycopg2 without preparing: its own cost per call ate the gain.)

Contract:
- only statements executed with the execution option ``PREPARE_OPTION`` are prepared, and only
  inside a transaction (the read engine's searches always run in one);
- a session keeps at most ``MAX_PREPARED`` of them; the least recently used is deallocated;
- a text PostgreSQL refuses to prepare (a parameter whose type it cannot infer) runs as it
  is, then and from then on in this process; the refused ``PREPARE`` is rolled back to a
  savepoint, so the transaction goes on. An operational error (connection lost, timeout)
  propagates as from any statement.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import psycopg2
import sqlalchemy as sa

log = logging.getLogger(__name__)

PREPARE_OPTION = "govcat_prepare"
MAX_PREPARED = 200
# Key of the prepared statement names (an OrderedDict, least recently used first) in the
# DBAPI connection's ``info``: they live as long as the database session.
_INFO_KEY = "govcat_prepared"
# psycopg2's "pyformat" placeholders, and its escaped percent sign.
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
# Statement texts PostgreSQL refused to prepare.
_refused: set[str] = set()


@dataclass(frozen=True)
class Shape:
    """A statement text as a prepared statement: its ``name``, the ``body`` to prepare (``$n``
    parameters) and the ``call`` that executes it (the original placeholders, in order)."""

    name: str
    body: str
    call: str


@functools.lru_cache(maxsize=1024)
def shape(statement: str) -> Shape:
    """The prepared form of a psycopg2 statement text (a placeholder used twice is one
    parameter)."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        placeholder = match.group(1)
        if placeholder is None:
            return "%"
        if placeholder not in names:
            names.append(placeholder)
        return f"${names.index(placeholder) + 1}"

    body = _PLACEHOLDER.sub(number, statement)
    name = "govcat_search_" + hashlib.blake2b(statement.encode(), digest_size=8).hexdigest()
    arguments = ", ".join(f"%({placeholder})s" for placeholder in names)
    return Shape(name, body, f"EXECUTE {name}({arguments})" if names else f"EXECUTE {name}")


def install(engine: sa.Engine) -> None:
    """Prepare the statements ``engine`` executes with ``PREPARE_OPTION``."""
    sa.event.listen(engine, "before_cursor_execute", _prepare, retval=True)


def _prepare(conn: sa.Connection, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> tuple[str, Any]:
    if (executemany or context is None or not context.execution_options.get(PREPARE_OPTION)
            or not conn.in_transaction() or statement in _refused
            or not isinstance(parameters, dict)):
        return statement, parameters
    prepared = shape(statement)
    names: OrderedDict[str, None] = conn.info.setdefault(_INFO_KEY, OrderedDict())
    if prepared.name in names:
        names.move_to_end(prepared.name)
        return prepared.call, parameters
    try:
        cursor.execute(f"SAVEPOINT govcat_prepare; PREPARE {prepared.name} AS {prepared.body}; "
                       "RELEASE SAVEPOINT govcat_prepare")
    except psycopg2.OperationalError:
        raise  # the connection or the server, not the statement (the search's retry handles it)
    except psycopg2.DatabaseError as e:
        cursor.execute("ROLLBACK TO SAVEPOINT govcat_prepare; RELEASE SAVEPOINT govcat_prepare")
        _refused.add(statement)
        log.warning("A search statement could not be prepared; it runs unprepared: %s",
                    str(e).strip().splitlines()[0])
        return statement, parameters
    names[prepared.name] = None
    if len(names) > MAX_PREPARED:
        oldest, _ = names.popitem(last=False)
        cursor.execute(f"DEALLOCATE {oldest}")
    return prepared.call, parameters
