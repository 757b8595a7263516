"""Controlled vocabularies with synonyms (REFERENCE §4), loaded from ``vocabularies.yaml``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from .text import clean, match_key


@dataclass(frozen=True)
class Term:
    value: str
    label: str
    code: Optional[str] = None
    synonyms: tuple[str, ...] = ()
    extension: bool = False
    attrs: Mapping[str, Any] = field(default_factory=dict)


class Vocabulary:
    """One controlled list. ``lookup`` accepts the stored value, the label, the numeric code or any
    synonym, compared by :func:`match_key`."""

    def __init__(self, name: str, label: str, terms: Iterable[Term], open: bool = False) -> None:
        self.name = name
        self.label = label
        self.open = open
        self.terms: tuple[Term, ...] = tuple(terms)
        self._by_value = {t.value: t for t in self.terms}
        self._index: dict[str, Term] = {}
        for term in self.terms:
            keys = [term.value, term.label, *term.synonyms] + ([term.code] if term.code else [])
            for key in keys:
                existing = self._index.setdefault(match_key(key), term)
                if existing is not term:
                    raise ValueError(f"vocabulary {name}: {key!r} names both "
                                     f"{existing.value!r} and {term.value!r}")

    def lookup(self, raw: object) -> Optional[Term]:
        if raw is None:
            return None
        return self._index.get(match_key(raw))

    def get(self, value: str) -> Optional[Term]:
        return self._by_value.get(value)

    def label_of(self, value: object) -> str:
        term = self._by_value.get(clean(value))
        return term.label if term else clean(value)

    def values(self) -> list[str]:
        return [t.value for t in self.terms]

    def choices(self) -> list[dict[str, str]]:
        return [{"value": t.value, "label": t.label} for t in self.terms]


class Vocabularies:
    def __init__(self, vocabularies: Mapping[str, Vocabulary]) -> None:
        self._all = dict(vocabularies)

    def __getitem__(self, name: str) -> Vocabulary:
        try:
            return self._all[name]
        except KeyError:
            raise KeyError(f"unknown vocabulary {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._all

    def names(self) -> list[str]:
        return list(self._all)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Vocabularies":
        built = {}
        for name, spec in data.items():
            terms = []
            for raw in spec["terms"]:
                raw = dict(raw)
                terms.append(Term(
                    value=str(raw.pop("value")),
                    label=str(raw.pop("label")),
                    code=str(raw.pop("code")) if raw.get("code") is not None else None,
                    synonyms=tuple(str(s) for s in raw.pop("synonyms", ()) or ()),
                    extension=bool(raw.pop("extension", False)),
                    attrs=raw,
                ))
            built[name] = Vocabulary(name, str(spec.get("label", name)), terms,
                                     bool(spec.get("open", False)))
        return cls(built)
