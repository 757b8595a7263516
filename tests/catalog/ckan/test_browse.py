"""Facets in the search index, the tree with counts, and the catalog pages."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan.tests.helpers import call_action

from .helpers import department, resource_dict

FILE_RESOURCE = dict(format_class="电子文件", format_type="pdf", data_items=[])


@pytest.fixture
def catalog(clean_db):
    audit = department(name="audit", title="审计厅")
    civil = department(name="civil", title="民政厅", provider_code="12130000MB12345603")
    made = [
        call_action("package_create", **resource_dict(audit)),
        call_action("package_create", **resource_dict(
            audit, title="审计计划", resource_code="303026010201/2", share_type="无条件共享",
            share_condition="", open_type="否", open_condition="", publish_date="2019-01-02")),
        call_action("package_create", **resource_dict(
            audit, title="审计署通报", classification="303026", resource_code="303026/1",
            share_type="不予共享", share_condition="《保密法》", share_method_class="",
            share_method_type="", open_type="否", open_condition="", **FILE_RESOURCE)),
        call_action("package_create", **resource_dict(
            civil, title="社会救助对象", classification="203002", resource_code="203002/1",
            open_type="无条件开放", open_condition="无条件")),
    ]
    return {"audit": audit, "civil": civil, "datasets": made}


def _facet(result, name):
    return {i["name"]: i["count"] for i in result["search_facets"][name]["items"]}


class TestIndexFacets:
    def test_every_catalog_field_is_facetable(self, catalog):
        fields = ["class_1", "class_2", "class_3", "department", "share_type", "open_type",
                  "format_class", "update_cycle", "publish_year"]
        result = call_action("package_search", q="", rows=0, **{"facet.field": fields})
        assert _facet(result, "class_1") == {"3": 3, "2": 1}
        assert _facet(result, "class_2") == {"303": 3, "203": 1}
        assert _facet(result, "class_3") == {"303026": 3, "203002": 1}
        assert _facet(result, "department") == {"audit": 3, "civil": 1}
        assert _facet(result, "share_type") == {"conditional": 2, "unconditional": 1, "none": 1}
        assert _facet(result, "open_type") == {"conditional": 1, "closed": 2, "unconditional": 1}
        assert _facet(result, "format_class") == {"database": 3, "file": 1}
        assert _facet(result, "update_cycle") == {"yearly": 4}
        assert _facet(result, "publish_year") == {"2017": 3, "2019": 1}

    def test_filter_by_class_and_open_type(self, catalog):
        result = call_action("package_search", fq='class_2:"303" AND open_type:closed')
        assert sorted(r["title"] for r in result["results"]) == ["审计署通报", "审计计划"]

    def test_classification_names_are_searchable(self, catalog):
        result = call_action("package_search", q="社会保障")
        assert [r["title"] for r in result["results"]] == ["社会救助对象"]


class TestCatalogTree:
    def test_counts_at_every_node(self, catalog):
        tree = call_action("govcat_catalog_tree")
        nodes = {}

        def walk(children):
            for node in children:
                nodes[node["code"]] = node["count"]
                walk(node["children"])

        walk(tree["children"])
        assert tree["total"] == 4 and tree["unclassified"] == 0
        assert nodes["3"] == 3 and nodes["303"] == 3 and nodes["303026"] == 3
        assert nodes["30302601"] == 2 and nodes["303026010201"] == 2
        assert nodes["2"] == 1 and nodes["203002"] == 1 and nodes["1"] == 0

    def test_share_and_open_views(self, catalog):
        share = call_action("govcat_catalog_tree", view="share")
        assert share["total"] == 3 and [c["count"] for c in share["children"]] == [0, 1, 2]
        opened = call_action("govcat_catalog_tree", view="open")
        assert opened["total"] == 2
        dept = call_action("govcat_catalog_tree", organization="civil")
        assert dept["total"] == 1

    def test_next_code(self, catalog):
        from ckan.tests import factories

        user = factories.Sysadmin()
        result = call_action("govcat_catalog_next_code", context={"user": user["name"]},
                             classification="303026010201")
        assert result == {"code": "303026010201/3", "code_scheme": "national-1272"}
        result = call_action("govcat_catalog_next_code", context={"user": user["name"]},
                             classification="303026", code_scheme="hebei-draft")
        assert result["code"] == "3030260000000000/00001"

    def test_next_code_auth_and_errors(self, catalog):
        import ckan.plugins.toolkit as tk
        from ckan.tests import factories

        with pytest.raises(tk.NotAuthorized):
            call_action("govcat_catalog_next_code", context={"user": "", "ignore_auth": False},
                        classification="303026010201")
        editor = factories.User()
        call_action("organization_member_create", id="audit", username=editor["name"],
                    role="editor")
        assert call_action("govcat_catalog_next_code", context={"user": editor["name"],
                                                                "ignore_auth": False},
                           classification="303026010201")["code"] == "303026010201/3"
        with pytest.raises(tk.ValidationError, match="不存在"):
            call_action("govcat_catalog_next_code", classification="999")


class TestPages:
    def test_tree_page_shows_counts(self, app, catalog):
        soup = BeautifulSoup(app.get("/catalog/").body, "html.parser")
        assert soup.select_one("#govcat-total").text == "4"
        node = soup.select_one('li[data-code="303026"] > .govcat-count')
        assert node.text == "3"
        open_page = BeautifulSoup(app.get("/catalog/open").body, "html.parser")
        assert open_page.select_one("#govcat-total").text == "2"

    def test_departments_page(self, app, catalog):
        soup = BeautifulSoup(app.get("/catalog/departments").body, "html.parser")
        rows = [[td.text.strip() for td in tr.select("td")]
                for tr in soup.select("#govcat-departments tbody tr")]
        assert ["审计厅", "11130000MB00000017", "政府", "130000", "3"] in rows

    def test_dataset_page_shows_elements_in_order(self, app, catalog):
        pkg = catalog["datasets"][0]
        soup = BeautifulSoup(app.get(f"/dataset/{pkg['name']}").body, "html.parser")
        heads = [th.text.strip() for th in soup.select("#govcat-core-elements > tbody > tr > th")]
        assert heads[0].startswith("1 信息资源分类") and heads[-1].startswith("13 关联资源代码")
        assert len(heads) == 13
        items = [[td.text.strip() for td in tr.select("td")]
                 for tr in soup.select("#govcat-data-items tbody tr")]
        assert items[0][:4] == ["1", "报告名称", "C 字符型", "200"]
        assert "依申请开放" in soup.select_one("#govcat-core-elements").text
