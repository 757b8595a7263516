"""The ckanext-harvest seams: harvest imports ``PackageSearchIndex`` and ``make_connection`` by
name, and clears a source's datasets with a Solr delete query."""
from __future__ import annotations

import importlib

import pytest

from ckan.common import config
from ckan.tests import factories, helpers

from .helpers import found

HARVEST_UPDATE = "ckanext.harvest.logic.action.update"


def harvest_update():
    return importlib.import_module(HARVEST_UPDATE)


def harvest_delete_query(source_id: str) -> str:
    """The query harvest_source_index_clear sends, spaces and all."""
    return ''' +%s:"%s" +site_id:"%s" ''' % ("harvest_source_id", source_id,
                                             config.get("ckan.site_id"))


def index_through_harvest(name: str) -> None:
    """Index a dataset the way harvest_source_reindex does (default and custom schema dicts)."""
    dataset = helpers.call_action("package_show", id=name)
    dataset["with_custom_schema"] = dict(dataset)
    harvest_update().PackageSearchIndex().index_package(dataset)


class TestSeamsResolveToGovcat:
    def test_harvest_names_are_the_govcat_ones(self):
        from ckanext.govcat.search import bridge

        module = harvest_update()
        assert module.PackageSearchIndex is bridge.GovcatPackageSearchIndex
        assert module.make_connection is bridge.make_connection
        assert isinstance(module.make_connection(), type(bridge.make_connection()))


class TestHarvestSourceClear:
    @pytest.fixture
    def harvested(self, clean_db):
        org = factories.Organization()
        for name, source in [("x-one", "source-x"), ("x-two", "source-x"),
                             ("y-one", "source-y"), ("local", None)]:
            extras = [{"key": "harvest_source_id", "value": source}] if source else []
            factories.Dataset(name=name, owner_org=org["id"], extras=extras)
        return org

    def test_delete_query_removes_exactly_that_sources_datasets(self, harvested):
        harvest_update().make_connection().delete(q=harvest_delete_query("source-x"))
        assert found(include_private=True, include_drafts=True) == {"y-one", "local"}
        assert found(fq='harvest_source_id:"source-y"') == {"y-one"}

    def test_delete_query_for_an_unknown_source_removes_nothing(self, harvested):
        harvest_update().make_connection().delete(q=harvest_delete_query("source-z"))
        assert found() == {"x-one", "x-two", "y-one", "local"}

    def test_delete_query_keeps_other_sites_documents(self, harvested, ckan_config,
                                                      monkeypatch):
        other = factories.Dataset(name="elsewhere", owner_org=harvested["id"],
                                  extras=[{"key": "harvest_source_id", "value": "source-x"}])
        monkeypatch.setitem(ckan_config, "ckan.site_id", "other-site")
        index_through_harvest(other["name"])
        module = harvest_update()
        monkeypatch.setitem(ckan_config, "ckan.site_id", "govcat-test")
        module.make_connection().delete(q=harvest_delete_query("source-x"))
        remaining = module.make_connection().search(
            q="*:*", fq=['+site_id:"other-site"'], fl="name")
        assert [d["name"] for d in remaining.docs] == ["elsewhere"]
        assert found() == {"y-one", "local"}

    def test_reindex_through_the_harvest_index_class(self, harvested):
        conn = harvest_update().make_connection()
        conn.delete(q=harvest_delete_query("source-y"))
        assert "y-one" not in found()
        index_through_harvest("y-one")
        assert found(fq='harvest_source_id:"source-y"') == {"y-one"}
