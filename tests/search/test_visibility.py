"""Who sees what: CKAN's permission labels, ``include_private``, ``include_drafts`` and
``include_deleted``, through the action layer and through the Action API."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from .helpers import API, as_user, names, search


def _build_world() -> dict:
    """Org A (a member and an editor) and org B, each with public, private and draft datasets."""
    member = factories.User(name="a-member")
    editor = factories.User(name="a-editor")
    outsider = factories.User(name="outsider")
    sysadmin = factories.Sysadmin(name="root-user")
    org_a = factories.Organization(name="org-a", users=[
        {"name": member["name"], "capacity": "member"},
        {"name": editor["name"], "capacity": "editor"}])
    org_b = factories.Organization(name="org-b")
    for name, org, extra in [
            ("a-public", org_a, {}),
            ("a-private", org_a, {"private": True}),
            ("a-draft", org_a, {"state": "draft"}),
            ("b-public", org_b, {}),
            ("b-private", org_b, {"private": True}),
            ("b-draft", org_b, {"state": "draft"})]:
        factories.Dataset(name=name, title=f"Visible {name}", owner_org=org["id"], **extra)
    return {"member": member, "editor": editor, "outsider": outsider, "sysadmin": sysadmin}


@pytest.fixture(scope="class")
def world(class_clean_db):
    """The world, shared by the tests of a class that only search it."""
    return _build_world()


@pytest.fixture
def fresh_world(clean_db):
    """The world, for one test that changes it."""
    return _build_world()


def seen(user, **params) -> set[str]:
    params.setdefault("rows", 100)
    return set(names(search(as_user(user), **params)))


PUBLIC = {"a-public", "b-public"}


class TestPrivateDatasets:
    def test_anonymous_sees_public_only(self, world):
        assert seen(None) == PUBLIC
        assert seen(None, include_private=True) == PUBLIC

    def test_member_sees_their_orgs_private_datasets_when_asked(self, world):
        assert seen(world["member"]) == PUBLIC
        assert seen(world["member"], include_private=True) == PUBLIC | {"a-private"}
        assert seen(world["editor"], include_private=True) == PUBLIC | {"a-private"}

    def test_non_member_sees_public_only(self, world):
        assert seen(world["outsider"], include_private=True) == PUBLIC

    def test_sysadmin_sees_every_private_dataset(self, world):
        assert seen(world["sysadmin"], include_private=True) == PUBLIC | {"a-private", "b-private"}
        assert seen(world["sysadmin"]) == PUBLIC

    def test_count_agrees_with_what_is_seen(self, world):
        assert search(as_user(world["member"]), include_private=True)["count"] == 3
        assert search(as_user(None), include_private=True)["count"] == 2

    def test_private_datasets_stay_hidden_from_field_queries(self, world):
        assert seen(None, q="name:a-private", include_private=True) == set()
        assert seen(world["member"], q="name:a-private", include_private=True) == {"a-private"}


class TestDrafts:
    def test_drafts_only_when_asked(self, world):
        assert "a-draft" not in seen(world["sysadmin"], include_private=True)
        assert "a-draft" in seen(world["sysadmin"], include_drafts=True)

    def test_org_members_see_their_orgs_drafts(self, world):
        got = seen(world["member"], include_drafts=True, include_private=True)
        assert got == PUBLIC | {"a-private", "a-draft"}

    def test_others_never_see_drafts(self, world):
        assert seen(None, include_drafts=True, include_private=True) == PUBLIC
        assert seen(world["outsider"], include_drafts=True, include_private=True) == PUBLIC

    def test_sysadmin_sees_all_drafts(self, world):
        got = seen(world["sysadmin"], include_drafts=True, include_private=True)
        assert got == PUBLIC | {"a-private", "b-private", "a-draft", "b-draft"}


class TestSliceFiltersInFq:
    """Filters on the slice columns written by the caller combine with CKAN's own ones as the
    query language says: the same column twice intersects, an OR of values unites."""

    def test_state_written_by_the_caller(self, world):
        root = world["sysadmin"]
        assert seen(root, fq="+state:draft", include_drafts=True) == {"a-draft", "b-draft"}
        assert seen(root, fq="+state:(draft OR active)", include_drafts=True,
                    include_private=True) == {"a-public", "a-private", "a-draft", "b-public",
                                              "b-private", "b-draft"}
        assert seen(root, fq="+state:active +state:draft", include_drafts=True) == set()

    def test_capacity_and_labels_written_by_the_caller(self, world):
        root = world["sysadmin"]
        assert seen(root, fq="+capacity:private", include_private=True) == {"a-private",
                                                                            "b-private"}
        assert seen(root, fq='+permission_labels:("public" OR "nobody")',
                    include_private=True) == PUBLIC


class TestDeleted:
    def test_deleted_datasets_leave_the_index_by_default(self, fresh_world):
        world = fresh_world
        helpers.call_action("package_delete", id="a-public")
        assert seen(world["sysadmin"], include_deleted=True, include_private=True) == {
            "b-public", "a-private", "b-private"}

    @pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
    def test_kept_deleted_datasets_are_seen_by_members_when_asked(self, fresh_world):
        world = fresh_world
        helpers.call_action("package_delete", id="a-public")
        helpers.call_action("package_delete", id="b-public")
        assert seen(world["member"]) == set()
        assert seen(world["member"], include_deleted=True) == {"a-public"}
        assert seen(None, include_deleted=True) == set()
        assert seen(world["outsider"], include_deleted=True) == set()
        assert seen(world["sysadmin"], include_deleted=True) == {"a-public", "b-public"}


class TestActionApi:
    def test_anonymous_request(self, app, world):
        body = app.get(API, query_string={"include_private": "true", "rows": 100}).json
        assert body["success"] is True
        assert {r["name"] for r in body["result"]["results"]} == PUBLIC

    def test_member_request_with_an_api_token(self, app, world):
        token = factories.APIToken(user=world["member"]["name"])
        body = app.get(API, query_string={"include_private": "true", "include_drafts": "true"},
                       headers={"Authorization": token["token"]}).json
        assert {r["name"] for r in body["result"]["results"]} == PUBLIC | {"a-private", "a-draft"}

    def test_private_dataset_facet_counts_hidden_from_anonymous(self, app, world):
        body = app.get(API, query_string={"include_private": "true",
                                          "facet.field": '["organization"]'}).json
        assert body["result"]["facets"]["organization"] == {"org-a": 1, "org-b": 1}
