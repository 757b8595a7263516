"""Organization and group dataset counts, the pages that show them, and package_show, all
answered through the search index."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers


def _build_portal() -> dict:
    """org-a: 2 public + 1 private + 1 draft; org-b: 1 public; grp: 2 public + 1 private."""
    member = factories.User(name="a-member")
    org_a = factories.Organization(name="org-a", title="Org A",
                                   users=[{"name": member["name"], "capacity": "member"}])
    org_b = factories.Organization(name="org-b", title="Org B")
    group = factories.Group(name="grp", title="The Group")
    in_group = [{"id": group["id"]}]
    factories.Dataset(name="a-1", title="企业法人登记信息", owner_org=org_a["id"], groups=in_group)
    factories.Dataset(name="a-2", title="Road works", owner_org=org_a["id"], groups=in_group)
    factories.Dataset(name="a-private", title="Secret roads", owner_org=org_a["id"],
                      private=True, groups=in_group)
    factories.Dataset(name="a-draft", title="Draft roads", owner_org=org_a["id"], state="draft")
    factories.Dataset(name="b-1", title="Budget", owner_org=org_b["id"])
    return {"member": member, "token": factories.APIToken(user=member["name"])["token"]}


@pytest.fixture(scope="class")
def portal(class_clean_db):
    """The portal, shared by the tests of a class that only read it."""
    return _build_portal()


@pytest.fixture
def fresh_portal(clean_db):
    """The portal, for one test that changes it."""
    return _build_portal()


def api(app, action: str, token: str | None = None, **params) -> dict:
    headers = {"Authorization": token} if token else {}
    body = app.get(f"/api/3/action/{action}", query_string=params, headers=headers).json
    assert body["success"] is True
    return body["result"]


def page_text(app, url: str) -> str:
    response = app.get(url)
    assert response.status_code == 200
    return " ".join(BeautifulSoup(response.body, "html.parser").get_text(" ").split())


class TestOrganizationCounts:
    def test_organization_show_counts_public_datasets_for_anonymous(self, app, portal):
        result = api(app, "organization_show", id="org-a", include_dataset_count="true")
        assert result["package_count"] == 2

    def test_organization_show_counts_private_datasets_for_members(self, app, portal):
        result = api(app, "organization_show", token=portal["token"], id="org-a",
                     include_dataset_count="true")
        assert result["package_count"] == 3

    def test_organization_show_lists_its_datasets(self, portal):
        result = helpers.call_action("organization_show", id="org-b", include_datasets=True)
        assert [d["name"] for d in result["packages"]] == ["b-1"]

    def test_organization_list_all_fields(self, app, portal):
        result = api(app, "organization_list", all_fields="true")
        assert {o["name"]: o["package_count"] for o in result} == {"org-a": 2, "org-b": 1}

    def test_organization_list_sorted_by_count(self, app, portal):
        result = api(app, "organization_list", sort="package_count desc")
        assert result == ["org-a", "org-b"]


class TestGroupCounts:
    def test_group_list_all_fields(self, app, portal):
        result = api(app, "group_list", all_fields="true")
        assert {g["name"]: g["package_count"] for g in result} == {"grp": 2}

    def test_group_show(self, app, portal):
        assert api(app, "group_show", id="grp")["package_count"] == 2


class TestPages:
    def test_organization_index_page_shows_counts(self, app, portal):
        text = page_text(app, "/organization/")
        assert re.search(r"Org A .*2 Datasets", text), text
        assert re.search(r"Org B .*1 Dataset", text), text

    def test_organization_page_lists_its_datasets(self, app, portal):
        text = page_text(app, "/organization/org-a")
        assert "2 datasets found" in text
        assert "Road works" in text
        assert "Secret roads" not in text

    def test_group_pages(self, app, portal):
        assert re.search(r"The Group .*2 Datasets", page_text(app, "/group/"))
        assert "2 datasets found" in page_text(app, "/group/grp")

    def test_dataset_page_counts_everything_public(self, app, portal):
        text = page_text(app, "/dataset/")
        assert "3 datasets found" in text

    def test_dataset_page_query(self, app, portal):
        text = page_text(app, "/dataset/?q=法人")
        assert '1 dataset found for "法人"' in text
        assert "企业法人登记信息" in text
        assert "Road works" not in text

    def test_dataset_page_facet_filter_and_sort(self, app, portal):
        text = page_text(app, "/dataset/?organization=org-a&sort=title_string+desc")
        assert "2 datasets found" in text
        assert text.index("企业法人登记信息") < text.index("Road works")

    def test_dataset_page_with_a_bad_query_is_not_a_server_error(self, app, portal):
        response = app.get("/dataset/?q=title:(a", status=None)
        assert response.status_code in (200, 400)


class TestCountsFollowChanges:
    def test_organization_counts(self, app, fresh_portal):
        helpers.call_action("package_patch", id="a-2", owner_org="org-b")
        result = api(app, "organization_list", all_fields="true")
        assert {o["name"]: o["package_count"] for o in result} == {"org-a": 1, "org-b": 2}

    def test_group_count(self, app, fresh_portal):
        helpers.call_action("member_delete", id="grp", object="a-2", object_type="package")
        assert api(app, "group_show", id="grp")["package_count"] == 1

    def test_package_show_returns_the_current_dataset(self, fresh_portal):
        helpers.call_action("package_patch", id="a-2", notes="Updated notes")
        shown = helpers.call_action("package_show", id="a-2")
        assert shown["notes"] == "Updated notes"
        assert shown["organization"]["name"] == "org-a"
        assert [g["name"] for g in shown["groups"]] == ["grp"]


class TestPackageShow:
    def test_private_dataset_needs_permission(self, app, portal):
        response = app.get("/api/3/action/package_show", query_string={"id": "a-private"},
                           status=None)
        assert response.status_code == 403
        assert api(app, "package_show", token=portal["token"], id="a-private")["private"] is True

    def test_dataset_page_renders(self, app, portal):
        assert "企业法人登记信息" in page_text(app, "/dataset/a-1")
