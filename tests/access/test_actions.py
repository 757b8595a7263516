"""The access actions and their auth functions, against real PostgreSQL."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action, call_auth

from ckanext.govcat.access import model as am
from ckanext.govcat.access import workdays

from .conftest import application, ckan_marks, decide, expire_grant, submitted

pytestmark = ckan_marks
ORG_USCC = "91350100M000100Y43"


@pytest.fixture
def setup() -> dict[str, Any]:
    admin, editor, member, applicant, outsider = (factories.User() for _ in range(5))
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"},
                                        {"name": editor["name"], "capacity": "editor"},
                                        {"name": member["name"], "capacity": "member"}])
    other_admin = factories.User()
    factories.Organization(users=[{"name": other_admin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"],
                                extras=[{"key": "open_type", "value": "conditional"}],
                                resources=[{"url": "https://x.example/a.csv"},
                                           {"url": "https://x.example/b.csv"}])
    return dict(admin=admin, editor=editor, member=member, applicant=applicant,
                outsider=outsider, other_admin=other_admin, org=org, dataset=dataset)


class TestApplicationCreate:
    def test_creates_draft_with_agreement(self, setup):
        app = application(setup["applicant"]["name"], setup["dataset"]["id"])
        assert app["state"] == "draft"
        assert app["agreement_version"] == "1.0" and app["agreement_text"]
        assert [t["to_state"] for t in app["transitions"]] == ["draft"]
        assert app["period_end"] > app["period_start"]

    def test_anonymous_refused(self, setup):
        with pytest.raises(tk.NotAuthorized):
            call_auth("govcat_access_application_create", {"user": ""},
                      package_id=setup["dataset"]["id"])

    @pytest.mark.parametrize("field,value,message", [
        ("uscc", "91350100M000100Y44", "校验码错误"),
        ("uscc", "", "18位"),
    ])
    def test_organization_needs_valid_uscc(self, setup, field, value, message):
        with pytest.raises(tk.ValidationError) as err:
            application(setup["applicant"]["name"], setup["dataset"]["id"],
                        applicant_type="organization", **{field: value})
        assert message in " ".join(err.value.error_dict["uscc"])

    def test_organization_with_valid_uscc(self, setup):
        app = application(setup["applicant"]["name"], setup["dataset"]["id"],
                          applicant_type="organization", uscc=ORG_USCC.lower())
        assert app["uscc"] == ORG_USCC.lower()

    @pytest.mark.parametrize("missing", ["purpose", "scenario", "contact", "applicant_name"])
    def test_required_fields(self, setup, missing):
        with pytest.raises(tk.ValidationError) as err:
            application(setup["applicant"]["name"], setup["dataset"]["id"], **{missing: ""})
        assert missing in err.value.error_dict

    def test_agreement_must_be_accepted(self, setup):
        with pytest.raises(tk.ValidationError) as err:
            application(setup["applicant"]["name"], setup["dataset"]["id"],
                        agreement_accepted=False)
        assert "agreement_accepted" in err.value.error_dict

    def test_foreign_resource_refused(self, setup):
        other = factories.Resource(package_id=factories.Dataset(owner_org=setup["org"]["id"])["id"])
        with pytest.raises(tk.ValidationError) as err:
            application(setup["applicant"]["name"], setup["dataset"]["id"],
                        resource_ids=[other["id"]])
        assert "resource_ids" in err.value.error_dict

    def test_period_order(self, setup):
        with pytest.raises(tk.ValidationError) as err:
            application(setup["applicant"]["name"], setup["dataset"]["id"],
                        period_start="2027-01-10", period_end="2027-01-01")
        assert "period_end" in err.value.error_dict

    def test_unconditional_dataset_refused(self, setup):
        open_dataset = factories.Dataset(owner_org=setup["org"]["id"])
        with pytest.raises(tk.ValidationError) as err:
            application(setup["applicant"]["name"], open_dataset["id"])
        assert "package_id" in err.value.error_dict

    def test_nothing_half_written(self, setup):
        before = am.query(am.Application).count()
        with pytest.raises(tk.ValidationError):
            application(setup["applicant"]["name"], setup["dataset"]["id"],
                        applicant_type="organization", uscc="bad")
        assert am.query(am.Application).count() == before


class TestWorkflow:
    def test_submit_sets_deadline_in_working_days(self, setup):
        app = submitted(setup["applicant"]["name"], setup["dataset"]["id"])
        assert app["state"] == "submitted"
        deadline = dt.date.fromisoformat(app["deadline"])
        assert deadline == workdays.add_working_days(dt.date.today(), 10)
        assert deadline.weekday() < 5

    @pytest.mark.ckan_config("ckanext.govcat.access.review_days", "3")
    def test_deadline_config_and_holidays(self, setup, ckan_config):
        today = dt.date.today()
        holidays = [today + dt.timedelta(days=d) for d in range(1, 8)]
        ckan_config["ckanext.govcat.access.holidays"] = " ".join(d.isoformat() for d in holidays)
        app = submitted(setup["applicant"]["name"], setup["dataset"]["id"])
        expected = workdays.add_working_days(today, 3, holidays)
        assert app["deadline"] == expected.isoformat()
        assert (expected - today).days > 7

    def test_return_edit_resubmit_approve(self, setup):
        user, admin = setup["applicant"]["name"], setup["admin"]["name"]
        app = submitted(user, setup["dataset"]["id"])
        decide(admin, app["id"], "return", reason="请补充安全措施")
        call_action("govcat_access_application_update", {"user": user}, id=app["id"],
                    security_measures="专网存储")
        call_action("govcat_access_application_submit", {"user": user}, id=app["id"])
        result = decide(setup["editor"]["name"], app["id"], "approve")
        assert [t["to_state"] for t in result["transitions"]] == [
            "draft", "submitted", "returned", "submitted", "approved"]
        returned = result["transitions"][2]
        assert returned["reason"] == "请补充安全措施"
        assert returned["actor_id"] == setup["admin"]["id"]
        assert result["grants"][0]["state"] == "active"

    @pytest.mark.parametrize("decision", ["reject", "return"])
    def test_reason_required(self, setup, decision):
        app = submitted(setup["applicant"]["name"], setup["dataset"]["id"])
        with pytest.raises(tk.ValidationError) as err:
            decide(setup["admin"]["name"], app["id"], decision)
        assert "必须填写理由" in " ".join(err.value.error_dict["reason"])

    def test_cannot_decide_draft(self, setup):
        app = application(setup["applicant"]["name"], setup["dataset"]["id"])
        with pytest.raises(tk.ValidationError):
            decide(setup["admin"]["name"], app["id"], "approve")

    def test_withdraw_then_nothing(self, setup):
        user = setup["applicant"]["name"]
        app = submitted(user, setup["dataset"]["id"])
        call_action("govcat_access_application_withdraw", {"user": user}, id=app["id"])
        with pytest.raises(tk.ValidationError):
            call_action("govcat_access_application_submit", {"user": user}, id=app["id"])
        with pytest.raises(tk.ValidationError):
            decide(setup["admin"]["name"], app["id"], "approve")

    def test_cannot_edit_submitted(self, setup):
        user = setup["applicant"]["name"]
        app = submitted(user, setup["dataset"]["id"])
        with pytest.raises(tk.ValidationError):
            call_action("govcat_access_application_update", {"user": user}, id=app["id"],
                        purpose="x")

    def test_approval_narrows_and_shortens(self, setup):
        res = setup["dataset"]["resources"]
        app = submitted(setup["applicant"]["name"], setup["dataset"]["id"],
                        period_end=(dt.date.today() + dt.timedelta(days=100)).isoformat())
        expires = dt.date.today() + dt.timedelta(days=10)
        result = decide(setup["admin"]["name"], app["id"], "approve",
                        resource_ids=[res[0]["id"]], expires=expires.isoformat())
        grant = result["grants"][0]
        assert grant["resource_ids"] == [res[0]["id"]]
        assert grant["expires"].startswith((expires + dt.timedelta(days=1)).isoformat())

    def test_approval_cannot_widen(self, setup):
        res = setup["dataset"]["resources"]
        app = submitted(setup["applicant"]["name"], setup["dataset"]["id"],
                        resource_ids=[res[0]["id"]])
        with pytest.raises(tk.ValidationError):
            decide(setup["admin"]["name"], app["id"], "approve", resource_ids=[res[1]["id"]])
        app2 = submitted(setup["applicant"]["name"], setup["dataset"]["id"],
                         period_end=(dt.date.today() + dt.timedelta(days=5)).isoformat())
        with pytest.raises(tk.ValidationError):
            decide(setup["admin"]["name"], app2["id"], "approve",
                   expires=(dt.date.today() + dt.timedelta(days=50)).isoformat())

    def test_revoke_and_expire(self, setup):
        user, admin = setup["applicant"]["name"], setup["admin"]["name"]
        first = decide(admin, submitted(user, setup["dataset"]["id"])["id"], "approve")
        second = decide(admin, submitted(user, setup["dataset"]["id"])["id"], "approve")
        with pytest.raises(tk.ValidationError):
            call_action("govcat_access_grant_revoke", {"user": admin},
                        id=first["grants"][0]["id"])
        call_action("govcat_access_grant_revoke", {"user": admin}, id=first["grants"][0]["id"],
                    reason="超范围使用")
        expire_grant(second["grants"][0]["id"])
        assert call_action("govcat_access_grant_expire")["expired"] == [second["id"]]
        shown = {a["id"]: a for a in (
            call_action("govcat_access_application_show", {"user": user}, id=x["id"])
            for x in (first, second))}
        assert shown[first["id"]]["state"] == "revoked"
        assert shown[second["id"]]["state"] == "expired"
        assert shown[second["id"]]["transitions"][-1]["actor_id"] is None
        assert shown[second["id"]]["transitions"][-1]["actor_role"] == "system"
        assert call_action("govcat_access_grant_list", {"user": user})["count"] == 0


class TestAuth:
    def _app(self, setup):
        return submitted(setup["applicant"]["name"], setup["dataset"]["id"])

    @pytest.mark.parametrize("who,allowed", [("admin", True), ("editor", True),
                                             ("member", False), ("other_admin", False),
                                             ("outsider", False), ("applicant", False)])
    def test_decide(self, setup, who, allowed):
        app = self._app(setup)
        ctx = {"user": setup[who]["name"]}
        if allowed:
            assert call_auth("govcat_access_application_decide", ctx, id=app["id"])
        else:
            with pytest.raises(tk.NotAuthorized):
                call_auth("govcat_access_application_decide", ctx, id=app["id"])

    @pytest.mark.parametrize("who,allowed", [("applicant", True), ("admin", True),
                                             ("outsider", False), ("other_admin", False)])
    def test_show(self, setup, who, allowed):
        app = self._app(setup)
        ctx = {"user": setup[who]["name"]}
        if allowed:
            assert call_auth("govcat_access_application_show", ctx, id=app["id"])
        else:
            with pytest.raises(tk.NotAuthorized):
                call_auth("govcat_access_application_show", ctx, id=app["id"])

    @pytest.mark.parametrize("action", ["govcat_access_application_update",
                                        "govcat_access_application_submit",
                                        "govcat_access_application_withdraw"])
    def test_only_applicant_acts(self, setup, action):
        app = self._app(setup)
        with pytest.raises(tk.NotAuthorized):
            call_auth(action, {"user": setup["admin"]["name"]}, id=app["id"])

    def test_review_queue_scoped_to_department(self, setup):
        self._app(setup)
        mine = call_action("govcat_access_application_list", {"user": setup["admin"]["name"]},
                           review=True)
        theirs = call_action("govcat_access_application_list",
                             {"user": setup["other_admin"]["name"]}, review=True)
        assert mine["count"] == 1 and mine["counts"] == {"submitted": 1}
        assert mine["results"][0]["package_title"] == setup["dataset"]["title"]
        assert theirs["count"] == 0

    def test_grant_list_and_audit_for_reviewers_only(self, setup):
        pid = setup["dataset"]["id"]
        for action in ("govcat_access_grant_list", "govcat_access_audit_list"):
            assert call_auth(action, {"user": setup["admin"]["name"]}, package_id=pid)
            with pytest.raises(tk.NotAuthorized):
                call_auth(action, {"user": setup["other_admin"]["name"]}, package_id=pid)


class TestRegisterAndReports:
    def test_register_hides_persons(self, setup):
        admin, pid = setup["admin"]["name"], setup["dataset"]["id"]
        person = submitted(setup["applicant"]["name"], pid, applicant_name="李四")
        org = submitted(setup["outsider"]["name"], pid, applicant_type="organization",
                        applicant_name="某某科技有限公司", uscc=ORG_USCC)
        decide(admin, person["id"], "approve")
        decide(admin, org["id"], "approve")
        result = call_action("govcat_access_register", {"user": ""})
        assert result["count"] == 2
        assert sorted(r["organization"] or "" for r in result["results"]) == ["", "某某科技有限公司"]
        assert "李四" not in repr(result) and "13800000000" not in repr(result)

    def test_report_by_grantee(self, setup):
        user = setup["applicant"]["name"]
        app = decide(setup["admin"]["name"], submitted(user, setup["dataset"]["id"])["id"],
                     "approve")
        grant_id = app["grants"][0]["id"]
        report = call_action("govcat_access_report_create", {"user": user}, grant_id=grant_id,
                             title="交通研究报告", url="https://example.com/r.pdf")
        assert report["grant_id"] == grant_id
        with pytest.raises(tk.NotAuthorized):
            call_auth("govcat_access_report_create", {"user": setup["outsider"]["name"]},
                      grant_id=grant_id)
