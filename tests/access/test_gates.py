"""Gates beyond the matrix: closed datasets, unconditional ones as stock CKAN, the audit trail,
the 403 answer to API clients, and email on every transition (local SMTP catcher)."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk

from ckan.tests import factories
from ckan.tests.helpers import call_action

from .conftest import (FILE_BODY, LINK_URL, World, ckan_marks, decide, make_world, subject,
                       submitted)

pytestmark = ckan_marks


class TestClosed:
    @pytest.fixture
    def closed(self, create_with_upload: Any) -> World:
        return make_world(create_with_upload, open_type="closed")

    @pytest.mark.parametrize("persona,visible", [("anonymous", False), ("nobody", False),
                                                 ("other_admin", False), ("member", True),
                                                 ("sysadmin", True)])
    def test_not_public(self, app, closed, persona, visible):
        headers = closed.headers(persona)
        shown = app.post("/api/3/action/package_show", json={"id": closed.dataset["id"]},
                         headers=headers, status=None)
        assert (shown.status_code == 200) is visible
        found = app.post("/api/3/action/package_search",
                         json={"q": f"name:{closed.dataset['name']}"}, headers=headers)
        assert (found.json["result"]["count"] == 1) is visible
        page = app.get(f"/dataset/{closed.dataset['name']}", headers=headers, status=None)
        assert (page.status_code == 200) is visible
        download = app.get(f"/dataset/{closed.dataset['id']}/resource/"
                           f"{closed.file_res['id']}/download", headers=headers, status=None)
        assert (download.status_code == 200) is visible


class TestUnconditional:
    def test_stock_behaviour(self, app, create_with_upload):
        world = make_world(create_with_upload, open_type="unconditional")
        shown = app.post("/api/3/action/package_show", json={"id": world.dataset["id"]})
        assert LINK_URL in shown.get_data(as_text=True)
        assert not any("govcat_access_gated" in r for r in shown.json["result"]["resources"])
        got = app.get(f"/dataset/{world.dataset['id']}/resource/{world.file_res['id']}/download")
        assert got.get_data(as_text=True) == FILE_BODY
        rows = app.post("/api/3/action/datastore_search",
                        json={"resource_id": world.table_res["id"]})
        assert rows.json["result"]["records"][0]["name"] == "机密数据"


    def test_anonymous_checks_without_a_user_object(self, app, create_with_upload):
        """Template helpers call actions with an empty context (no ``auth_user_obj``); the
        chained auth functions keep the core ones' anonymous access, so an anonymous visitor
        sees the data dictionary of an open table on its resource page."""
        world = make_world(create_with_upload, open_type="unconditional")
        table = world.table_res["id"]
        for name, data in (("package_show", {"id": world.dataset["id"]}),
                           ("resource_show", {"id": table}),
                           ("datastore_search", {"resource_id": table}),
                           ("datastore_info", {"id": table})):
            assert tk.check_access(name, {"user": ""}, data), name
        page = app.get(f"/dataset/{world.dataset['name']}/resource/{table}")
        dictionary = BeautifulSoup(page.body, "html.parser").select(".accordion-item")
        assert ["code", "name"] == [item.select_one(".col-7").get_text(strip=True)
                                   for item in dictionary]


class TestAuditAndDenial:
    def test_grant_based_access_is_audited(self, app, world):
        headers = world.headers("approved")
        pid = world.dataset["id"]
        app.get(f"/dataset/{pid}/resource/{world.file_res['id']}/download", headers=headers)
        app.post("/api/3/action/datastore_search",
                 json={"resource_id": world.table_res["id"]}, headers=headers)
        app.get(f"/dataset/{pid}/resource/{world.file_res['id']}/download",
                headers=world.headers("member"))
        admin = world.users["admin"]["name"]
        rows = call_action("govcat_access_audit_list", {"user": admin}, package_id=pid)
        assert rows["count"] == 2
        by_path = {r["path"]: r for r in rows["results"]}
        download = next(r for p, r in by_path.items() if p.endswith("download"))
        assert download["resource_id"] == world.file_res["id"]
        assert download["bytes"] == len(FILE_BODY.encode())
        assert download["user_id"] == world.users["approved"]["id"]
        assert download["user_name"] == world.users["approved"]["name"]  # who, readably
        assert download["resource_name"] == world.file_res["name"]
        assert by_path["datastore_search"]["bytes"] > 0
        csv_page = app.get(f"/dataset/{world.dataset['name']}/access/audit?format=csv",
                           headers=world.headers("admin"))
        csv_text = csv_page.get_data(as_text=True)
        assert world.file_res["id"] in csv_text and world.users["approved"]["name"] in csv_text
        page = app.get(f"/dataset/{world.dataset['name']}/access/audit",
                       headers=world.headers("admin")).get_data(as_text=True)
        assert f">{world.users['approved']['name']}</span></td>" in page

    def test_api_client_gets_json_403_with_apply_link(self, app, world):
        got = app.get(f"/dataset/{world.dataset['id']}/resource/{world.file_res['id']}/download",
                      headers=dict(world.headers("nobody"), Accept="application/json"),
                      status=403)
        error = got.json["error"]
        assert error["__type"] == "Authorization Error"
        assert error["apply_url"].endswith(f"/dataset/{world.dataset['name']}/apply")

    def test_browser_gets_403_page(self, app, world):
        got = app.get(f"/dataset/{world.dataset['id']}/resource/{world.file_res['id']}/download",
                      headers={"Accept": "text/html"}, status=403)
        assert "/apply" in got.get_data(as_text=True)
        assert FILE_BODY not in got.get_data(as_text=True)


class TestEmail:
    def test_every_transition_mails_the_other_party(self, inbox):
        admin = factories.User(email="admin@dept.example")
        applicant = factories.User(email="applicant@example.com")
        org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
        dataset = factories.Dataset(owner_org=org["id"],
                                    extras=[{"key": "open_type", "value": "conditional"}])
        app = submitted(applicant["name"], dataset["id"])
        decide(admin["name"], app["id"], "return", reason="请补充")
        call_action("govcat_access_application_submit", {"user": applicant["name"]},
                    id=app["id"])
        decided = decide(admin["name"], app["id"], "approve")
        call_action("govcat_access_grant_revoke", {"user": admin["name"]},
                    id=decided["grants"][0]["id"], reason="违规")
        received = [(to[0], subject(m)) for to, m in inbox.messages]
        assert [to for to, _ in received] == [
            "admin@dept.example", "applicant@example.com", "admin@dept.example",
            "applicant@example.com", "applicant@example.com"]
        assert [s.rsplit("（", 1)[1] for _, s in received] == [
            "待审核）", "退回修改）", "待审核）", "已批准）", "已撤销）"]
        body = inbox.messages[1][1].get_payload(decode=True).decode("utf-8")
        assert "请补充" in body and app["id"] in body
