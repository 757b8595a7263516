"""package_create / package_update / organization_create with the govcat schemas."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .helpers import GOV_USCC, department, resource_dict


@pytest.mark.usefixtures("clean_db")
class TestPackageCreate:
    def test_good_metadata_is_normalised(self):
        org = department(title="河北省审计厅")
        pkg = call_action("package_create", **resource_dict(org))
        assert pkg["open_type"] == "conditional" and pkg["open_type_label"] == "依申请开放"
        assert pkg["share_type"] == "conditional" and pkg["share_method_type"] == "api"
        assert pkg["publish_date"] == "2017-11-10" and pkg["update_cycle"] == "yearly"
        assert pkg["data_items"][0] == {"name": "报告名称", "data_type": "C", "length": "200",
                                        "description": ""}
        # provider and provider code default to the department
        assert pkg["provider"] == "河北省审计厅" and pkg["provider_code"] == GOV_USCC
        assert pkg["name"] == "res-303026010201-1"
        assert pkg["catalog_warnings"] == []
        shown = call_action("package_show", id=pkg["id"])
        assert shown["data_items"][1]["length"] == "18,2"

    def test_bad_metadata_names_fields_in_chinese(self):
        org = department()
        with pytest.raises(tk.ValidationError) as exc:
            call_action("package_create", **resource_dict(
                org, share_condition="", publish_date="2017-13-01", format_type="xlsx",
                data_items=[{"name": "x", "data_type": "JSON格式型J"}]))
        errors = exc.value.error_dict
        assert "共享条件" in errors["share_condition"][0]
        assert "发布日期" in errors["publish_date"][0]
        assert "电子表格" in errors["format_type"][0]
        assert "下拉列表" in errors["data_items"][0]

    def test_missing_required_elements(self):
        org = department()
        with pytest.raises(tk.ValidationError) as exc:
            call_action("package_create", name="empty-one", owner_org=org["id"])
        errors = exc.value.error_dict
        for field in ("classification", "resource_code", "notes", "format_class", "share_type",
                      "open_type", "update_cycle", "publish_date"):
            assert "必填" in errors[field][0], field

    def test_resource_code_unique(self):
        org = department()
        call_action("package_create", **resource_dict(org))
        with pytest.raises(tk.ValidationError) as exc:
            call_action("package_create", **resource_dict(org, name="another", title="另一个"))
        assert "必须唯一" in exc.value.error_dict["resource_code"][0]

    def test_warnings_do_not_block(self):
        org = department()
        pkg = call_action("package_create", **resource_dict(org, format_type="gbase"))
        assert [w["rule"] for w in pkg["catalog_warnings"]] == ["R10"]
        assert "格式类型" in pkg["catalog_warnings"][0]["message"]

    def test_secret_resource_cannot_be_public(self):
        org = department()
        with pytest.raises(tk.ValidationError) as exc:
            call_action("package_create", **resource_dict(org, secrecy="涉密"))
        assert "涉密" in exc.value.error_dict["secrecy"][0]
        pkg = call_action("package_create", **resource_dict(
            org, secrecy="涉密", private=True, open_type="不予开放", open_condition=""))
        assert pkg["secrecy"] == "secret" and pkg["private"] is True

    def test_bad_department_code_rejected_on_dataset(self):
        org = department(provider_code="")
        with pytest.raises(tk.ValidationError) as exc:
            call_action("package_create", **resource_dict(org, provider_code="91350100M000100Y4Z"))
        assert "统一社会信用代码" in exc.value.error_dict["provider_code"][0]


@pytest.mark.usefixtures("clean_db")
class TestPackageUpdate:
    def test_update_keeps_code_and_rechecks(self):
        org = department()
        pkg = call_action("package_create", **resource_dict(org))
        pkg["share_type"] = "不予共享"
        pkg["share_condition"] = ""
        with pytest.raises(tk.ValidationError) as exc:
            call_action("package_update", **pkg)
        assert "依据" in exc.value.error_dict["share_condition"][0]
        pkg.update(share_condition="《审计法》第三十四条", share_method_class="", share_method_type="",
                   open_type="否", open_condition="")
        updated = call_action("package_update", **pkg)
        assert updated["share_type"] == "none" and updated["open_type"] == "closed"
        assert {w["rule"] for w in updated["catalog_warnings"]} == set()

    def test_patch_title(self):
        org = department()
        pkg = call_action("package_create", **resource_dict(org))
        patched = call_action("package_patch", id=pkg["id"], title="审计工作报告（年度）")
        assert patched["title"] == "审计工作报告（年度）" and patched["resource_code"] == "303026010201/1"


@pytest.mark.usefixtures("clean_db")
class TestDepartment:
    def test_good_department(self):
        parent = department(name="hebei-gov")
        org = department(name="hebei-audit", parent_department="hebei-gov",
                         provider_code="11130000mb00000017", department_class="人民检察院")
        shown = call_action("organization_show", id=org["id"])
        assert shown["provider_code"] == GOV_USCC and shown["department_class"] == "procuratorate"
        assert shown["parent_department"] == parent["name"] and shown["region_code"] == "130000"

    def test_description_from_form_to_page_and_api(self, app):
        """部门简介 is CKAN's organization ``description``: the form field, the API and the
        department page all use it."""
        from bs4 import BeautifulSoup

        admin = factories.Sysadmin()
        env = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
        form = BeautifulSoup(app.get("/organization/new", headers=env).body, "html.parser")
        assert form.select_one("textarea[name=description]") is not None
        assert form.select_one("[name=notes]") is None
        app.post("/organization/new", headers=env, data={
            "title": "河北省审计厅", "name": "hebei-audit", "provider_code": GOV_USCC,
            "description": "负责全省审计监督工作。", "save": ""})
        shown = call_action("organization_show", id="hebei-audit")
        assert shown["description"] == "负责全省审计监督工作。" and "notes" not in shown
        page = BeautifulSoup(app.get("/organization/hebei-audit").body, "html.parser")
        assert "负责全省审计监督工作。" in page.text
        about = BeautifulSoup(app.get("/organization/about/hebei-audit").body, "html.parser")
        assert "负责全省审计监督工作。" in about.text

    @pytest.mark.parametrize("field,value,fragment", [
        ("provider_code", "91350100M000100Y4Z", "统一社会信用代码"),
        ("region_code", "1300", "行政区划代码"),
        ("department_class", "公司", "部门类别"),
        ("parent_department", "no-such-dept", "不存在"),
    ])
    def test_bad_department(self, field, value, fragment):
        with pytest.raises(tk.ValidationError) as exc:
            factories.Organization(**{field: value})
        assert fragment in exc.value.error_dict[field][0]


@pytest.mark.usefixtures("clean_db", "with_request_context")
class TestMessageLanguage:
    """The rules' messages go through CKAN's i18n (domain ckanext-govcat): Chinese by default
    (the portal's zh_Hans_CN), English when the site speaks English."""

    BAD = {"provider_code": "91350100M000100Y4Z", "share_condition": "",
           "publish_date": "2017-13-01"}

    def _errors(self) -> dict:
        with pytest.raises(tk.ValidationError) as exc:
            call_action("package_create", **resource_dict(department(), **self.BAD))
        return exc.value.error_dict

    def test_chinese_by_default(self):
        errors = self._errors()
        assert errors["provider_code"] == ["「信息资源提供方代码」不是有效的统一社会信用代码：含有不允许的字符 Z"
                                           "（不使用 I、O、S、V、Z）。请核对后重新填写。"]
        assert errors["share_condition"] == ["「共享条件/不予共享依据」在共享类型为「有条件共享」时必须填写，"
                                             "请写明共享条件。"]
        assert errors["publish_date"] == ["「发布日期」「2017-13-01」格式不正确，请按 CCYY-MM-DD 填写，"
                                          "例如 2017-11-10。"]

    @pytest.mark.ckan_config("ckan.locale_default", "en")
    def test_english(self):
        errors = self._errors()
        assert errors["provider_code"] == [
            '"Provider code" is not a valid unified social credit code: it contains characters '
            "that are not allowed: Z (I, O, S, V and Z are not used). Check it and enter it again."]
        assert errors["share_condition"] == [
            '"Share condition or legal basis" is required when the share type is conditional: '
            "state the share condition."]
        assert errors["publish_date"] == [
            '"Publish date" "2017-13-01" is not in the format CCYY-MM-DD, e.g. 2017-11-10.']

    @pytest.mark.ckan_config("ckan.locale_default", "en")
    def test_department_and_warning_messages_in_english(self):
        with pytest.raises(tk.ValidationError) as exc:
            factories.Organization(region_code="990000")
        assert exc.value.error_dict["region_code"] == [
            "Region code must be a 6-digit administrative division code (GB/T 2260) starting "
            "with 1–8"]
        pkg = call_action("package_create", **resource_dict(
            department(), provider_code="91512081MA62K0260E"))
        assert [w["message"] for w in pkg["catalog_warnings"]] == [
            '"Provider code" starts with 91; government departments usually start with 11 '
            "(organ) or 12 (public institution). Please check."]
