"""The demo content and the portal config, checked without a running portal (pure, fast): every
demo dataset passes the catalog rules the portal applies, and the config switches the catalog on
the way ``catalog_settings()`` says."""
from __future__ import annotations

import configparser
from collections import Counter
from typing import Any

import pytest

from ckanext.govcat.catalog import rules, uscc
from ckanext.govcat.catalog import standard as standard_mod
from ckanext.govcat.catalog.standard import Standard
from ckanext.govcat.launcher.config import template_text
from ckanext.govcat.launcher.demo import dataset_dict, demo_content
from ckanext.govcat.logic.config import catalog_settings


@pytest.fixture(scope="module")
def portal_config() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(template_text())
    return parser["app:main"]


@pytest.fixture(scope="module")
def standard(portal_config: configparser.SectionProxy) -> Standard:
    """The standard the portal loads: its code scheme, the shipped data files."""
    return standard_mod.load(scheme=portal_config["ckanext.govcat.catalog.code_scheme"])


@pytest.fixture(scope="module")
def content() -> dict[str, Any]:
    return demo_content()


def records(content: dict[str, Any], standard: Standard) -> list[dict[str, Any]]:
    """Normalised catalog records of the demo datasets as ``package_create`` receives them, with
    provider and provider code taken from the department (what the schema's validator does)."""
    departments = {org["name"]: org for org in content["organizations"]}
    out = []
    for entry in content["datasets"]:
        department = departments[entry["organization"]]
        record = dict(dataset_dict(entry), provider=department["title"],
                      provider_code=department["provider_code"])
        out.append(rules.normalise(record, standard))
    return out


class TestPortalConfig:
    def test_catalog_plugins_in_the_order_catalog_settings_gives(
            self, portal_config: configparser.SectionProxy):
        plugins = portal_config["ckan.plugins"].split()
        wanted = catalog_settings()["ckan.plugins"].split()
        assert [name for name in plugins if name in wanted] == wanted
        assert {"govcat_theme", "datastore", "harvest", "tracking"} <= set(plugins)

    def test_scheming_settings_are_catalog_settings(
            self, portal_config: configparser.SectionProxy):
        for key, value in catalog_settings().items():
            if key != "ckan.plugins":
                assert portal_config[key] == value, key

    def test_chinese_pages_in_beijing_time(self, portal_config: configparser.SectionProxy):
        """The launcher's and the production image's pages: Chinese first, Beijing time, no
        Gravatar (unreachable for many visitors), no "groups" facet (the catalog tree
        classifies)."""
        assert portal_config["ckan.locale_default"] == "zh_Hans_CN"
        assert portal_config["ckan.display_timezone"] == "Asia/Shanghai"
        assert portal_config["ckan.gravatar_default"] == "disabled"
        assert "groups" not in portal_config["search.facets"].split()


class TestDemoContent:
    def test_every_dataset_passes_the_catalog_rules(self, content: dict[str, Any],
                                                    standard: Standard):
        normal = records(content, standard)
        errors = {(entry["name"], issue.message)
                  for entry, record in zip(content["datasets"], normal)
                  for issue in rules.check(record, standard) if issue.is_error}
        errors |= {(content["datasets"][row.index]["name"], row.issue.message)
                   for row in rules.check_batch(normal) if row.issue.is_error}
        assert not errors, sorted(errors)

    def test_every_dataset_has_items_with_type_and_length_rules(
            self, content: dict[str, Any], standard: Standard):
        for record in records(content, standard):
            assert record["data_items"], record["name"]
            for item in record["data_items"]:
                if item["data_type"] in ("C", "N"):
                    assert item["length"], (record["name"], item)

    def test_tables_are_described_by_their_data_items(self, content: dict[str, Any]):
        tables = [entry for entry in content["datasets"] if entry.get("table")]
        assert len(tables) >= 15
        for entry in tables:
            assert [f["id"] for f in entry["table"]["fields"]] == [
                i["name"] for i in entry["data_items"]], entry["name"]

    def test_departments_carry_valid_codes(self, content: dict[str, Any], standard: Standard):
        assert len(content["organizations"]) == 12
        codes = [org["provider_code"] for org in content["organizations"]]
        assert len(set(codes)) == len(codes)
        for org in content["organizations"]:
            assert uscc.problem(org["provider_code"]) is None, org["name"]
            assert uscc.is_government(org["provider_code"])
            assert standard.regions.problem(org["region_code"]) is None
            assert standard.vocabularies["department_class"].lookup(org["department_class"])

    def test_categories_and_open_types_are_spread(self, content: dict[str, Any],
                                                  standard: Standard):
        normal = records(content, standard)
        assert len(normal) >= 50
        assert set(Counter(r["classification"][0] for r in normal)) == {"1", "2", "3"}
        open_types = Counter(r["open_type"] for r in normal)
        assert open_types["unconditional"] > len(normal) / 2
        assert open_types["conditional"] >= 5 and open_types["closed"] >= 2
        with_table = [r for r, e in zip(normal, content["datasets"]) if e.get("table")]
        assert any(r["open_type"] == "conditional" for r in with_table)
