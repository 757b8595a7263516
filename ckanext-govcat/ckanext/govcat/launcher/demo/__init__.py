"""Demo content for `govcat up --demo`: departments and catalog entries from ``demo.json``.

Contract: ``load_demo(user)`` creates, through CKAN actions as ``user`` (a sysadmin), every
organization and dataset of ``demo.json`` that does not exist yet, and for entries with a
``table`` a DataStore table (a resource behind the Data API, downloadable as CSV/JSON/XLSX).
Returns the number of datasets created: 0 when the demo content is already there.

Data file shape: the govcat schemas' own field names, so every entry goes through the catalog
validators (R1–R20) and the search index like any published resource:
``{"organizations": [{name, title, description, provider_code, department_class,
region_code}], "datasets": [{name, title, notes, organization, classification, resource_code,
format_class, format_type, data_items: [{name, data_type, length}], share_type,
share_condition, share_method_class, share_method_type, open_type, open_condition,
update_cycle, publish_date, secrecy, tags, table?: {fields, records}}]}``. ``organization`` is
the owning department's name; provider and provider code come from it (schema default).
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk

# Keys of a data-file entry that are not dataset fields.
_NOT_FIELDS = ("organization", "tags", "table")


def demo_content() -> dict[str, Any]:
    source = resources.files("ckanext.govcat.launcher.demo").joinpath("demo.json")
    return json.loads(source.read_text("utf-8"))


def _exists(action: str, name: str) -> bool:
    try:
        tk.get_action(action)({"ignore_auth": True}, {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def dataset_dict(entry: dict[str, Any]) -> dict[str, Any]:
    """The ``package_create`` data of one data-file entry."""
    fields = {key: value for key, value in entry.items() if key not in _NOT_FIELDS}
    return {**fields, "owner_org": entry["organization"], "license_id": "cc-by",
            "tags": [{"name": tag} for tag in entry["tags"]]}


def load_demo(user: str) -> int:
    content = demo_content()
    if _exists("package_show", content["datasets"][-1]["name"]):
        return 0

    def context() -> dict[str, Any]:
        return {"user": user}

    for org in content["organizations"]:
        if not _exists("organization_show", org["name"]):
            tk.get_action("organization_create")(context(), dict(org))
    created = 0
    for entry in content["datasets"]:
        if _exists("package_show", entry["name"]):
            continue
        dataset = tk.get_action("package_create")(context(), dataset_dict(entry))
        table = entry.get("table")
        if table:
            stored = tk.get_action("datastore_create")(context(), {
                "resource": {"package_id": dataset["id"], "name": entry["title"] + "（数据表）",
                             "format": "CSV", "description": entry["notes"],
                             "list_type": "table"},
                "fields": table["fields"],
                "records": table["records"],
                "force": True,
            })
            # The resource was created before its table: add the table preview now.
            tk.get_action("resource_create_default_resource_views")(context(), {
                "resource": tk.get_action("resource_show")(
                    context(), {"id": stored["resource_id"]}),
                "create_datastore_views": True,
            })
        created += 1
    return created
