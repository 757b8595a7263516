"""Grants expire by themselves: access ends with the grant's period at once (before any job
runs); ``ckan govcat access expire`` (run by the launcher's scheduler) then moves the application
to 已过期, records the transition as the system's and emails the grantee."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action, call_auth

from ckanext.govcat.access.cli import access as _access_commands  # noqa: F401 - adds the group
from ckanext.govcat.cli import govcat as govcat_cli

from .conftest import FILE_BODY, ckan_marks, decide, expire_grant, subject, submitted, token_for

pytestmark = ckan_marks


@pytest.fixture
def approved(scene: dict[str, Any]) -> dict[str, Any]:
    """The scene with an approved application of its applicant (all resources)."""
    app = submitted(scene["applicant"]["name"], scene["dataset"]["id"])
    app = decide(scene["admin"]["name"], app["id"], "approve")
    return dict(scene, app=app, grant=app["grants"][0])


def _show(scene: dict[str, Any]) -> dict[str, Any]:
    return call_action("govcat_access_application_show", {"user": scene["admin"]["name"]},
                       id=scene["app"]["id"])


def test_access_ends_with_the_grant_before_any_job_runs(app: Any,
                                                        approved: dict[str, Any]) -> None:
    headers = {"Authorization": token_for(approved["applicant"]["name"])}
    download = f"/dataset/{approved['dataset']['id']}/resource/{approved['res']['id']}/download"
    assert app.get(download, headers=headers).get_data(as_text=True) == FILE_BODY
    expire_grant(approved["grant"]["id"])
    assert app.get(download, headers=headers, status=None).status_code == 403
    shown = app.post("/api/3/action/package_show", json={"id": approved["dataset"]["id"]},
                     headers=headers).json["result"]
    assert shown["resources"][0]["govcat_access_gated"] is True
    assert app.post("/api/3/action/govcat_access_register", json={}).json["result"][
        "count"] == 0
    application = _show(approved)
    assert application["state"] == "approved"  # the job has not run: nothing recorded yet
    assert application["grants"][0]["state"] == "expired"


def test_cli_expires_records_the_system_and_mails_the_grantee(approved: dict[str, Any],
                                                              inbox: Any, cli: Any) -> None:
    expire_grant(approved["grant"]["id"])
    result = cli.invoke(govcat_cli, ["access", "expire"])
    assert result.exit_code == 0, result.output
    assert "已将 1 个" in result.output
    application = _show(approved)
    assert application["state"] == "expired"
    last = application["transitions"][-1]
    assert (last["from_state"], last["to_state"], last["actor_id"], last["actor_role"]) == (
        "approved", "expired", None, "system")
    assert [(to, subject(m).rsplit("（", 1)[1]) for to, m in inbox.messages] == [
        ([approved["applicant"]["email"]], "已过期）")]
    again = cli.invoke(govcat_cli, ["access", "expire"])
    assert "已将 0 个" in again.output and len(inbox.messages) == 1


def test_scheduler_tick_runs_the_expiry(app: Any, approved: dict[str, Any], inbox: Any) -> None:
    from ckanext.govcat.launcher.scheduler import tick

    expire_grant(approved["grant"]["id"])
    with app.flask_app.test_request_context():
        tick()
    assert _show(approved)["state"] == "expired"
    assert len(inbox.messages) == 1


def test_grants_still_running_are_left_alone(approved: dict[str, Any]) -> None:
    assert call_action("govcat_access_grant_expire")["expired"] == []
    assert _show(approved)["state"] == "approved"


def test_only_sysadmins_run_the_expiry(approved: dict[str, Any]) -> None:
    with pytest.raises(tk.NotAuthorized):
        call_auth("govcat_access_grant_expire", {"user": approved["admin"]["name"]})
    assert call_auth("govcat_access_grant_expire", {"user": factories.Sysadmin()["name"]})


def test_application_page_names_the_system(app: Any, approved: dict[str, Any]) -> None:
    expire_grant(approved["grant"]["id"])
    call_action("govcat_access_grant_expire")
    page = app.get(f"/access/application/{approved['app']['id']}",
                   headers={"Authorization": token_for(approved["applicant"]["name"])})
    rows = page.get_data(as_text=True).split('class="table govcat-access-transitions"')[1]
    last = rows.split("</tbody>")[0].rsplit("<tr>", 1)[1]
    assert "已过期" in last and "系统" in last
