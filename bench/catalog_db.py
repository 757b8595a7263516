"""Real CKAN rows for the benchmarks: the departments as organizations, a sysadmin, and bulk
datasets (core inserts on ``ckan.model`` tables, for ``ckan search-index rebuild``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from . import corpus

ADMIN = "bench-admin"


def ensure_organizations_and_admin(seed: int = corpus.SEED) -> str:
    """The 60 departments as organizations and a sysadmin; returns the sysadmin's name."""
    from ckan import model

    existing = {name for (name,) in model.Session.query(model.Group.name)}
    rows = [{"id": corpus._uuid("org", int(name[5:]), seed), "name": name, "title": title,
             "type": "organization", "is_organization": True, "approval_status": "approved",
             "state": "active", "description": "", "image_url": "",
             "created": corpus.EPOCH}
            for name, title in corpus.DEPARTMENTS if name not in existing]
    if rows:
        model.Session.execute(model.group_table.insert(), rows)
    if not model.User.get(ADMIN):
        model.Session.add(model.User(name=ADMIN, email="bench@example.gov.cn",
                                     password="bench-password-1", sysadmin=True))
    model.Session.commit()
    return ADMIN


def bulk_datasets(start: int, stop: int, seed: int, batch: int = 2000) -> int:
    """Insert datasets ``start..stop`` of the corpus as real CKAN datasets; returns how many."""
    from ckan import model

    tag_ids = {name: id_ for id_, name in model.Session.query(model.Tag.id, model.Tag.name)}
    done = 0
    for lo in range(start, stop, batch):
        packages: list[dict[str, Any]] = []
        resources: list[dict[str, Any]] = []
        package_tags: list[dict[str, Any]] = []
        new_tags: list[dict[str, Any]] = []
        for ds in corpus.datasets(lo, min(lo + batch, stop), seed):
            pkg = ds.pkg
            packages.append({
                "id": pkg["id"], "name": pkg["name"] + "-db", "title": pkg["title"],
                "notes": pkg["notes"], "version": pkg["version"], "url": pkg["url"],
                "maintainer": pkg["maintainer"], "license_id": pkg["license_id"],
                "type": "dataset", "owner_org": pkg["owner_org"], "private": False,
                "state": "active", "extras": ds.catalog,
                "metadata_created": dt.datetime.fromisoformat(pkg["metadata_created"]),
                "metadata_modified": dt.datetime.fromisoformat(pkg["metadata_modified"]),
            })
            for res in pkg["resources"]:
                resources.append({
                    "id": res["id"], "package_id": pkg["id"], "url": res["url"],
                    "format": res["format"], "description": res["description"],
                    "name": res["name"], "position": res["position"], "state": "active",
                    "extras": {}, "created": dt.datetime.fromisoformat(res["created"]),
                    "metadata_modified": dt.datetime.fromisoformat(pkg["metadata_modified"]),
                })
            for tag in pkg["tags"]:
                if tag["name"] not in tag_ids:
                    tag_ids[tag["name"]] = tag["id"]
                    new_tags.append({"id": tag["id"], "name": tag["name"]})
                package_tags.append({"id": corpus._uuid(f"pt:{pkg['id']}:{tag['name']}", 0, seed),
                                     "package_id": pkg["id"], "tag_id": tag_ids[tag["name"]],
                                     "state": "active"})
        if new_tags:
            model.Session.execute(model.tag_table.insert(), new_tags)
        model.Session.execute(model.package_table.insert(), packages)
        model.Session.execute(model.resource_table.insert(), resources)
        model.Session.execute(model.package_tag_table.insert(), package_tags)
        model.Session.commit()
        done += len(packages)
    return done
