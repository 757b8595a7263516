"""The catalog standard in force: tree, vocabularies, code scheme and region list, loaded from
data files. Callers build one with :func:`load` (the CKAN plugin does it from config)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from . import data
from .codes import CodeScheme, load_schemes
from .region import Regions
from .tree import ClassificationTree
from .vocab import Vocabularies

DEFAULT_CLASSIFICATION = ("catalog/classification.yaml", "catalog/classification-local.yaml")
DEFAULT_VOCABULARIES = ("catalog/vocabularies.yaml",)
DEFAULT_SCHEMES = "catalog/code_schemes.yaml"
DEFAULT_REGIONS = ("catalog/regions.yaml",)


@dataclass
class Standard:
    tree: ClassificationTree
    vocabularies: Vocabularies
    schemes: Mapping[str, CodeScheme]
    scheme: CodeScheme
    regions: Regions
    # Census columns that must be numbers (R20); order of the template (REFERENCE §8).
    census_fields: tuple[str, ...] = field(default=(
        "census_storage_total", "census_records_total", "census_shared_storage",
        "census_shared_records", "census_open_storage", "census_open_records"))

    def scheme_named(self, name: str) -> CodeScheme:
        try:
            return self.schemes[name]
        except KeyError:
            raise ValueError(f"unknown code scheme {name!r}; known: {', '.join(self.schemes)}") \
                from None


def load(scheme: str = "national-1272",
         classification: Iterable[str] = DEFAULT_CLASSIFICATION,
         vocabularies: Iterable[str] = DEFAULT_VOCABULARIES,
         schemes: str = DEFAULT_SCHEMES,
         regions: Iterable[str] = DEFAULT_REGIONS) -> Standard:
    """Build the standard from data-file references (see :func:`data.load`). Later vocabulary
    files replace whole vocabularies of earlier ones; classification files add nodes."""
    tree = ClassificationTree()
    for ref in classification:
        tree.extend(data.load(ref) or [])
    vocab_data: dict = {}
    for ref in vocabularies:
        vocab_data.update(data.load(ref) or {})
    region_names: dict = {}
    for ref in regions:
        region_names.update(data.load(ref) or {})
    all_schemes = load_schemes(data.load(schemes))
    if scheme not in all_schemes:
        raise ValueError(f"unknown code scheme {scheme!r}; known: {', '.join(all_schemes)}")
    return Standard(tree=tree, vocabularies=Vocabularies.from_data(vocab_data),
                    schemes=all_schemes, scheme=all_schemes[scheme], regions=Regions(region_names))
