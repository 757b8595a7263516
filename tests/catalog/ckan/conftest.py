"""CKAN-level catalog tests run with the catalog plugins and schemas switched on through the
``ckan_config`` mark (config/test.ini keeps the plain CKAN schema so that other suites can create
plain datasets with factories)."""
from __future__ import annotations

import pytest

from ckanext.govcat.logic.config import catalog_settings

# The portal's default language (config/govcat.ini): messages as a clerk reads them.
CATALOG_CONFIG = {**catalog_settings(), "ckan.locale_default": "zh_Hans_CN"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/catalog/ckan/" in str(item.path).replace("\\", "/"):
            explicit = {mark.args[0] for mark in item.iter_markers("ckan_config")}
            for key, value in CATALOG_CONFIG.items():
                if key not in explicit:  # a test's own ckan_config mark wins
                    item.add_marker(pytest.mark.ckan_config(key, value))


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Tests that touch CKAN run with plugins loaded again."""
