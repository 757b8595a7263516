"""Demo content for `govcat up --demo`: departments and catalog entries from ``demo.json``.

Contract: ``load_demo(user)`` creates, through CKAN actions as ``user`` (a sysadmin), every
organization and dataset of ``demo.json`` that does not exist yet, and for entries with a
``table`` a DataStore table (a resource behind the Data API, downloadable as CSV/JSON/XLSX).
Returns the number of datasets created: 0 when the demo content is already there.

Data file shape (plain CKAN fields plus extras until the catalog schema exists):
``{"organizations": [{name, title, description}], "datasets": [{name, title, notes,
organization, category (基础|主题|部门), subject, tags, update_frequency, table?: {fields,
records}}]}``.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk

EXTRAS = {"category": "govcat_category", "subject": "govcat_subject",
          "update_frequency": "govcat_update_frequency"}


def demo_content() -> dict[str, Any]:
    source = resources.files("ckanext.govcat.launcher.demo").joinpath("demo.json")
    return json.loads(source.read_text("utf-8"))


def _exists(action: str, name: str) -> bool:
    try:
        tk.get_action(action)({"ignore_auth": True}, {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


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
        dataset = tk.get_action("package_create")(context(), {
            "name": entry["name"],
            "title": entry["title"],
            "notes": entry["notes"],
            "owner_org": entry["organization"],
            "license_id": "cc-by",
            "tags": [{"name": tag} for tag in entry["tags"]],
            "extras": [{"key": key, "value": entry[field]} for field, key in EXTRAS.items()],
        })
        table = entry.get("table")
        if table:
            tk.get_action("datastore_create")(context(), {
                "resource": {"package_id": dataset["id"], "name": entry["title"] + "（数据表）",
                             "format": "CSV", "description": entry["notes"]},
                "fields": table["fields"],
                "records": table["records"],
                "force": True,
            })
        created += 1
    return created
