"""CKAN-level catalog tests run with the catalog plugins and schemas switched on through the
``ckan_config`` mark (config/test.ini keeps the plain CKAN schema so that other suites can create
plain datasets with factories)."""
from __future__ import annotations

import pytest

from ckanext.govcat.logic.index import FACET_KEYS

# govcat comes before scheming so its templates take precedence (the dataset page override).
CATALOG_CONFIG = {
    "ckan.plugins": "govcat_search govcat scheming_datasets scheming_organizations",
    "scheming.dataset_schemas": "ckanext.govcat.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.govcat.schemas:organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.govcat.schemas:presets.yaml",
    "ckanext.govcat.search.facet_fields":
        "organization groups tags res_format license_id classification " + " ".join(FACET_KEYS),
    "ckanext.govcat.search.field_weights":
        "title:A name:A tags:B groups:B organization:B notes:C res_name:D res_description:D "
        "classification_names:B data_item_names:C",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/catalog/ckan/" in str(item.path).replace("\\", "/"):
            for key, value in CATALOG_CONFIG.items():
                item.add_marker(pytest.mark.ckan_config(key, value))


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Tests that touch CKAN run with plugins loaded again."""
