"""Template helpers of the home page: catalog totals, datasets per catalog category (类),
latest and most-downloaded datasets, departments. Every list holds public, active datasets only (what an anonymous visitor may see).

Download counts come from CKAN's ``tracking`` plugin: resource clicks recorded by its page
script and aggregated by ``ckan tracking update`` (the launcher's scheduler runs it every
minute). Without the plugin the "most downloaded" list is empty.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk


def _items() -> int:
    return tk.config["ckanext.govcat.theme.home_items"]


def govcat_home_totals() -> dict[str, int]:
    """Counts shown on the home page: public datasets, departments, data resources."""
    datasets = tk.get_action("package_search")({}, {"rows": 0})["count"]
    departments = model.Session.scalar(
        sa.select(sa.func.count(model.Group.id)).where(
            model.Group.is_organization.is_(True), model.Group.state == "active"))
    resources = model.Session.scalar(
        sa.select(sa.func.count(model.Resource.id))
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .where(model.Resource.state == "active", model.Package.state == "active",
               model.Package.private.is_(False)))
    return {"datasets": datasets, "departments": departments or 0, "resources": resources or 0}


# The catalog's first level (类) as the govcat plugin indexes it (search key ``class_1``).
CATEGORY_CODES = ("1", "2", "3")


def govcat_home_categories() -> dict[str, int]:
    """Public datasets per category code (1 基础, 2 主题, 3 部门), from the ``class_1`` facet;
    every code is present (0 when none)."""
    found = tk.get_action("package_search")(
        {}, {"rows": 0, "facet.field": ["class_1"], "facet.limit": -1})
    counts = found["facets"].get("class_1", {})
    return {code: int(counts.get(code, 0)) for code in CATEGORY_CODES}


def govcat_latest_datasets() -> list[dict[str, Any]]:
    return tk.get_action("package_search")(
        {}, {"rows": _items(), "sort": "metadata_modified desc"})["results"]


def govcat_most_downloaded() -> list[dict[str, Any]]:
    """Datasets ordered by downloads of their resources (tracking summary), most first.
    Each dict is the search result of the dataset plus ``govcat_downloads``."""
    if not p.plugin_loaded("tracking"):
        return []
    from ckanext.tracking.model import TrackingSummary as ts

    downloads = sa.func.sum(ts.count).label("downloads")
    rows = model.Session.execute(
        sa.select(model.Resource.package_id, downloads)
        .join(model.Resource, sa.or_(ts.url == model.Resource.url,
                                     ts.url.contains(model.Resource.id)))
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .where(ts.tracking_type == "resource", model.Package.state == "active",
               model.Package.private.is_(False))
        .group_by(model.Resource.package_id)
        .order_by(downloads.desc())
        .limit(_items())
    ).all()
    if not rows:
        return []
    counts = {package_id: int(n) for package_id, n in rows}
    found = tk.get_action("package_search")(
        {}, {"fq": "id:(" + " OR ".join(f'"{i}"' for i in counts) + ")", "rows": len(counts)})
    results = sorted(found["results"], key=lambda d: -counts[d["id"]])
    for dataset in results:
        dataset["govcat_downloads"] = counts[dataset["id"]]
    return results


def govcat_departments() -> list[dict[str, Any]]:
    return tk.get_action("organization_list")(
        {}, {"all_fields": True, "sort": "package_count desc",
             "limit": tk.config["ckanext.govcat.theme.home_departments"]})


def get_helpers() -> dict[str, Any]:
    from .dates import render_datetime
    from .search_errors import govcat_search_error

    return {f.__name__: f for f in (govcat_home_totals, govcat_home_categories,
                                    govcat_latest_datasets,
                                    govcat_most_downloaded, govcat_departments,
                                    govcat_search_error, render_datetime)}
