"""``sort``, ``rows`` (capped by ``ckan.search.rows_max``), ``start`` and ``fl``."""
from __future__ import annotations

import time

import pytest

from ckan.tests import factories, helpers

from .helpers import names, search


@pytest.fixture
def shelf(clean_db):
    """Five datasets created in the order d-0 … d-4, with titles and extras out of that order."""
    org = factories.Organization()
    spec = [("d-0", "Charlie", "cc-by", "2021-05-01", "b"),
            ("d-1", "Alpha", "odc-odbl", "2023-01-15", "a"),
            ("d-2", "Echo", "cc-by", "2019-12-31", "c"),
            ("d-3", "Bravo", "odc-odbl", "2022-07-04", "a"),
            ("d-4", "Delta", "cc-by", "2020-02-29", "b")]
    for name, title, license_id, released, rank in spec:
        factories.Dataset(name=name, title=title, owner_org=org["id"], license_id=license_id,
                          extras=[{"key": "release_date", "value": released},
                                  {"key": "rank", "value": rank}])
        time.sleep(0.01)
    return org


def sorted_names(sort: str, **params) -> list[str]:
    return names(search(sort=sort, rows=100, **params))


@pytest.mark.usefixtures("shelf")
class TestSortKeys:
    def test_title_string(self):
        # Alpha, Bravo, Charlie, Delta, Echo: the order of the titles, not of creation.
        expected = ["d-1", "d-3", "d-0", "d-4", "d-2"]
        assert sorted_names("title_string asc") == expected
        assert sorted_names("title_string desc") == expected[::-1]

    def test_name(self):
        assert sorted_names("name asc") == ["d-0", "d-1", "d-2", "d-3", "d-4"]
        assert sorted_names("name desc") == ["d-4", "d-3", "d-2", "d-1", "d-0"]

    def test_metadata_created(self):
        assert sorted_names("metadata_created asc") == ["d-0", "d-1", "d-2", "d-3", "d-4"]
        assert sorted_names("metadata_created desc") == ["d-4", "d-3", "d-2", "d-1", "d-0"]

    def test_metadata_modified_follows_updates(self):
        helpers.call_action("package_patch", id="d-1", notes="touched")
        assert sorted_names("metadata_modified desc") == ["d-1", "d-4", "d-3", "d-2", "d-0"]
        assert sorted_names("metadata_created desc") == ["d-4", "d-3", "d-2", "d-1", "d-0"]

    def test_custom_date_field(self):
        assert sorted_names("release_date asc") == ["d-2", "d-4", "d-0", "d-3", "d-1"]

    def test_indexed_string_field(self):
        assert sorted_names("license_id desc, name asc") == ["d-1", "d-3", "d-0", "d-2", "d-4"]

    def test_several_keys_break_ties_in_order(self):
        assert sorted_names("rank asc, metadata_created desc") == [
            "d-3", "d-1", "d-4", "d-0", "d-2"]
        assert sorted_names("rank desc,name desc") == ["d-2", "d-4", "d-0", "d-3", "d-1"]

    def test_sort_is_applied_after_filtering(self):
        assert sorted_names("name desc", fq="license_id:cc-by") == ["d-4", "d-2", "d-0"]

    def test_result_reports_the_sort_used(self):
        assert search(sort="name asc")["sort"] == "name asc"

    def test_default_sort_is_newest_first_without_a_query(self):
        assert names(search(rows=100)) == ["d-4", "d-3", "d-2", "d-1", "d-0"]


class TestScoreSort:
    def test_score_puts_better_matches_first_and_ties_by_modified(self, clean_db):
        org = factories.Organization()
        factories.Dataset(name="notes-match", owner_org=org["id"], title="Rainfall",
                          notes="harbour records")
        factories.Dataset(name="title-old", owner_org=org["id"], title="Harbour traffic")
        factories.Dataset(name="title-new", owner_org=org["id"], title="Harbour traffic")
        result = search(q="harbour", sort="score desc, metadata_modified desc")
        assert names(result) == ["title-new", "title-old", "notes-match"]
        helpers.call_action("package_patch", id="title-old", notes="")
        result = search(q="harbour", sort="score desc, metadata_modified desc")
        assert names(result) == ["title-old", "title-new", "notes-match"]


@pytest.mark.usefixtures("shelf")
class TestPaging:
    def test_pages_partition_the_sorted_results(self):
        pages = [search(sort="name asc", rows=2, start=start) for start in (0, 2, 4)]
        assert [names(p) for p in pages] == [["d-0", "d-1"], ["d-2", "d-3"], ["d-4"]]
        assert {p["count"] for p in pages} == {5}

    def test_start_beyond_the_end(self):
        result = search(start=10)
        assert result["count"] == 5
        assert result["results"] == []

    def test_rows_zero_counts_only(self):
        result = search(rows=0, **{"facet.field": ["license_id"]})
        assert result["count"] == 5
        assert result["results"] == []
        assert dict(result["facets"]["license_id"]) == {"cc-by": 3, "odc-odbl": 2}

    def test_rows_default_is_ten(self, shelf):
        for i in range(7):
            factories.Dataset(name=f"more-{i}", owner_org=shelf["id"])
        result = search()
        assert result["count"] == 12
        assert len(result["results"]) == 10

    @pytest.mark.ckan_config("ckan.search.rows_max", 3)
    def test_rows_is_capped_by_rows_max(self):
        result = search(rows=100, sort="name asc")
        assert result["count"] == 5
        assert names(result) == ["d-0", "d-1", "d-2"]


@pytest.mark.usefixtures("shelf")
class TestFieldList:
    def test_fl_returns_only_those_fields(self):
        result = search(fl=["id", "name"], sort="name asc", rows=2)
        assert [set(r) for r in result["results"]] == [{"id", "name"}, {"id", "name"}]
        assert [r["name"] for r in result["results"]] == ["d-0", "d-1"]
        dataset = helpers.call_action("package_show", id="d-0")
        assert result["results"][0]["id"] == dataset["id"]

    def test_fl_single_field(self):
        result = search(fl=["name"], sort="name asc", rows=2)
        assert result["results"] == [{"name": "d-0"}, {"name": "d-1"}]

    def test_fl_as_text(self):
        result = search(fl="name,title", sort="name asc", rows=1)
        assert result["results"] == [{"name": "d-0", "title": "Charlie"}]

    def test_field_values_come_back_exactly(self):
        """Page documents travel as length-prefixed texts: values that look like the framing
        (digits, colons, ``-:``) and empty or missing values come back as they were."""
        org = factories.Organization()
        factories.Dataset(name="framing", title="3:-:标题:12:", notes="", owner_org=org["id"])
        result = search(q="name:framing", fl="name,title,notes,author")
        assert result["results"] == [
            {"name": "framing", "title": "3:-:标题:12:", "notes": "", "author": None}]

    def test_blank_fl_is_every_stored_field(self):
        from ckanext.govcat.search import bridge

        docs = bridge.make_connection().search(q="name:d-0", fl=" ").docs
        assert docs[0]["name"] == "d-0" and "validated_data_dict" in docs[0]

    def test_without_fl_results_are_full_dataset_dicts(self):
        result = search(sort="name asc", rows=1)
        shown = helpers.call_action("package_show", id="d-0")
        got = result["results"][0]
        for key in ("id", "name", "title", "license_id", "organization", "extras", "resources"):
            assert got[key] == shown[key], key
