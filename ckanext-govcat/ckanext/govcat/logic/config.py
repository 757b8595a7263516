"""Typed accessors for the ``ckanext.govcat.catalog.*`` options (declared in
``catalog/config_declaration.yaml``)."""
from __future__ import annotations

from functools import lru_cache

from ckan.common import config

from ..catalog import standard as standard_mod
from ..catalog.standard import Standard

PREFIX = "ckanext.govcat.catalog."


def code_scheme() -> str:
    return str(config.get(PREFIX + "code_scheme"))


def import_max_rows() -> int:
    return int(config.get(PREFIX + "import_max_rows"))


def standard() -> Standard:
    """The catalog standard named by config (loaded once per distinct configuration)."""
    return _load(code_scheme(), str(config.get(PREFIX + "code_scheme_file")),
                 tuple(config.get(PREFIX + "classification_files")),
                 tuple(config.get(PREFIX + "vocabulary_files")),
                 tuple(config.get(PREFIX + "region_files")))


@lru_cache(maxsize=4)
def _load(scheme: str, scheme_file: str, classification: tuple[str, ...],
          vocabularies: tuple[str, ...], regions: tuple[str, ...]) -> Standard:
    return standard_mod.load(scheme=scheme, schemes=scheme_file, classification=classification,
                             vocabularies=vocabularies, regions=regions)
