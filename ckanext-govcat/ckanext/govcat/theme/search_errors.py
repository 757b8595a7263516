"""Why a search page could not search, told to the visitor (``govcat_theme``).

CKAN 2.12's dataset, organization and group pages catch the search error and only set
``query_error``; the reason is lost. :func:`govcat_search_error` finds it again the way the
search provider would: it parses ``q`` and every filter with ``govcat_search``'s parser,
compiles them (dates, ranges, prefixes; no database), and checks the sort. Each known reason
becomes one translatable sentence that says what is wrong and how to write it instead.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Optional, Union

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError
from ckan.lib.search.query import MAGIC_FIELD_RE, QUERY_PARSER_RE

from ..catalog.messages import N_
from ..search.compiler import COLUMN_FIELDS, DATE_COLUMNS, Compiler, FieldWeights
from ..search.parser import MAX_DEPTH, MAX_QUERY_LENGTH, QuerySyntaxError, parse

# Sort keys every dataset has (score, the title sort key, dates, document columns).
_ALWAYS_SORTABLE = {"score", "title_string", *DATE_COLUMNS, *COLUMN_FIELDS}
_SORT_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s+(asc|desc)\s*$", re.IGNORECASE)
_OPERATORS = {"AND", "OR", "NOT", "&&", "||"}

Explain = Callable[[re.Match[str]], str]


def _unexpected(m: re.Match[str]) -> str:
    token, pos = m["token"], m["pos"]
    if token == ")":
        return tk._('The closing parenthesis ")" at character {pos} has no matching "(".'
                    ).format(pos=pos)
    if token in _OPERATORS:
        return tk._('"{token}" at character {pos} needs a search term on each side.'
                    ).format(token=token, pos=pos)
    return tk._('"{token}" at character {pos} cannot be used here; to search for text that '
                'contains it, put the text in quotation marks.').format(token=token, pos=pos)


def _expected(m: re.Match[str]) -> str:
    if m["kind"] == "rparen":
        return tk._('A closing parenthesis ")" is missing: every "(" needs a matching ")".')
    if m["kind"] == "rbrack":
        return tk._('A range must end with "]" or "}", as in '
                    'metadata_modified:[2024-01-01T00:00:00Z TO *].')
    return tk._("A range is written field:[start TO end], as in "
                "metadata_modified:[2024-01-01T00:00:00Z TO *].")


# QuerySyntaxError messages of search/parser.py and search/compiler.py -> the visitor's words
# (a message, formatted with the pattern's groups, or a function of the match).
_SYNTAX_TABLE: list[tuple[str, Union[str, Explain]]] = [
    (r"^unclosed quote starting at position (?P<pos>\d+)$", N_(
        'The quotation mark at character {pos} is not closed: quotation marks come in pairs, '
        'as in "population statistics".')),
    (r"^expected (?P<kind>\w+) (at position \d+|at the end)$", _expected),
    (r"^unexpected '(?P<token>.+)' at position (?P<pos>\d+)$", _unexpected),
    (r"^unexpected character '(?P<token>.+)' at position (?P<pos>\d+)$", _unexpected),
    (r"^the query ends where a term was expected$", N_(
        'The search is incomplete: a search term is missing after AND, OR, NOT, "-" or "(".')),
    (r"^the query nests parentheses too deeply$", N_(
        "Parentheses are nested too deeply (at most {levels} levels).")),
    (r"^a range needs a field, at position (?P<pos>\d+)$", N_(
        "The range at character {pos} needs a field name before it, as in "
        "metadata_modified:[2024-01-01T00:00:00Z TO *].")),
    (r"^a range needs TO, at position (?P<pos>\d+)$", N_(
        "A range needs TO between its start and end, as in "
        "metadata_modified:[2024-01-01T00:00:00Z TO *].")),
    (r"^a range bound is missing$", N_(
        "A range needs a start and an end (* for no limit), as in "
        "metadata_modified:[2024-01-01T00:00:00Z TO *].")),
    (r"^'(?P<name>.+)' is not a field name \(position \d+\)$", N_(
        '"{name}" is not a field name; to search for text that contains ":", put the text in '
        'quotation marks.')),
    (r"^field '(?P<name>.+)' has no value$", N_(
        'The field "{name}:" has no value after it, as in title:population.')),
    (r"^unexpected '(?P<token>.+)' after (?P<name>.+): \(position (?P<pos>\d+)\)$", N_(
        'The field "{name}:" is followed by "{token}" (character {pos}); write a value after '
        'the colon, as in title:population.')),
    (r"^the query is longer than \d+ characters$", N_(
        "The search is too long (at most {length} characters).")),
    (r"^the query contains a NUL character$", N_(
        "The search contains a control character that cannot be searched for.")),
    (r"^cannot (read|round) the date '(?P<value>.*)'", N_(
        'The date "{value}" cannot be read: write dates as 2024-01-01 or '
        '2024-01-01T00:00:00Z (NOW and NOW-7DAYS also work).')),
    (r"^(?P<name>\S+) takes a date or a range, not a prefix$", N_(
        'The field "{name}" takes a date or a range of dates, not a prefix ending in *.')),
    (r"^(?P<name>\S+) does not take a range$", N_(
        'The field "{name}" does not take a range.')),
]
_SYNTAX = [(re.compile(pattern), explain) for pattern, explain in _SYNTAX_TABLE]


def explain_syntax(error: QuerySyntaxError) -> str:
    """The visitor's sentence for a parser or compiler error."""
    message = str(error)
    for pattern, explain in _SYNTAX:
        m = pattern.match(message)
        if m is None:
            continue
        if callable(explain):
            return explain(m)
        return tk._(explain).format(**m.groupdict(), levels=MAX_DEPTH,
                                    length=MAX_QUERY_LENGTH)
    return tk._("The search cannot be read ({detail}).").format(detail=message)


