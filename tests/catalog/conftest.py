from __future__ import annotations

import pytest

from ckanext.govcat.catalog import standard as standard_mod

GOV_USCC = "11130000MB00000017"
GOV_USCC_2 = "12130000MB12345603"


@pytest.fixture(scope="session")
def standard():
    return standard_mod.load()


def good_record(**overrides):
    """A record that passes every rule (national-1272 scheme)."""
    record = {
        "classification": "303026010201",
        "title": "审计工作报告",
        "resource_code": "303026010201/1",
        "provider": "河北省审计厅",
        "provider_code": GOV_USCC,
        "notes": "历年审计工作报告",
        "format_class": "database",
        "format_type": "oracle",
        "data_items": [
            {"name": "报告名称", "data_type": "C", "length": "200"},
            {"name": "金额", "data_type": "N", "length": "18,2"},
            {"name": "发布日期", "data_type": "D", "length": ""},
        ],
        "share_type": "conditional",
        "share_condition": "仅向审计相关部门共享",
        "share_method_class": "platform",
        "share_method_type": "api",
        "open_type": "conditional",
        "open_condition": "经申请审核后开放",
        "update_cycle": "yearly",
        "publish_date": "2017-11-10",
        "related_codes": [],
        "secrecy": "non_secret",
        "census_storage_total": "10",
        "census_records_total": "1000",
    }
    record.update(overrides)
    return record


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """The catalog room has no CKAN imports: its tests run without loading plugins (milliseconds).
    Tests that need CKAN live in tests/catalog/ckan/ and load plugins again."""
