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


def catalog_settings() -> dict[str, str]:
    """CKAN settings that switch the catalog on: plugin order (govcat before scheming, so its
    templates win), the scheming schemas and presets (the search room's declared facet fields
    and weights already cover the catalog's index keys). Config templates, tests and the
    benchmark use these."""
    return {
        "ckan.plugins": "govcat_search govcat scheming_datasets scheming_organizations",
        "scheming.dataset_schemas": "ckanext.govcat.schemas:dataset.yaml",
        "scheming.organization_schemas": "ckanext.govcat.schemas:organization.yaml",
        "scheming.presets": "ckanext.scheming:presets.json ckanext.govcat.schemas:presets.yaml",
    }
