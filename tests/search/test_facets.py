"""``facet.field``, ``facet.limit``, ``facet.mincount``: counts over the whole matched set."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .helpers import as_user, facet, search

FIELDS = ["organization", "groups", "tags", "res_format", "license_id", "theme"]


@pytest.fixture(scope="class")
def catalog(class_clean_db):
    """Five datasets over two organisations and two groups; one of them private."""
    member = factories.User(name="facet-member")
    org1 = factories.Organization(name="org-one", title="Org One",
                                  users=[{"name": member["name"], "capacity": "member"}])
    org2 = factories.Organization(name="org-two")
    g1 = factories.Group(name="group-one")
    g2 = factories.Group(name="group-two")
    csv = {"url": "http://x/a.csv", "format": "CSV"}
    factories.Dataset(
        name="d1", owner_org=org1["id"], groups=[{"id": g1["id"]}, {"id": g2["id"]}],
        tags=[{"name": "alpha"}, {"name": "beta"}], license_id="cc-by",
        resources=[dict(csv, name="data"), dict(csv, name="data"),
                   {"url": "http://x/a.json", "format": "JSON", "name": "api"}],
        extras=[{"key": "theme", "value": "economy"}])
    factories.Dataset(
        name="d2", owner_org=org1["id"], groups=[{"id": g1["id"]}], tags=[{"name": "alpha"}],
        license_id="cc-by", resources=[dict(csv, name="table")],
        extras=[{"key": "theme", "value": "economy"}])
    factories.Dataset(
        name="d3", owner_org=org1["id"], tags=[{"name": "gamma"}], license_id="odc-odbl",
        extras=[{"key": "theme", "value": "society"}])
    factories.Dataset(
        name="d4", owner_org=org2["id"], tags=[{"name": "alpha"}], license_id="cc-by",
        resources=[{"url": "http://x/b.xlsx", "format": "XLSX", "name": "sheet"}])
    factories.Dataset(
        name="d5-private", owner_org=org1["id"], private=True, tags=[{"name": "alpha"}],
        license_id="odc-odbl", resources=[dict(csv, name="secret")],
        extras=[{"key": "theme", "value": "economy"}])
    return member


@pytest.mark.usefixtures("catalog")
class TestFacetCounts:
    def test_every_kind_of_field(self):
        result = search(**{"facet.field": FIELDS})
        assert facet(result, "organization") == {"org-one": 3, "org-two": 1}
        assert facet(result, "groups") == {"group-one": 2, "group-two": 1}
        assert facet(result, "tags") == {"alpha": 3, "beta": 1, "gamma": 1}
        assert facet(result, "res_format") == {"CSV": 2, "JSON": 1, "XLSX": 1}
        assert facet(result, "license_id") == {"cc-by": 3, "odc-odbl": 1}
        assert facet(result, "theme") == {"economy": 2, "society": 1}

    def test_a_dataset_counts_once_per_value(self):
        # d1 has two CSV resources named "data": still one dataset for each value.
        result = search(q="name:d1", **{"facet.field": ["res_format", "res_name"]})
        assert facet(result, "res_format") == {"CSV": 1, "JSON": 1}
        assert facet(result, "res_name") == {"data": 1, "api": 1}

    def test_counts_cover_the_whole_matched_set_not_the_page(self):
        result = search(rows=1, **{"facet.field": ["tags"]})
        assert len(result["results"]) == 1
        assert facet(result, "tags") == {"alpha": 3, "beta": 1, "gamma": 1}

    def test_counts_follow_q_and_fq(self):
        result = search(q="tags:alpha", fq="organization:org-one",
                        **{"facet.field": ["tags", "groups"]})
        assert facet(result, "tags") == {"alpha": 2, "beta": 1}
        assert facet(result, "groups") == {"group-one": 2, "group-two": 1}

    def test_no_match_gives_empty_facets(self):
        result = search(q="nothing-matches-this", **{"facet.field": ["tags"]})
        assert facet(result, "tags") == {}

    def test_facet_field_as_json_text(self):
        result = search(**{"facet.field": '["license_id"]'})
        assert facet(result, "license_id") == {"cc-by": 3, "odc-odbl": 1}

    def test_search_facets_carry_display_names(self):
        result = search(**{"facet.field": ["organization"]})
        items = {i["name"]: i for i in result["search_facets"]["organization"]["items"]}
        assert items["org-one"]["display_name"] == "Org One"
        assert items["org-one"]["count"] == 3


@pytest.mark.usefixtures("catalog")
class TestFacetPermissions:
    def test_anonymous_counts_leave_out_private_datasets(self):
        result = search(as_user(None), include_private=True, **{"facet.field": FIELDS})
        assert facet(result, "organization") == {"org-one": 3, "org-two": 1}
        assert facet(result, "license_id") == {"cc-by": 3, "odc-odbl": 1}

    def test_member_counts_include_their_private_datasets(self, catalog):
        result = search(as_user(catalog), include_private=True, **{"facet.field": FIELDS})
        assert facet(result, "organization") == {"org-one": 4, "org-two": 1}
        assert facet(result, "tags") == {"alpha": 4, "beta": 1, "gamma": 1}
        assert facet(result, "res_format") == {"CSV": 3, "JSON": 1, "XLSX": 1}
        assert facet(result, "theme") == {"economy": 3, "society": 1}

    def test_non_member_counts_leave_out_private_datasets(self):
        outsider = factories.User()
        result = search(as_user(outsider), include_private=True, **{"facet.field": ["tags"]})
        assert facet(result, "tags") == {"alpha": 3, "beta": 1, "gamma": 1}


@pytest.mark.usefixtures("catalog")
class TestFacetLimits:
    def test_limit_keeps_the_most_frequent_values(self):
        result = search(**{"facet.field": ["tags"], "facet.limit": 1})
        assert facet(result, "tags") == {"alpha": 3}

    def test_limit_breaks_count_ties_by_value(self):
        result = search(**{"facet.field": ["tags"], "facet.limit": 2})
        assert facet(result, "tags") == {"alpha": 3, "beta": 1}

    def test_mincount(self):
        result = search(**{"facet.field": ["tags", "theme"], "facet.mincount": 2})
        assert facet(result, "tags") == {"alpha": 3}
        assert facet(result, "theme") == {"economy": 2}

    def test_values_come_most_frequent_first(self):
        result = search(**{"facet.field": ["res_format"]})
        assert list(result["facets"]["res_format"])[0] == "CSV"


class TestFacetLimitAll:
    def test_minus_one_returns_every_value(self, clean_db):
        org = factories.Organization()
        factories.Dataset(owner_org=org["id"],
                          tags=[{"name": f"tag{i:03d}"} for i in range(60)])
        default = search(**{"facet.field": ["tags"]})
        everything = search(**{"facet.field": ["tags"], "facet.limit": -1})
        assert len(default["facets"]["tags"]) == 50  # search.facets.limit
        assert len(everything["facets"]["tags"]) == 60
        assert set(everything["facets"]["tags"].values()) == {1}
