"""The bridge's seams into CKAN exist where it expects them, and lead to GovCat's backend."""
from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

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
        for name in ("ckan.lib.search.common", "ckan.lib.search.index", "ckan.lib.search.query"):
            assert importlib.import_module(name).make_connection is bridge.make_connection
        assert importlib.import_module("ckan.lib.search.index").PackageSearchIndex is \
            bridge.GovcatPackageSearchIndex

    def test_harvest_binds_the_patched_names(self):
        # Read, not imported: importing ckanext-harvest changes CKAN's model in this process.
        spec = importlib.util.find_spec(bridge.HARVEST_MODULE)
        assert spec and spec.origin, "ckanext-harvest is not installed"
        tree = ast.parse(Path(spec.origin).read_text("utf-8"))
        imported = {(node.module, alias.name) for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) for alias in node.names}
        for module_name, name in bridge.HARVEST_IMPORTS:
            assert (module_name, name) in imported, f"{bridge.HARVEST_MODULE} no longer imports {name}"
            assert getattr(importlib.import_module(module_name), name) is getattr(
                bridge, "make_connection" if name == "make_connection" else "GovcatPackageSearchIndex")

    def test_model_dictize_reaches_the_seam_by_module_attribute(self):
        # model_dictize calls ``search.PackageSearchQuery()`` through the module object.
        assert model_dictize.search is search

    @pytest.mark.usefixtures("clean_db")
    def test_connection_is_postgres(self):
        assert isinstance(bridge.make_connection(), PostgresConnection)
        assert search.is_available()
