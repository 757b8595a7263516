"""The maintained facet-count slices always equal a recount of the indexed documents."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

RECOUNT = sa.text(
    "SELECT site_id, coalesce(state, ''), coalesce(capacity, ''), coalesce(dataset_type, ''), "
    "permission_labels, t, count(*) FROM govcat_search_doc, "
    "unnest(array_prepend(0, facet_terms)) t GROUP BY 1, 2, 3, 4, 5, 6")
MAINTAINED = sa.text(
    "SELECT site_id, state, capacity, dataset_type, labels, term_id, n "
    "FROM govcat_search_facet_count WHERE n <> 0")


def _snapshot(sql: sa.TextClause) -> set[tuple]:
    with model.meta.engine.connect() as conn:
        return {(*r[:4], tuple(r[4]), r[5], r[6]) for r in conn.execute(sql)}


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_keep_counts_exact(seed: int) -> None:
    rnd = random.Random(seed)
    sysadmin = factories.Sysadmin()
    ctx = {"user": sysadmin["name"], "ignore_auth": True}
    orgs = [factories.Organization() for _ in range(2)]
    groups = [factories.Group() for _ in range(2)]
    tags = ["economy", "人口", "交通", "health"]
    datasets: list[dict] = []
    for step in range(25):
        op = rnd.choice(["create", "create", "update", "private", "delete", "purge", "group",
                         "resource"])
        if op == "create" or not datasets:
            datasets.append(helpers.call_action(
                "package_create", context=dict(ctx), name=f"ds-{seed}-{step}",
                owner_org=rnd.choice(orgs)["id"], private=rnd.random() < 0.3,
                tags=[{"name": t} for t in rnd.sample(tags, 2)],
                resources=[{"url": "http://x/a.csv", "format": rnd.choice(["CSV", "JSON"])}]))
            continue
        ds = rnd.choice(datasets)
        if op == "update":
            helpers.call_action("package_patch", context=dict(ctx), id=ds["id"],
                                tags=[{"name": t} for t in rnd.sample(tags, rnd.randint(0, 3))],
                                owner_org=rnd.choice(orgs)["id"])
        elif op == "private":
            helpers.call_action("package_patch", context=dict(ctx), id=ds["id"],
                                private=rnd.random() < 0.5)
        elif op == "delete":
            helpers.call_action("package_delete", context=dict(ctx), id=ds["id"])
        elif op == "purge":
            helpers.call_action("dataset_purge", context=dict(ctx), id=ds["id"])
            datasets.remove(ds)
        elif op == "group":
            helpers.call_action("member_create", context=dict(ctx), id=rnd.choice(groups)["id"],
                                object=ds["id"], object_type="package", capacity="public")
        elif op == "resource":
            helpers.call_action("resource_create", context=dict(ctx), package_id=ds["id"],
                                url="http://x/b.xml", format="XML")
    maintained = _snapshot(MAINTAINED)
    assert maintained == _snapshot(RECOUNT)
    assert any(row[5] == 0 for row in maintained), "no documents were counted at all"
