"""Activity history over HTTP (CKAN's ``activity`` plugin): the activity actions, the diff and
the dataset activity, changes and history pages never show the location of a conditional
dataset's data (the link resource's ``url``, the uploaded file's download address) to callers
without an active grant, while grantees, the department's members and sysadmins still see it.

``ckan.auth.public_activity_stream_detail`` is on, so CKAN itself hands snapshots to everyone
who may see the dataset and the access gates alone decide.
"""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from ckan.tests.helpers import call_action

from .conftest import (ALLOWED, LINK_URL, PERSONAS, World, access_marks, assert_cells, submitted,
                       token_for)
from .test_dashboard import header_count

pytestmark = [*access_marks("activity"),
              pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", "true")]


@pytest.fixture
def history(world: World) -> dict[str, str]:
    """Ids of activities of the dataset: the one that added the link resource, the ones just
    before and after it, and the latest one (after a metadata edit by the department's
    admin)."""
    call_action("package_patch", {"user": world.users["admin"]["name"]},
                id=world.dataset["id"], notes="更新说明")
    sysadmin = {"user": world.users["sysadmin"]["name"]}
    stream = call_action("package_activity_list", sysadmin, id=world.dataset["id"], limit=100)
    holding = [i for i, a in enumerate(stream)  # newest first: the last holding it added it
               if any(r["id"] == world.link_res["id"]
                      for r in a["data"].get("package", {}).get("resources", []))]
    added = holding[-1]
    assert stream[added - 1]["activity_type"] == "changed package"
    return {"added": stream[added]["id"], "before": stream[added + 1]["id"],
            "after": stream[added - 1]["id"], "latest": stream[0]["id"]}


def _locations(world: World) -> tuple[str, str]:
    return LINK_URL, f"/resource/{world.file_res['id']}/download"


def cells(app: Any, world: World, persona: str,
          history: dict[str, str]) -> dict[str, tuple[bool, Callable[[], bool]]]:
    """name -> (expected "a data location shown", probe)."""
    headers = world.headers(persona)
    allowed = persona in ALLOWED
    pid, name = world.dataset["id"], world.dataset["name"]

    def shown(text: str) -> bool:
        return any(location in text for location in _locations(world))

    def api(action: str, **data: Any) -> Callable[[], bool]:
        def probe() -> bool:
            r = app.post(f"/api/3/action/{action}", json=data, headers=headers, status=None)
            assert r.status_code == 200, (action, r.status_code, r.get_data(as_text=True)[:300])
            return shown(json.dumps(r.json, ensure_ascii=False))
        return probe

    def page(url: str, refused_status: int = 200) -> Callable[[], bool]:
        def probe() -> bool:
            r = app.get(url, headers=dict(headers, Accept="text/html"), status=None)
            expected = 200 if allowed else refused_status
            assert r.status_code == expected, (url, r.status_code)
            return shown(r.get_data(as_text=True))
        return probe

    added, latest = history["added"], history["latest"]
    return {
        "package_activity_list": (allowed, api("package_activity_list", id=pid)),
        "activity_show": (allowed, api("activity_show", id=added, include_data=True)),
        "activity_show, include_data left out": (allowed, api("activity_show", id=added)),
        "activity_data_show": (allowed, api("activity_data_show", id=added)),
        "activity_data_show package": (allowed, api("activity_data_show", id=added,
                                                    object_type="package")),
        "activity_diff unified": (allowed, api("activity_diff", id=added,
                                               object_type="package")),
        "activity_diff html": (allowed, api("activity_diff", id=added, object_type="package",
                                            diff_type="html")),
        "organization_activity_list": (allowed, api("organization_activity_list",
                                                    id=world.org_a["id"])),
        "user_activity_list": (allowed, api("user_activity_list",
                                            id=world.users["sysadmin"]["id"])),
        "recently_changed_packages_activity_list": (
            allowed, api("recently_changed_packages_activity_list")),
        "changes page": (allowed, page(f"/dataset/changes/{added}")),
        "changes_multiple page": (allowed, page(
            f"/dataset/changes_multiple?old_id={history['before']}&new_id={history['after']}")),
        "history page": (allowed, page(f"/dataset/{name}/history/{latest}")),
        "resource history page": (allowed, page(
            f"/dataset/{pid}/resources/{world.link_res['id']}/history/{latest}", 403)),
        "dataset activity page": (False, page(f"/dataset/activity/{name}")),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_activity_matrix(app: Any, world: World, history: dict[str, str], persona: str) -> None:
    assert_cells(persona, cells(app, world, persona, history), "location", "shown")


def test_history_page_offers_apply_for_gated_resources(app: Any, world: World,
                                                      history: dict[str, str]) -> None:
    page = app.get(f"/dataset/{world.dataset['name']}/history/{history['latest']}",
                   headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "申请使用" in page
    assert LINK_URL not in page


def test_activities_of_a_closed_dataset_are_not_public(app: Any, world: World,
                                                       history: dict[str, str]) -> None:
    call_action("package_patch", {"user": world.users["admin"]["name"]},
                id=world.dataset["id"], extras=[{"key": "open_type", "value": "closed"}])
    for persona, visible in (("anonymous", False), ("approved", False), ("member", True)):
        headers = world.headers(persona)
        for action, data in (("organization_activity_list", {"id": world.org_a["id"]}),
                             ("recently_changed_packages_activity_list", {}),
                             ("user_activity_list", {"id": world.users["sysadmin"]["id"]})):
            got = app.post(f"/api/3/action/{action}", json=data, headers=headers)
            ids = {a["object_id"] for a in got.json["result"]}
            assert (world.dataset["id"] in ids) is visible, (persona, action)
        shown = app.post("/api/3/action/activity_show",
                         json={"id": history["added"], "include_data": True},
                         headers=headers, status=None)
        assert (shown.status_code == 200) is visible, (persona, shown.status_code)


def test_activity_show_with_an_unreadable_include_data_is_a_409(app: Any, world: World,
                                                                 history: dict[str, str]) -> None:
    got = app.get("/api/3/action/activity_show", query_string={
        "id": history["added"], "include_data": "maybe"},
        headers=world.headers("member"), status=None)
    assert got.status_code == 409
    assert "include_data" in got.json["error"] and "true 或 false" in str(got.json["error"])


def test_activity_dashboard_shows_the_todo(app: Any, scene: dict[str, Any]) -> None:
    """With the activity plugin the dashboard is its news feed: the 待办 is there too."""
    submitted(scene["applicant"]["name"], scene["dataset"]["id"])
    html = app.get("/dashboard/", headers={"Authorization": token_for(scene["admin"]["name"])}
                   ).get_data(as_text=True)
    assert "待审核的数据使用申请 1 件" in html and header_count(html) == (1, False)
