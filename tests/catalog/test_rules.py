"""One test per rule of REFERENCE §5: the good record passes, each bad variant fails on its rule
and field, with a Chinese message."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govcat.catalog import rules

from .conftest import GOV_USCC, GOV_USCC_2, good_record

TODAY = dt.date(2026, 1, 1)


def issues_of(standard, **overrides):
    record = rules.normalise(good_record(**overrides), standard)
    return rules.check(record, standard, today=TODAY, known_codes=["303026010201/1", "303026/2"])


def found(issues, rule, field, severity="error"):
    return [i for i in issues if (i.rule, i.field, i.severity) == (rule, field, severity)]


def test_good_record_has_no_issues(standard):
    assert issues_of(standard) == []


def test_labels_are_normalised(standard):
    record = rules.normalise(good_record(
        share_type="有条件共享", share_method_class="共享平台方式", share_method_type="服务接口",
        open_type="依申请开放", update_cycle="每年", format_class="数据库类", format_type="Oracle",
        secrecy="非涉密", publish_date="2017年11月10日",
        data_items=[{"name": "名称", "data_type": "字符串型C", "length": 200.0}]), standard)
    assert record["open_type"] == "conditional" and record["open_type_label"] == "依申请开放"
    assert record["share_method_type"] == "api" and record["publish_date"] == "2017-11-10"
    assert record["data_items"][0] == {"name": "名称", "data_type": "C", "length": "200",
                                       "description": ""}
    assert rules.check(record, standard, today=TODAY) == []


class TestR1Required:
    @pytest.mark.parametrize("field", rules.REQUIRED)
    def test_each_required_element(self, standard, field):
        issues = issues_of(standard, **{field: ""})
        assert found(issues, "R1", field)
        assert "必填" in found(issues, "R1", field)[0].message

    def test_unknown_vocabulary_value(self, standard):
        (issue,) = found(issues_of(standard, update_cycle="每隔很久"), "R1", "update_cycle")
        assert "每隔很久" in issue.message and "每季度" in issue.message


class TestR2Code:
    def test_bad_structure(self, standard):
        (issue,) = found(issues_of(standard, resource_code="30302/1"), "R2", "resource_code")
        assert "代码结构" in issue.message

    def test_class_not_in_tree(self, standard):
        assert found(issues_of(standard, resource_code="309999/1"), "R2", "resource_code")

    def test_lei_differs_from_classification(self, standard):
        (issue,) = found(issues_of(standard, resource_code="102001/1"), "R2", "resource_code")
        assert "类代码 1" in issue.message

    def test_class_differs_from_classification(self, standard):
        assert found(issues_of(standard, resource_code="303001/1"), "R2", "resource_code")

    def test_classification_not_in_tree(self, standard):
        assert found(issues_of(standard, classification="399"), "R2", "classification")

    def test_hebei_scheme(self, standard):
        record = rules.normalise(good_record(code_scheme="hebei-draft",
                                             resource_code="3030260000000000/00001"), standard)
        assert rules.check(record, standard, today=TODAY) == []
        record["resource_code"] = "303026010201/1"
        assert found(rules.check(record, standard, today=TODAY), "R2", "resource_code")


class TestR3Unique:
    def test_repeated_in_batch(self, standard):
        records = [good_record(), good_record(title="另一个")]
        (row,) = [r for r in rules.check_batch(records) if r.issue.rule == "R3"]
        assert row.index == 1 and "第1条" in row.issue.message

    def test_taken_by_other_owner(self, standard):
        out = rules.check_batch([good_record()], existing_codes={"303026010201/1": GOV_USCC_2})
        assert [r.issue.rule for r in out] == ["R3"]
        assert rules.check_batch([good_record()], existing_codes={"303026010201/1": GOV_USCC}) == []


def test_r4_conditional_needs_condition(standard):
    assert found(issues_of(standard, share_condition=""), "R4", "share_condition")


def test_r5_not_shared_needs_basis(standard):
    issues = issues_of(standard, share_type="不予共享", share_condition="", share_method_class="",
                       share_method_type="", open_type="closed", open_condition="")
    (issue,) = found(issues, "R5", "share_condition")
    assert "法律" in issue.message


class TestR6ShareMethod:
    def test_required_when_shareable(self, standard):
        assert found(issues_of(standard, share_method_class="", share_method_type=""),
                     "R6", "share_method_class")

    def test_warning_when_not_shared(self, standard):
        issues = issues_of(standard, share_type="none", share_condition="《保密法》第九条",
                           open_type="closed", open_condition="")
        assert found(issues, "R6", "share_method_class", "warning")
        assert not rules.has_errors(issues)


def test_r7_platform_needs_type(standard):
    assert found(issues_of(standard, share_method_type=""), "R7", "share_method_type")


def test_r7_email_needs_no_type(standard):
    assert issues_of(standard, share_method_class="邮件方式", share_method_type="") == []


def test_r8_file_formats_share_as_files(standard):
    issues = issues_of(standard, format_class="电子文件", format_type="pdf", data_items=[],
                       share_method_type="数据库")
    (issue,) = found(issues, "R8", "share_method_type")
    assert "文件" in issue.message


def test_r9_database_shares_as_database_or_api(standard):
    assert found(issues_of(standard, share_method_type="文件"), "R9", "share_method_type")
    assert issues_of(standard, share_method_type="数据库") == []


class TestR10FormatType:
    def test_type_of_another_class(self, standard):
        (issue,) = found(issues_of(standard, format_type="xlsx"), "R10", "format_type")
        assert "电子表格" in issue.message

    def test_unknown_type_warns(self, standard):
        assert found(issues_of(standard, format_type="gbase"), "R10", "format_type", "warning")

    def test_self_describing_needs_description(self, standard):
        issues = issues_of(standard, format_class="自描述格式", format_type="", format_note="",
                           data_items=[], share_method_type="file")
        assert found(issues, "R10", "format_note")


class TestR11DataItems:
    def test_structured_needs_items(self, standard):
        assert found(issues_of(standard, data_items=[]), "R11", "data_items")

    def test_files_need_none(self, standard):
        assert issues_of(standard, format_class="file", format_type="pdf", data_items=[],
                         share_method_type="file") == []

    def test_type_not_in_pick_list(self, standard):
        (issue,) = found(issues_of(standard, data_items=[{"name": "x", "data_type": "JSON格式型J"}]),
                         "R11", "data_items")
        assert "下拉列表" in issue.message

    @pytest.mark.parametrize("item", [
        {"name": "x", "data_type": "C", "length": ""},
        {"name": "x", "data_type": "N", "length": "十八"},
        {"name": "", "data_type": "C", "length": "1"},
        {"name": "x", "data_type": "", "length": "1"},
    ])
    def test_bad_items(self, standard, item):
        assert found(issues_of(standard, data_items=[item]), "R11", "data_items")


def test_r12_item_names_unique(standard):
    items = [{"name": "名称", "data_type": "C", "length": "10"},
             {"name": "名 称", "data_type": "C", "length": "10"}]
    (issue,) = found(issues_of(standard, data_items=items), "R12", "data_items")
    assert "重名" in issue.message


class TestR13R14Open:
    def test_conditional_needs_condition(self, standard):
        assert found(issues_of(standard, open_condition=""), "R13", "open_condition")

    def test_unconditional_needs_condition_text(self, standard):
        assert found(issues_of(standard, open_type="是", open_condition=""), "R13", "open_condition")
        assert issues_of(standard, open_type="是", open_condition="无条件") == []

    def test_closed_needs_none(self, standard):
        assert issues_of(standard, open_type="否", open_condition="") == []

    def test_open_but_not_shared_warns(self, standard):
        issues = issues_of(standard, share_type="none", share_condition="依据", share_method_class="",
                           share_method_type="")
        assert found(issues, "R14", "open_type", "warning") and not rules.has_errors(issues)


class TestR15ProviderCode:
    def test_bad_checksum(self, standard):
        (issue,) = found(issues_of(standard, provider_code="91350100M000100Y4Z"), "R15", "provider_code")
        assert "统一社会信用代码" in issue.message

    def test_company_code_warns(self, standard):
        assert found(issues_of(standard, provider_code="91350100M000100Y43"), "R15", "provider_code",
                     "warning")


def test_r16_same_provider_same_code(standard):
    records = [good_record(), good_record(resource_code="303026010201/2", title="其他",
                                          provider_code=GOV_USCC_2)]
    rows = [r for r in rules.check_batch(records) if r.issue.rule == "R16"]
    assert [r.index for r in rows] == [1]


def test_r17_unusual_code_length(standard):
    records = [good_record(resource_code=f"303026010201/{i}", title=f"资源{chr(0x4e00 + i)}")
               for i in range(1, 5)]
    records.append(good_record(resource_code="303026/5", title="短代码资源"))
    rows = [r for r in rules.check_batch(records) if r.issue.rule == "R17"]
    assert [r.index for r in rows] == [4] and rows[0].issue.severity == "warning"


class TestR18Date:
    @pytest.mark.parametrize("value", ["2017/13/01", "17-11-10", "2017-02-30", "明年"])
    def test_invalid(self, standard, value):
        assert found(issues_of(standard, publish_date=value), "R18", "publish_date")

    def test_future(self, standard):
        (issue,) = found(issues_of(standard, publish_date="2026-01-02"), "R18", "publish_date")
        assert "将来" in issue.message

    def test_excel_date(self, standard):
        assert issues_of(standard, publish_date=dt.datetime(2017, 11, 10)) == []


class TestR19Related:
    def test_known_and_external(self, standard):
        assert issues_of(standard, related_codes="303026/2, 外部:999") == []

    def test_unknown_and_malformed_warn(self, standard):
        issues = issues_of(standard, related_codes="303026/3；abc")
        assert len(found(issues, "R19", "related_codes", "warning")) == 2
        assert not rules.has_errors(issues)


class TestR20Census:
    def test_units_rejected(self, standard):
        (issue,) = found(issues_of(standard, census_storage_total="100GB"), "R20", "census_storage_total")
        assert "数字" in issue.message

    def test_blank_is_zero(self, standard):
        record = rules.normalise(good_record(census_open_records=None), standard)
        assert record["census_open_records"] == "0"


def test_secret_resources_cannot_be_public(standard):
    issues = issues_of(standard, secrecy="涉密", private=False)
    assert found(issues, "S1", "open_type") and found(issues, "S1", "secrecy")
    assert issues_of(standard, secrecy="涉密", private=True, open_type="closed", open_condition="") == []


class TestDuplicates:
    def test_drag_fill_and_punctuation(self, standard):
        records = [good_record(title="企业 登记信息（全量）1", resource_code="303026010201/1"),
                   good_record(title="企业登记信息(全量)2", resource_code="303026010201/2"),
                   good_record(title="企业登记信息", provider="别的部门", resource_code="303026010201/3",
                               provider_code=GOV_USCC_2)]
        rows = [r for r in rules.check_batch(records) if r.issue.rule == "D1"]
        assert [r.index for r in rows] == [1] and rows[0].issue.severity == "warning"
