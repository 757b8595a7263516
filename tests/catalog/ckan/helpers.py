from __future__ import annotations

from typing import Any

from ckan.tests import factories

GOV_USCC = "11130000MB00000017"


def department(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("provider_code", GOV_USCC)
    kwargs.setdefault("department_class", "政府")
    kwargs.setdefault("region_code", "130000")
    return factories.Organization(**kwargs)


def resource_dict(org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A complete information resource (passes R1–R20), labels as a clerk writes them."""
    data = {
        "title": "审计工作报告",
        "owner_org": org["id"],
        "classification": "303026010201",
        "resource_code": "303026010201/1",
        "notes": "历年审计工作报告",
        "format_class": "数据库",
        "format_type": "oracle",
        "data_items": [{"name": "报告名称", "data_type": "字符串型C", "length": "200"},
                       {"name": "金额", "data_type": "N", "length": "18,2"}],
        "share_type": "有条件共享",
        "share_condition": "仅向审计相关部门共享",
        "share_method_class": "共享平台方式",
        "share_method_type": "接口",
        "open_type": "依申请开放",
        "open_condition": "经申请审核后开放",
        "update_cycle": "每年",
        "publish_date": "2017年11月10日",
        "secrecy": "非涉密",
    }
    data.update(overrides)
    return data
