"""Facet counting on posting bitmaps kept in the searching process.

Counting facet terms in SQL means unnesting every matched document's ``facet_terms`` and
hashing the elements: for ten thousand matches, about a hundred thousand elements per search.
``FacetBitmaps`` keeps, per process, one roaring bitmap (pyroaring) per facet term: the ``ord``
of every document carrying it. A search then only fetches the ords it matched, and each term's
count is the size of an intersection. Beside the bitmaps it keeps the same postings per
document (``TermLists``): a few thousand matches are counted faster by gathering their
documents' terms and counting those (one numpy gather and bincount), since a bitmap
intersection per term costs about the same however few documents matched.

Contract: ``sync(conn, snapshot, since)`` runs inside the search's REPEATABLE READ transaction
(one snapshot for all its statements), with ``snapshot`` read in that transaction
(``SNAPSHOT_COLUMNS`` and ``CHANGES_COLUMN``, bound to ``since()`` read before it; the search
reads them with the statement that matches documents). The ``View`` it returns counts exactly
what that snapshot holds:

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
from typing import Any, Iterable, Mapping, Optional

import numpy as np
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
# Select-list item: the documents written since the last sync, [[ord, facet_terms], …] or
# null, at most FULL_RELOAD_ROWS + 1 of them; the parameters come from ``since()``. Read with
# the snapshot, it saves the search a round trip.
CHANGES_COLUMN = (
    "(SELECT json_agg(json_build_array(ord, facet_terms)) FROM (SELECT ord, facet_terms "
    "FROM govcat_search_doc WHERE txid >= :sync_xmax "
    "OR txid = ANY(CAST(:sync_xip AS bigint[])) LIMIT :sync_limit) c) AS changes"
)


# At most this many matches are counted on the term lists (at 200,000 documents: 0.08 ms for
# 1,400 matches where 250 bitmap intersections take 0.5 ms; at 50,000 matches 2.9 ms against
# 0.8 ms), more on the bitmaps.
GATHER_LIMIT = 5000
# Documents changed since the term lists were built are kept beside them; past this many, the
# lists are rebuilt (20-35 ms at 200,000 documents, 1.8 million postings).
CHANGED_LIMIT = 2000


@dataclass(frozen=True)
class TermLists:
    """Per ord, the facet terms of its document: ``terms[start[o]:start[o + 1]]``. Ords at or
    past ``len(start) - 1`` carry none. Immutable; shared by the views built on it."""

    start: np.ndarray  # int64, one more than the ords covered
    terms: np.ndarray  # int32

    @classmethod
    def of(cls, bitmaps: Mapping[int, FrozenBitMap]) -> "TermLists":
        """The lists that hold exactly the postings of ``bitmaps``."""
        columns = {term: np.frombuffer(bitmap.to_array(), dtype=np.uint32).astype(np.int64)
                   for term, bitmap in bitmaps.items() if bitmap}
        size = max((int(ords[-1]) for ords in columns.values()), default=-1) + 1
        per_ord = np.zeros(size, dtype=np.int64)
        for ords in columns.values():
            per_ord[ords] += 1  # a bitmap holds each ord once
        start = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(per_ord, out=start[1:])
        free = start[:-1].copy()
        terms = np.empty(int(start[-1]), dtype=np.int32)
        for term, ords in columns.items():
            terms[free[ords]] = term
            free[ords] += 1
        return cls(start, terms)

    def tally(self, ords: np.ndarray) -> np.ndarray:
        """Per term id (the index), how many of ``ords`` (distinct, each below
        ``len(start) - 1``) carry it."""
        first = self.start[ords]
        lengths = self.start[ords + 1] - first
        ends = np.cumsum(lengths)
        positions = np.repeat(first - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)
        return np.bincount(self.terms[positions])


@dataclass(frozen=True)
class View:
    """Posting bitmaps as of one snapshot; ``lists`` holds the same postings per document,
    except for the documents in ``changed`` (ord -> its terms now), which hold them there."""

    bitmaps: dict[int, FrozenBitMap]
    lists: TermLists
    changed: Mapping[int, tuple[int, ...]]
    changed_ords: np.ndarray  # the keys of ``changed``

    @classmethod
    def of(cls, bitmaps: dict[int, FrozenBitMap]) -> "View":
        return cls(bitmaps, TermLists.of(bitmaps), {}, np.empty(0, dtype=np.int64))

    def counts(self, ords: Iterable[int], terms: Iterable[int]) -> Counter[int]:
        """How many of ``ords`` (distinct) carry each of ``terms`` (terms with none are left
        out)."""
        ords = ords if isinstance(ords, list) else list(ords)
        if len(ords) > GATHER_LIMIT:
            matched = BitMap(ords)
            present = [(term, bitmap) for term in terms
                       if (bitmap := self.bitmaps.get(term)) is not None]
            sizes = map(matched.intersection_cardinality, [bitmap for _, bitmap in present])
            return Counter({term: n for (term, _), n in zip(present, sizes) if n})
        wanted = np.fromiter(terms, dtype=np.int64)
        found = np.array(ords, dtype=np.int64)
        later: list[int] = []
        if self.changed:
            newer = np.isin(found, self.changed_ords)
            later = found[newer].tolist()
            found = found[~newer]
        tally = self.lists.tally(found[found < len(self.lists.start) - 1])
        inside = wanted[wanted < len(tally)]
        sizes = tally[inside]
        counts = Counter(dict(zip(inside[sizes > 0].tolist(), sizes[sizes > 0].tolist())))
        if later:
            asked = set(wanted.tolist())
            counts.update(t for ord_ in later for t in self.changed[ord_] if t in asked)
        return counts


class FacetBitmaps:
    """The process's bitmaps and how far they are up to date."""

    def __init__(self) -> None:
        self._view = View.of({})
        self._doc_oid: Optional[int] = None
        self._xmax = 0
        self._xip: list[int] = []
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._doc_oid is not None

    def since(self) -> dict[str, Any]:
        """Parameters of ``CHANGES_COLUMN``: where the last sync left off (nothing is read
        before the first load)."""
        return {"sync_xmax": self._xmax, "sync_xip": list(self._xip),
                "sync_limit": FULL_RELOAD_ROWS + 1 if self.loaded else 0}

    def sync(self, conn: sa.Connection, snapshot: Any, since: dict[str, Any]) -> View:
        """Bring the bitmaps to ``snapshot`` (a row with ``SNAPSHOT_COLUMNS`` and
        ``CHANGES_COLUMN`` read with ``since``) and return them."""
        with self._lock:
            if snapshot.doc_oid != self._doc_oid:
                self._view = _load(conn)
            else:
                changed = snapshot.changes or []
                if since != self.since():
                    # Another thread synced in between: read what changed since its sync.
                    changed = conn.execute(sa.text(f"SELECT {CHANGES_COLUMN}"),
                                           self.since()).scalar() or []
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
    return View.of({int(term): FrozenBitMap(ords) for term, ords in rows})


def _apply(view: View, changed: list[Any]) -> View:
    """A new view: the changed documents' ords taken out of every bitmap, then added to the
    bitmaps of the terms they carry now. Bitmaps the change does not touch are shared; so are
    the term lists, with the changed documents beside them until there are too many."""
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
    now = dict(view.changed)
    now.update((int(ord_), tuple(int(t) for t in terms or ())) for ord_, terms in changed)
    if len(now) > CHANGED_LIMIT:
        return View.of(bitmaps)
    return View(bitmaps, view.lists, now, np.fromiter(now, dtype=np.int64, count=len(now)))
