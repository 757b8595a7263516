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
    for k in range(30):  # so that the text query below matches less than half of the index
        factories.Dataset(name=f"filler-{k}", title="filler", owner_org=orgs[0]["id"])
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
        if step % 5 == 4:
            _assert_query_facets_exact()
    maintained = _snapshot(MAINTAINED)
    assert maintained == _snapshot(RECOUNT)
    assert any(row[5] == 0 for row in maintained), "no documents were counted at all"
    _assert_query_facets_exact()


def _assert_query_facets_exact() -> None:
    """Facets of a text query (counted on the process's bitmaps) equal a count in SQL."""
    from ckanext.govcat.search.bitmaps import View

    synced: list[int] = []
    counts = View.counts
    View.counts = lambda self, ords, terms: synced.append(1) or counts(self, ords, terms)  # type: ignore
    try:
        result = helpers.call_action(
            "package_search", context={"ignore_auth": True}, q="ds", include_private=True,
            rows=0, **{"facet.field": ["tags", "res_format"], "facet.limit": -1})
    finally:
        View.counts = counts  # type: ignore[method-assign]
    with model.meta.engine.connect() as conn:
        expected = {field: dict(conn.execute(sa.text(
            "SELECT value, count(DISTINCT ord) FROM govcat_search_doc, "
            "jsonb_array_elements_text(doc -> :f) value "
            "WHERE state = 'active' AND doc ->> 'name' LIKE 'ds-%' GROUP BY value"),
            {"f": field}).all()) for field in ("tags", "res_format")}
    assert synced, "the facets were not counted on the bitmaps"
    assert result["facets"] == expected


@pytest.mark.usefixtures("clean_db")
def test_facet_bitmaps_follow_other_processes_and_open_transactions() -> None:
    """A write by another process is counted once it commits, never before."""
    from ckanext.govcat.search import bridge
    from ckanext.govcat.search.backend import PostgresConnection, TermDictionary

    org = factories.Organization()
    for k in range(3):
        factories.Dataset(name=f"river-{k}", title=f"river {k}", owner_org=org["id"],
                          tags=[{"name": "fish"}])
    for k in range(4):  # the river query matches less than half: counted on the bitmaps
        factories.Dataset(name=f"lake-{k}", title=f"lake {k}", owner_org=org["id"])

    def tags() -> dict[str, int]:
        return helpers.call_action("package_search", q="river", rows=0,
                                   **{"facet.field": ["tags"]})["facets"]["tags"]

    assert tags() == {"fish": 3}  # this process's bitmaps are loaded
    mine = bridge.make_connection()
    other = PostgresConnection(mine.write_engine, mine.read_engine, mine.settings,
                               TermDictionary())
    with model.meta.engine.connect() as conn:
        doc = conn.execute(sa.text(
            "SELECT doc FROM govcat_search_doc WHERE name = 'river-1'")).scalar_one()
    doc["tags"] = ["boat"]
    with model.meta.engine.connect() as conn:
        with conn.begin():
            other._write(conn, [doc])
            with model.meta.engine.begin() as later:  # a later transaction ends first, so
                later.execute(sa.text("SELECT txid_current()"))  # this one stays "in progress"
            assert tags() == {"fish": 3}  # not committed yet
        assert tags() == {"fish": 2, "boat": 1}
    doc["tags"] = ["fish", "boat"]
    other.add([doc])
    assert tags() == {"fish": 3, "boat": 1}
