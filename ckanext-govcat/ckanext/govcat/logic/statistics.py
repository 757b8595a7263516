"""Catalog statistics (REFERENCE §11): per category (基础/主题/部门) and per 项 — departments,
resources, data items, shareable, openable, unconditionally shared, conditionally shared, open."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.model as model

from ..catalog.standard import Standard

COUNTERS = ("departments", "resources", "data_items", "shareable", "openable",
            "shared_unconditional", "shared_conditional", "open")


def _empty() -> dict[str, Any]:
    return {key: 0 for key in COUNTERS} | {"_orgs": set()}


def compute(standard: Standard, include_private: bool = False,
            organization_id: Optional[str] = None) -> dict[str, Any]:
    """``{"total": row, "categories": [row + {"items": [row, ...]}]}``; a row is
    ``{code, name, departments, resources, data_items, shareable, openable,
    shared_unconditional, shared_conditional, open}``. One query; aggregation in Python."""
    extras = model.Package.extras
    items = sa.func.coalesce(sa.func.jsonb_array_length(
        sa.cast(sa.func.coalesce(extras["data_items"].astext, "[]"), JSONB)), 0)
    query = model.Session.query(
        model.Package.owner_org, extras["classification"].astext, extras["share_type"].astext,
        extras["open_type"].astext, items).filter(
        model.Package.state == "active", model.Package.type == "dataset",
        extras["resource_code"].astext.isnot(None))
    if not include_private:
        query = query.filter(model.Package.private.is_(False))
    if organization_id:
        query = query.filter(model.Package.owner_org == organization_id)
    total = _empty()
    rows: dict[str, dict[str, Any]] = {}
    for owner, classification, share, open_type, count in query:
        code = classification or ""
        keys = [code[:1], code[:3]] if code[:1] in ("1", "2", "3") else ["_"]
        for target in [total] + [rows.setdefault(k, _empty()) for k in keys]:
            target["_orgs"].add(owner)
            target["resources"] += 1
            target["data_items"] += int(count or 0)
            target["shareable"] += share in ("unconditional", "conditional")
            target["openable"] += open_type in ("unconditional", "conditional")
            target["shared_unconditional"] += share == "unconditional"
            target["shared_conditional"] += share == "conditional"
            target["open"] += open_type in ("unconditional", "conditional")

    def finish(row: dict[str, Any], code: str, name: str) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if k != "_orgs"}
        out.update(code=code, name=name, departments=len(row["_orgs"] - {None}))
        return out

    categories = []
    for root in standard.tree.children(None):
        row = finish(rows.get(root.code, _empty()), root.code, root.name)
        row["items"] = [finish(rows[child.code], child.code, child.name)
                        for child in standard.tree.children(root.code) if child.code in rows]
        categories.append(row)
    if "_" in rows:
        categories.append(finish(rows["_"], "", "未分类") | {"items": []})
    return {"total": finish(total, "", "合计"), "categories": categories}


HEADERS = ("分类代码", "分类", "部门数", "信息资源数", "信息项数", "可共享", "可开放", "无条件共享", "有条件共享", "开放")


def table_rows(stats: dict[str, Any]) -> list[list[Any]]:
    out = []
    for category in stats["categories"]:
        for row in [category] + category["items"]:
            out.append([row["code"], row["name"]] + [row[k] for k in COUNTERS])
    total = stats["total"]
    out.append(["", total["name"]] + [total[k] for k in COUNTERS])
    return out
