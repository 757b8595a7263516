"""Facet counting on posting bitmaps kept in the searching process.

Counting facet terms in SQL means unnesting every matched document's ``facet_terms`` and
hashing the elements: for ten thousand matches, about a hundred thousand elements per search.
``FacetBitmaps`` keeps, per process, one roaring bitmap (pyroaring) per facet term: the ``ord``
of every document carrying it. A search then only fetches the ords it matched, and each term's
count is the size of an intersection.

Contract: ``sync(conn, snapshot)`` runs inside the search's REPEATABLE READ transaction, before
the statement that matches documents, with ``snapshot`` read in that transaction
(``SNAPSHOT_COLUMNS``). The ``View`` it returns counts exactly what that snapshot holds:

- every document write records its transaction id (``govcat_search_doc.txid``);
- after a sync against snapshot S, every transaction below S's xmax and not in S's in-progress
  list is final, so the next sync re-reads only documents whose txid is in that list or at
  least that xmax;
- a deleted document's ord stays in the bitmaps, which is harmless: ords are never reused and
  no search matches a deleted document. A recreated table (new oid) means a full reload.

Views are immutable: a sync that finds changes builds new bitmaps, so a search counting on an
older view is never disturbed.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from pyroaring import BitMap, FrozenBitMap

# Select-list items that read what ``sync`` needs from the transaction's snapshot.
SNAPSHOT_COLUMNS = (
    "CAST('govcat_search_doc' AS regclass)::oid AS doc_oid, "
    "CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS text) AS bigint) AS xmax, "
    "ARRAY(SELECT CAST(CAST(x AS text) AS bigint) "
    "FROM pg_snapshot_xip(pg_current_snapshot()) x) AS xip"
)
# More changed documents than this since the last sync: reload everything instead.
FULL_RELOAD_ROWS = 5000


@dataclass(frozen=True)
class View:
    """Posting bitmaps as of one snapshot."""

    bitmaps: dict[int, FrozenBitMap]

    def counts(self, ords: Iterable[int], terms: Iterable[int]) -> Counter[int]:
        """How many of ``ords`` carry each of ``terms`` (terms with none are left out)."""
        matched = BitMap(ords)
        out: Counter[int] = Counter()
        for term in terms:
            bitmap = self.bitmaps.get(term)
            if bitmap is not None:
                n = matched.intersection_cardinality(bitmap)
                if n:
                    out[term] = n
        return out


class FacetBitmaps:
    """The process's bitmaps and how far they are up to date."""

    def __init__(self) -> None:
        self._view = View({})
        self._doc_oid: Optional[int] = None
        self._xmax = 0
        self._xip: list[int] = []
        self._lock = threading.Lock()

    def sync(self, conn: sa.Connection, snapshot: Any) -> View:
        """Bring the bitmaps to ``snapshot`` (a row with ``SNAPSHOT_COLUMNS``) and return them."""
        with self._lock:
            if snapshot.doc_oid != self._doc_oid:
                self._view = _load(conn)
            else:
                changed = conn.execute(sa.text(
                    "SELECT ord, facet_terms FROM govcat_search_doc "
                    "WHERE txid >= :xmax OR txid = ANY(CAST(:xip AS bigint[]))"),
                    {"xmax": self._xmax, "xip": self._xip}).all()
                if len(changed) > FULL_RELOAD_ROWS:
                    self._view = _load(conn)
                elif changed:
                    self._view = _apply(self._view, changed)
            self._doc_oid = snapshot.doc_oid
            self._xmax = int(snapshot.xmax)
            self._xip = [int(x) for x in snapshot.xip or ()]
            return self._view


def _load(conn: sa.Connection) -> View:
    rows = conn.execute(sa.text(
        "SELECT t, array_agg(ord) FROM govcat_search_doc, unnest(facet_terms) t GROUP BY t"))
    return View({int(term): FrozenBitMap(ords) for term, ords in rows})


def _apply(view: View, changed: list[Any]) -> View:
    """A new view: the changed documents' ords taken out of every bitmap, then added to the
    bitmaps of the terms they carry now. Bitmaps the change does not touch are shared."""
    moved = BitMap(int(row[0]) for row in changed)
    added: dict[int, list[int]] = {}
    for ord_, terms in changed:
        for term in terms or ():
            added.setdefault(int(term), []).append(int(ord_))
    bitmaps = dict(view.bitmaps)
    for term, old in view.bitmaps.items():
        if term not in added and old.intersect(moved):
            bitmaps[term] = old - moved
    for term, ords in added.items():
        bitmap = BitMap(view.bitmaps.get(term, ()))
        bitmap -= moved
        bitmap.update(ords)
        bitmaps[term] = FrozenBitMap(bitmap)
    return View(bitmaps)
