"""The bridge's seams into CKAN exist where it expects them, and lead to GovCat's backend."""
from __future__ import annotations

import importlib

import pytest

import ckan
import ckan.lib.search as search
from ckan.lib.dictization import model_dictize

from ckanext.govcat.search import bridge
from ckanext.govcat.search.backend import PostgresConnection


class TestSeams:
    def test_checked_against_this_ckan(self):
        assert ckan.__version__ == bridge.CHECKED_CKAN_VERSION, (
            "CKAN changed: re-check every seam in ckanext/govcat/search/bridge.py, then bump "
            "CHECKED_CKAN_VERSION")

    def test_every_seam_exists_and_is_routed(self):
        for module_name, attr in bridge.SEAMS:
            module = importlib.import_module(module_name)
            assert hasattr(module, attr), f"{module_name}.{attr} moved: update the bridge"
        assert search._INDICES["package"] is bridge.GovcatPackageSearchIndex
        assert search._QUERIES["package"] is bridge.GovcatPackageSearchQuery
        assert search.PackageSearchQuery is bridge.GovcatPackageSearchQuery
        assert search.check_solr_schema_version is bridge.check_schema_version
        for name in ("ckan.lib.search.common", "ckan.lib.search.index", "ckan.lib.search.query",
                     bridge.HARVEST_MODULE):
            assert importlib.import_module(name).make_connection is bridge.make_connection
        harvest = importlib.import_module(bridge.HARVEST_MODULE)
        assert harvest.PackageSearchIndex is bridge.GovcatPackageSearchIndex

    def test_model_dictize_reaches_the_seam_by_module_attribute(self):
        # model_dictize calls ``search.PackageSearchQuery()`` through the module object.
        assert model_dictize.search is search

    @pytest.mark.usefixtures("clean_db")
    def test_connection_is_postgres(self):
        assert isinstance(bridge.make_connection(), PostgresConnection)
        assert search.is_available()
