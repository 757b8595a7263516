"""Catalog actions (``govcat_catalog_*``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ..catalog import tree as tree_mod
from . import config as catalog_config
from . import schema

# Filter queries of the catalog views of the seeds' catalog system.
VIEWS: dict[str, str] = {
    "all": "",
    "share": "share_type:(unconditional OR conditional)",
    "open": "open_type:(unconditional OR conditional)",
}
UNCLASSIFIED = "_unclassified"


def _classification_counts(context: Context, fq: str) -> tuple[dict[str, int], int]:
    """Datasets per classification code (as the user may see them) and their total."""
    result = tk.get_action("package_search")(
        {"user": context.get("user")},
        {"q": "", "fq": fq, "rows": 0, "facet.field": ["classification"], "facet.limit": -1,
         "facet.mincount": 1})
    items = result["search_facets"].get("classification", {}).get("items", [])
    return {item["name"]: item["count"] for item in items}, result["count"]


def _node_dict(tree: tree_mod.ClassificationTree, node: tree_mod.Node,
               own: dict[str, int]) -> dict[str, Any]:
    children = [_node_dict(tree, child, own) for child in tree.children(node.code)]
    count = own.get(node.code, 0) + sum(c["count"] for c in children)
    return {"code": node.code, "name": node.name, "level": node.level,
            "level_name": node.level_name, "count": count, "children": children}


@validate(schema.catalog_tree)
@tk.side_effect_free
def govcat_catalog_tree(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The classification tree with the number of visible datasets at every node (a node counts
    its own datasets and its descendants').

    :param view: ``all`` (default), ``share`` (shareable: 无条件/有条件共享) or ``open``
        (open to the public: 无条件/有条件开放)
    :param organization: only datasets of this department (name)
    :returns: ``{"view", "total", "unclassified", "children": [node, ...]}``, each node
        ``{"code", "name", "level", "level_name", "count", "children"}``
    :raises ValidationError: unknown view

    Example: ``GET /api/action/govcat_catalog_tree?view=open``
    """
    tk.check_access("govcat_catalog_tree", context, data_dict)
    view = data_dict.get("view") or "all"
    if view not in VIEWS:
        raise tk.ValidationError({"view": [f"应为 {' / '.join(VIEWS)} 之一"]})
    filters = [VIEWS[view]] if VIEWS[view] else []
    if data_dict.get("organization"):
        filters.append(f'organization:"{data_dict["organization"]}"')
    own, total = _classification_counts(context, " AND ".join(filters))
    tree = catalog_config.standard().tree
    children = [_node_dict(tree, root, own) for root in tree.children(None)]
    classified = sum(c["count"] for c in children)
    return {"view": view, "total": total, "unclassified": total - classified,
            "children": children}


@validate(schema.catalog_next_code)
@tk.side_effect_free
def govcat_catalog_next_code(context: Context, data_dict: DataDict) -> dict[str, str]:
    """The next free resource code under a classification node (代码生成): one more than the
    highest sequence any dataset uses there.

    :param classification: full code of a tree node, e.g. ``303026010201``
    :param code_scheme: scheme name (default: ckanext.govcat.catalog.code_scheme)
    :param middle: the hebei-draft middle code (default from the scheme definition)
    :returns: ``{"code": "303026010201/3", "code_scheme": "national-1272"}``
    :raises ValidationError: unknown node or scheme
    """
    tk.check_access("govcat_catalog_next_code", context, data_dict)
    from .validators import codes_under

    standard = catalog_config.standard()
    node_code = data_dict["classification"]
    if node_code not in standard.tree:
        raise tk.ValidationError({"classification": [f"分类 {node_code} 不存在"]})
    name = data_dict.get("code_scheme") or catalog_config.code_scheme()
    if name not in standard.schemes:
        raise tk.ValidationError({"code_scheme": [f"编码规则 {name} 不存在"]})
    scheme = standard.schemes[name]
    prefix = scheme.class_prefix(node_code)
    code = scheme.next_code(prefix, codes_under(prefix), data_dict.get("middle"))
    return {"code": code, "code_scheme": name}


@validate(schema.catalog_import)
def govcat_catalog_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Import a catalog workbook (1272 filling template, .xlsx or .csv), all or nothing.

    :param upload: the file (multipart upload)
    :param organization: department (name or id) every row belongs to; sysadmins may omit it
        to match rows to departments by provider code or name
    :param dry_run: only check (default false)
    :returns: ``{"ok", "dry_run", "resources", "data_items", "errors", "warnings", "created",
        "updated", "lines": [{"row", "column", "severity", "rule", "message", "resource"}]}``;
        when ``ok`` is false nothing was written
    :raises ValidationError: the file is not a catalog workbook

    Example: ``ckanapi action govcat_catalog_import upload@catalog.xlsx organization=audit dry_run=true``
    """
    tk.check_access("govcat_catalog_import", context, data_dict)
    from ..catalog.messages import render
    from ..catalog.workbook import WorkbookError
    from . import importer

    upload = data_dict["upload"]
    filename = getattr(upload, "filename", "") or data_dict.get("filename", "")
    stream = getattr(upload, "stream", upload)
    try:
        result = importer.run(stream, filename, user=context.get("user", ""),
                              organization=data_dict.get("organization"),
                              dry_run=bool(data_dict.get("dry_run")))
    except WorkbookError as exc:
        raise tk.ValidationError({"upload": [render(exc.args[0], tk._)]}) from exc
    return result.as_dict()


@validate(schema.catalog_statistics)
@tk.side_effect_free
def govcat_catalog_statistics(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Catalog statistics per category and 项 (REFERENCE §11): departments, resources, data
    items, shareable, openable, unconditionally/conditionally shared, open. Public datasets only,
    unless the caller is a sysadmin.

    :param organization: only this department (name or id)
    :returns: ``{"total": row, "categories": [row + {"items": [row]}]}``
    """
    tk.check_access("govcat_catalog_statistics", context, data_dict)
    import ckan.authz as authz
    import ckan.model as model

    from . import statistics

    org_id = None
    if data_dict.get("organization"):
        group = model.Group.get(data_dict["organization"])
        if group is None:
            raise tk.ObjectNotFound("部门不存在")
        org_id = group.id
    return statistics.compute(catalog_config.standard(),
                              include_private=authz.is_sysadmin(context.get("user")),
                              organization_id=org_id)
