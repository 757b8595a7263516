"""The index follows every change made through CKAN's actions."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from .helpers import as_user, facet, found, names, search


@pytest.fixture
def org(clean_db):
    return factories.Organization(name="org-one")


def call(action: str, **data):
    return helpers.call_action(action, **data)


class TestDatasetLifecycle:
    def test_create(self, org):
        factories.Dataset(name="fresh", title="Fresh harvest", owner_org=org["id"])
        assert found(q="harvest") == {"fresh"}

    def test_update_replaces_old_text(self, org):
        factories.Dataset(name="ds", title="Old words", owner_org=org["id"])
        call("package_patch", id="ds", title="New phrasing", tags=[{"name": "renamed"}])
        assert found(q="old") == set()
        assert found(q="phrasing") == {"ds"}
        assert found(fq="tags:renamed") == {"ds"}

    def test_rename(self, org):
        factories.Dataset(name="before", owner_org=org["id"])
        call("package_patch", id="before", name="after")
        assert found(q="name:after") == {"after"}
        assert found(q="name:before") == set()

    def test_delete(self, org):
        factories.Dataset(name="gone", title="Gone soon", owner_org=org["id"])
        call("package_delete", id="gone")
        assert found(q="gone", include_deleted=True) == set()
        assert search()["count"] == 0

    @pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
    def test_delete_kept_then_purge(self, org):
        factories.Dataset(name="gone", title="Gone soon", owner_org=org["id"])
        call("package_delete", id="gone")
        assert found(q="gone") == set()
        assert found(q="gone", include_deleted=True) == {"gone"}
        call("dataset_purge", id="gone")
        assert found(q="gone", include_deleted=True) == set()

    def test_purge(self, org):
        factories.Dataset(name="purged", owner_org=org["id"])
        call("dataset_purge", id="purged")
        assert search(include_deleted=True, include_drafts=True)["count"] == 0

    def test_draft_becomes_active(self, org):
        factories.Dataset(name="drafty", owner_org=org["id"], state="draft")
        assert found() == set()
        call("package_patch", id="drafty", state="active")
        assert found() == {"drafty"}


class TestPrivateFlag:
    def test_public_to_private_and_back(self, org):
        member = factories.User()
        call("organization_member_create", id=org["id"], username=member["name"], role="member")
        factories.Dataset(name="flip", owner_org=org["id"])
        call("package_patch", id="flip", private=True)
        assert names(search(as_user(None), include_private=True)) == []
        assert names(search(as_user(member), include_private=True)) == ["flip"]
        call("package_patch", id="flip", private=False)
        assert names(search(as_user(None))) == ["flip"]

    def test_bulk_update_private(self, org):
        ds = factories.Dataset(name="bulk", owner_org=org["id"])
        call("bulk_update_private", datasets=[ds["id"]], org_id=org["id"])
        assert names(search(as_user(None))) == []
        call("bulk_update_public", datasets=[ds["id"]], org_id=org["id"])
        assert names(search(as_user(None))) == ["bulk"]


class TestOrganizationChange:
    def test_move_to_another_organization(self, org):
        other = factories.Organization(name="org-two")
        factories.Dataset(name="mover", owner_org=org["id"])
        call("package_patch", id="mover", owner_org=other["id"])
        assert found(fq="organization:org-two") == {"mover"}
        assert found(fq="organization:org-one") == set()
        result = search(**{"facet.field": ["organization"]})
        assert facet(result, "organization") == {"org-two": 1}

    def test_private_dataset_moves_with_its_permission(self, org):
        other = factories.Organization(name="org-two")
        member_one = factories.User()
        call("organization_member_create", id=org["id"], username=member_one["name"],
             role="member")
        factories.Dataset(name="secret", owner_org=org["id"], private=True)
        call("package_patch", id="secret", owner_org=other["id"])
        assert search(as_user(member_one), include_private=True)["count"] == 0


class TestGroupMembership:
    def test_member_create_and_delete(self, org):
        group = factories.Group(name="grp")
        factories.Dataset(name="joiner", owner_org=org["id"])
        call("member_create", id=group["id"], object="joiner", object_type="package",
             capacity="public")
        assert found(fq="groups:grp") == {"joiner"}
        assert facet(search(**{"facet.field": ["groups"]}), "groups") == {"grp": 1}
        call("member_delete", id=group["id"], object="joiner", object_type="package")
        assert found(fq="groups:grp") == set()
        assert facet(search(**{"facet.field": ["groups"]}), "groups") == {}

    def test_groups_through_package_patch(self, org):
        group = factories.Group(name="grp")
        factories.Dataset(name="joiner", owner_org=org["id"])
        call("package_patch", id="joiner", groups=[{"id": group["id"]}])
        assert found(fq="groups:grp") == {"joiner"}
        call("package_patch", id="joiner", groups=[])
        assert found(fq="groups:grp") == set()


class TestResources:
    def test_resource_create(self, org):
        ds = factories.Dataset(name="holder", owner_org=org["id"])
        call("resource_create", package_id=ds["id"], url="http://x/a.csv", name="Turnout table",
             format="CSV")
        assert found(q="turnout") == {"holder"}
        assert found(fq="res_format:CSV") == {"holder"}
        assert facet(search(**{"facet.field": ["res_format"]}), "res_format") == {"CSV": 1}

    def test_resource_update(self, org):
        ds = factories.Dataset(name="holder", owner_org=org["id"])
        res = factories.Resource(package_id=ds["id"], name="Turnout table", format="CSV")
        call("resource_patch", id=res["id"], name="Ballot counts", format="JSON")
        assert found(q="turnout") == set()
        assert found(q="ballot") == {"holder"}
        assert found(q="res_name:ballot") == {"holder"}
        assert facet(search(**{"facet.field": ["res_format"]}), "res_format") == {"JSON": 1}

    def test_resource_delete(self, org):
        ds = factories.Dataset(name="holder", owner_org=org["id"])
        res = factories.Resource(package_id=ds["id"], name="Turnout table", format="CSV")
        call("resource_delete", id=res["id"])
        assert found(q="turnout") == set()
        assert found(fq="res_format:CSV") == set()
        assert found() == {"holder"}
