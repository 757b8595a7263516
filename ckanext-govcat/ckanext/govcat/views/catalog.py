"""Catalog pages: tree browse with counts (全部 / 共享目录 / 开放目录), 部门目录, statistics,
workbook import and export."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk

catalog = Blueprint("govcat_catalog", __name__, url_prefix="/catalog")

VIEW_TITLES = {"all": "政务信息资源目录", "share": "共享目录", "open": "开放目录"}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def tree(view: str = "all") -> str:
    organization = tk.request.args.get("organization", "")
    data = tk.get_action("govcat_catalog_tree")(
        _context(), {"view": view, "organization": organization})
    return tk.render("govcat/catalog/tree.html",
                     {"tree": data, "view": view, "view_titles": VIEW_TITLES,
                      "organization": organization})


def departments() -> str:
    result = tk.get_action("package_search")(
        _context(), {"q": "", "rows": 0, "facet.field": ["organization"], "facet.limit": -1})
    counts = {i["name"]: i["count"]
              for i in result["search_facets"].get("organization", {}).get("items", [])}
    orgs = tk.get_action("organization_list")(_context(), {"all_fields": True,
                                                            "include_extras": True})
    rows = [dict(org, dataset_count=counts.get(org["name"], 0)) for org in orgs]
    return tk.render("govcat/catalog/departments.html", {"departments": rows})


catalog.add_url_rule("/", view_func=tree, defaults={"view": "all"}, endpoint="index")
catalog.add_url_rule("/share", view_func=tree, defaults={"view": "share"}, endpoint="share")
catalog.add_url_rule("/open", view_func=tree, defaults={"view": "open"}, endpoint="open")
catalog.add_url_rule("/departments", view_func=departments, endpoint="departments")


def get_blueprints() -> list[Blueprint]:
    return [catalog]