def _query_problem(text: str) -> Optional[str]:
    """Why ``text`` (``q`` or one ``fq``) cannot be searched, or None."""
    if QUERY_PARSER_RE.search(text):
        return tk._('Solr local parameters ("{!...}") are not supported.')
    if MAGIC_FIELD_RE.search(text):
        return tk._("The special fields _val_ and _query_ are not supported.")
    try:
        Compiler(FieldWeights({})).compile(parse(text))
    except QuerySyntaxError as e:
        return explain_syntax(e)
    return None


def _sortable(field: str) -> bool:
    """Whether the search provider sorts on ``field`` (some dataset has it)."""
    try:
        tk.get_action("package_search")(
            {"ignore_auth": True}, {"sort": f"{field} asc", "rows": 0, "facet": "false"})
    except SearchError:
        return False
    return True


def _sort_problem(sort: str) -> Optional[str]:
    for key in sort.split(","):
        if not key.strip():
            continue
        m = _SORT_KEY.match(key)
        if not m:
            return tk._('The sort order "{sort}" cannot be read; choose one from the '
                        '"Order by" list.').format(sort=sort)
        if m[1] not in _ALWAYS_SORTABLE and not _sortable(m[1]):
            return tk._('The results cannot be sorted by "{field}"; choose a sort order from '
                        'the "Order by" list.').format(field=m[1])
    return None


def govcat_search_error(q: Optional[str], fields: Optional[Iterable[Iterable[str]]] = None,
                        sort: Optional[str] = None) -> str:
    """Why the search page's search failed, for the visitor.

    ``q``: the search words; ``fields``: the page's filters as (name, value) pairs (CKAN turns
    each into the filter ``name:"value"``); ``sort``: the ``sort`` argument. The first problem
    found is told (search words, then filters, then sort); when none of them is wrong (the
    search timed out, the database is unavailable) a general sentence is returned.
    Example: ``h.govcat_search_error("title:(a")`` -> 'A closing parenthesis ")" is missing…'.
    """
    problem = _query_problem(q) if q and q.strip() else None
    if problem:
        return problem
    for name, value in fields or ():
        if _query_problem(f'{name}:"{value}"'):
            return tk._('The filter {name}: "{value}" cannot be searched for; remove it.'
                        ).format(name=name, value=value)
    problem = _sort_problem(sort) if sort else None
    return problem or tk._("The search could not be completed. Try fewer or simpler search "
                           "terms, or try again later.")
