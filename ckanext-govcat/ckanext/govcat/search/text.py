"""Text analysis for the search index: normalisation, Chinese segmentation, lexemes.

Pure Python (no CKAN imports). The same analysis runs at index time and at query time:

- ``normalize``: NFKC (full-width → half-width) and case folding.
- Chinese runs are segmented with rjieba (search mode at index time, precise mode at query
  time) with the domain user dictionary in ``schemas/search/userdict.txt``; every run is also
  indexed as overlapping character bigrams, so any two-character query (法人) finds every text
  containing it, whatever the segmenter decided at index time.
- Latin and digit runs are single lexemes. Identifiers (resource codes ``303026010201/1``,
  organisation codes) are kept whole and also split at ``/ - . _`` so that both the whole code
  and its parts match; query-side, identifier terms match by prefix.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Iterable, Iterator

import rjieba

# CJK Unified Ideographs (+ extension A and compatibility ideographs) and 〇.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[0-9a-z]+(?:[/\-._][0-9a-z]+)*")
_CJK_RE = re.compile(rf"^[{_CJK}]+$")
_ID_SPLIT_RE = re.compile(r"[/\-._]")
MAX_POSITION = 16383  # PostgreSQL's tsvector position limit

Weight = str  # "A" | "B" | "C" | "D"


def normalize(text: str) -> str:
    """Fold full-width forms to half-width (NFKC) and case-fold."""
    return unicodedata.normalize("NFKC", text).casefold()


@functools.lru_cache(maxsize=1)
def segmenter() -> rjieba.Jieba:
    """The process-wide segmenter, with the domain user dictionary loaded."""
    seg = rjieba.Jieba()
    for word in user_dictionary():
        seg.add_word(word, None, None)
    return seg


def user_dictionary() -> list[str]:
    """Domain terms from ``ckanext.govcat.schemas/search/userdict.txt``: a word a line, ``#`` comments."""
    text = resources.files("ckanext.govcat.schemas").joinpath("search/userdict.txt").read_text("utf-8")
    words = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(normalize(word.split()[0]))
    return words


def is_cjk(token: str) -> bool:
    return bool(_CJK_RE.match(token))


def bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def index_lexemes(text: str) -> Iterator[tuple[str, int]]:
    """(lexeme, position offset) pairs of ``text`` for the index.

    A Chinese run takes one position per character: its bigrams in order, and each
    segmenter word of three or more characters at the position of its first character, so a
    phrase matches as a chain of adjacent bigrams. Other tokens take one position each.
    """
    seg = segmenter()
    pos = 0
    for match in _TOKEN_RE.finditer(normalize(text)):
        token = match.group()
        if is_cjk(token):
            for i, gram in enumerate(bigrams(token)):
                yield gram, pos + i
            if len(token) > 1:  # every character starts some lexeme: 证 finds …人证
                yield token[-1], pos + len(token) - 1
            for word, start, _end in seg.tokenize(token, "search", True):
                if len(word) > 2:
                    yield word, pos + start
            pos += max(len(token) - 1, 1)
        else:
            yield token, pos
            if _ID_SPLIT_RE.search(token):
                for part in _ID_SPLIT_RE.split(token):
                    if part:
                        yield part, pos
            pos += 1


@dataclass(frozen=True)
class QueryTerm:
    """One query term: ``lexeme`` exactly or (``prefix``) as a prefix; a Chinese run of two or
    more characters matches as all of its ``bigrams`` (a substring match without a position
    check). ``words`` are the run's segmenter words, which rank the results."""

    lexeme: str
    prefix: bool = False
    bigrams: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


# Query fragments up to this long are segmented once per process (``query_terms``).
CACHED_FRAGMENT_CHARS = 100


def query_terms(text: str, *, prefix: bool = False) -> tuple[QueryTerm, ...]:
    """The terms of a free-text query fragment, each to be matched (all of them: AND).
    Short fragments are cached: a search segments each one for matching and for ranking,
    and portal searches repeat."""
    if len(text) <= CACHED_FRAGMENT_CHARS:
        return _cached_query_terms(text, prefix)
    return _query_terms(text, prefix)


@functools.lru_cache(maxsize=4096)
def _cached_query_terms(text: str, prefix: bool) -> tuple[QueryTerm, ...]:
    return _query_terms(text, prefix)


def _query_terms(text: str, prefix: bool) -> tuple[QueryTerm, ...]:
    seg = segmenter()
    terms: list[QueryTerm] = []
    for match in _TOKEN_RE.finditer(normalize(text)):
        token = match.group()
        if is_cjk(token):
            if len(token) == 1:
                terms.append(QueryTerm(token, prefix=True, words=(token,)))
            else:
                terms.append(QueryTerm(token, bigrams=tuple(dict.fromkeys(bigrams(token))),
                                       words=tuple(seg.cut(token, True))))
        else:
            ident = prefix or any(c.isdigit() for c in token)
            terms.append(QueryTerm(token, prefix=ident, words=(token,)))
    return tuple(terms)


def rank_words(text: str) -> list[str]:
    """The normalised words of a query that rank its results (segmenter words for Chinese)."""
    return [w for term in query_terms(text) for w in term.words]


def tsquery_lexeme(lexeme: str) -> str:
    """Quote a lexeme for tsquery/tsvector text input (the value is bound, never spliced into SQL)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def term_tsqueries(term: QueryTerm, weights: str = "") -> list[str]:
    """tsquery texts that together (ANDed) match one term, one per lexeme; ``weights``
    restricts them to fields of those weights."""
    label = f":{weights}" if weights else ""
    if term.prefix:
        return [f"{tsquery_lexeme(term.lexeme)}:*{weights}"]
    return [f"{tsquery_lexeme(lexeme)}{label}" for lexeme in term.bigrams or (term.lexeme,)]


def phrase_tsquery(text: str, weights: str = "") -> str:
    """A quoted phrase: its tokens at adjacent positions; Chinese runs as chains of bigrams."""
    label = f":{weights}" if weights else ""
    parts: list[str] = []
    for match in _TOKEN_RE.finditer(normalize(text)):
        token = match.group()
        if is_cjk(token) and len(token) == 1:
            parts.append(f"{tsquery_lexeme(token)}:*{weights}")
        elif is_cjk(token):
            parts.extend(f"{tsquery_lexeme(g)}{label}" for g in bigrams(token))
        else:
            parts.append(f"{tsquery_lexeme(token)}{label}")
    return " <-> ".join(parts)


def facet_lexeme(term_id: int) -> str:
    """The index lexeme of a facet term (``#`` + its id). Query text never produces it: query
    lexemes are CJK runs and ``[0-9a-z]`` tokens."""
    return f"#{term_id}"


def facet_tsvector(term_ids: Iterable[int]) -> str:
    """tsvector text of the positionless facet lexemes of ``term_ids``."""
    return " ".join(tsquery_lexeme(facet_lexeme(t)) for t in term_ids)


def build_tsvector(fields: Iterable[tuple[Weight, str]]) -> str:
    """tsvector text for weighted field texts; positions run on across fields, with a gap
    between fields so that no phrase spans two of them."""
    positions: dict[str, list[str]] = {}
    base = 1
    for weight, text in fields:
        last = -1
        for lexeme, offset in index_lexemes(text):
            last = max(last, offset)
            pos = min(base + offset, MAX_POSITION)
            entry = positions.setdefault(lexeme, [])
            if len(entry) < 256:
                entry.append(f"{pos}{weight}")
        base = min(base + last + 2, MAX_POSITION)
    return " ".join(f"{tsquery_lexeme(lex)}:{','.join(p)}" for lex, p in positions.items())
