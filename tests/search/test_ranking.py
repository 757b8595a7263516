"""Relevance: a match in the title ranks above tags and classification, above the description,
above resource names; equal relevance falls back to metadata_modified, newest first."""
from __future__ import annotations

import time

import pytest

from ckan.tests import factories, helpers

from .helpers import names, search


@pytest.fixture
def org(clean_db):
    return factories.Organization()


def ranked(q: str, **params) -> list[str]:
    """Names in the default order (score desc, metadata_modified desc)."""
    return names(search(q=q, rows=100, **params))


class TestFieldWeights:
    def test_title_tags_notes_resource_names(self, org):
        # Created best-last so that newest-first alone would give the reverse order.
        factories.Dataset(name="in-resource", owner_org=org["id"], title="Budget",
                          resources=[{"url": "http://x/r.csv", "name": "Forest survey"}])
        factories.Dataset(name="in-notes", owner_org=org["id"], title="Budget",
                          notes="A forest inventory")
        factories.Dataset(name="in-tags", owner_org=org["id"], title="Budget",
                          tags=[{"name": "forest"}])
        factories.Dataset(name="in-title", owner_org=org["id"], title="Forest cover")
        expected = ["in-title", "in-tags", "in-notes", "in-resource"]
        assert ranked("forest") == expected
        # Created in the opposite order, the ranking is the same.
        for name in reversed(expected):
            helpers.call_action("package_patch", id=name, version="2")
            time.sleep(0.01)
        assert ranked("forest") == expected

    def test_classification_group_ranks_above_notes(self, org):
        group = factories.Group(name="forest", title="Forest")
        factories.Dataset(name="in-notes", owner_org=org["id"], title="Budget",
                          notes="About the forest")
        factories.Dataset(name="in-group", owner_org=org["id"], title="Budget",
                          groups=[{"id": group["id"]}])
        factories.Dataset(name="in-title", owner_org=org["id"], title="Forest roads")
        assert ranked("forest") == ["in-title", "in-group", "in-notes"]

    def test_chinese_title_ranks_above_chinese_notes(self, org):
        factories.Dataset(name="in-notes", owner_org=org["id"], title="年度报告",
                          notes="包括企业法人登记的统计")
        factories.Dataset(name="in-title", owner_org=org["id"], title="企业法人登记信息")
        factories.Dataset(name="in-resource", owner_org=org["id"], title="年度报告",
                          resources=[{"url": "http://x/r.csv", "name": "法人登记表"}])
        assert ranked("法人登记") == ["in-title", "in-notes", "in-resource"]

    def test_explicit_score_sort_is_the_same_ranking(self, org):
        factories.Dataset(name="in-notes", owner_org=org["id"], title="Budget",
                          notes="forest")
        factories.Dataset(name="in-title", owner_org=org["id"], title="Forest")
        assert names(search(q="forest", sort="score desc")) == ["in-title", "in-notes"]
        assert names(search(q="forest", sort="score asc")) == ["in-notes", "in-title"]


class TestTies:
    def test_equal_matches_newest_modified_first(self, org):
        for name in ("first", "second", "third"):
            factories.Dataset(name=name, owner_org=org["id"], title="River levels")
            time.sleep(0.01)
        assert ranked("river") == ["third", "second", "first"]
        helpers.call_action("package_patch", id="first", notes="updated")
        assert ranked("river") == ["first", "third", "second"]

    def test_match_all_is_newest_modified_first(self, org):
        for name in ("first", "second"):
            factories.Dataset(name=name, owner_org=org["id"])
            time.sleep(0.01)
        assert ranked("") == ["second", "first"]
        helpers.call_action("package_patch", id="first", notes="x")
        assert ranked("") == ["first", "second"]
