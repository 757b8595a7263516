"""CKAN-level catalog tests run with the catalog plugins and schemas switched on through the
``ckan_config`` mark (config/test.ini keeps the plain CKAN schema so that other suites can create
plain datasets with factories)."""
from __future__ import annotations

import pytest

from ckanext.govcat.logic.config import catalog_settings

CATALOG_CONFIG = catalog_settings()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/catalog/ckan/" in str(item.path).replace("\\", "/"):
            for key, value in CATALOG_CONFIG.items():
                item.add_marker(pytest.mark.ckan_config(key, value))


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Tests that touch CKAN run with plugins loaded again."""
