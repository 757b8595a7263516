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


def _other_process():
    """A search connection on this process's engines with caches of its own (term ids, field
    names, facet bitmaps), as another web or worker process has."""
    from ckanext.govcat.search import bridge
    from ckanext.govcat.search.backend import PostgresConnection, TermDictionary

    mine = bridge.make_connection()
    return PostgresConnection(mine.write_engine, mine.read_engine, mine.settings, TermDictionary())


def _indexed_docs() -> list[dict]:
    """The index documents as stored, with the dataset dicts CKAN indexed them with, by name."""
    with model.meta.engine.connect() as conn:
        return [{**doc, "data_dict": data, "validated_data_dict": validated}
                for doc, data, validated in conn.execute(sa.text(
                    "SELECT doc, data_dict, validated_data_dict FROM govcat_search_doc "
                    "ORDER BY name"))]


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
    other = _other_process()
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


@pytest.mark.usefixtures("clean_db")
def test_term_ids_cached_from_a_recreated_term_table_are_not_used() -> None:
    """Another process recreates the index tables and reindexes, so every facet term gets
    another id: this process's cached ids and names must not filter or label anything."""
    from alembic import command

    from .helpers import search_alembic

    org = factories.Organization()
    factories.Dataset(name="river-a", title="river a", owner_org=org["id"], tags=[{"name": "fish"}])
    factories.Dataset(name="river-b", title="river b", owner_org=org["id"], tags=[{"name": "boat"}])
    factories.Dataset(name="lake-0", title="lake 0", owner_org=org["id"], tags=[{"name": "fish"}])
    for k in range(1, 4):
        factories.Dataset(name=f"lake-{k}", title=f"lake {k}", owner_org=org["id"])

    def fish() -> list[str]:  # a text query with a facet filter: the filter is a term id
        return sorted(r["name"] for r in helpers.call_action(
            "package_search", q="river", fq='tags:"fish"')["results"])

    def tags() -> dict[str, int]:  # a listing: facet names come from cached term ids
        return helpers.call_action("package_search", rows=0,
                                   **{"facet.field": ["tags"]})["facets"]["tags"]

    assert fish() == ["river-a"] and tags() == {"fish": 2, "boat": 1}  # ids now cached
    docs = _indexed_docs()
    with model.meta.engine.connect() as conn:
        terms = conn.execute(sa.text("SELECT id, field, value FROM govcat_search_term "
                                     "ORDER BY id")).all()
    cfg = search_alembic(model.meta.engine.url.render_as_string(hide_password=False))

    def recreate(shift: int) -> None:
        """Recreate the tables in "another process", each term's id now another's."""
        command.downgrade(cfg, "base")
        command.upgrade(cfg, "head")
        ids = [t.id for t in terms]
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO govcat_search_term (id, field, value) "
                "SELECT * FROM unnest(CAST(:i AS int[]), CAST(:f AS text[]), CAST(:v AS text[]))"),
                {"i": ids[shift:] + ids[:shift], "f": [t.field for t in terms],
                 "v": [t.value for t in terms]})
            conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('govcat_search_term', 'id'), "
                                 "(SELECT max(id) FROM govcat_search_term))"))
        _other_process().add(docs)

    recreate(1)
    assert tags() == {"fish": 2, "boat": 1}  # the listing reads facet names afresh
    recreate(2)
    assert fish() == ["river-a"]  # the filter is not the stale id of fish


@pytest.mark.usefixtures("clean_db")
def test_a_field_another_process_indexed_first_can_be_sorted_on() -> None:
    """This process knows the indexed field names from before; another process then indexes
    datasets with a field new to the index: sorting on it works here too."""
    org = factories.Organization()
    for name in ("first", "second"):
        factories.Dataset(name=name, title=name, owner_org=org["id"], version="1.0")

    def sorted_by(key: str) -> list[str]:
        return [r["name"] for r in helpers.call_action(
            "package_search", q="*:*", sort=f"{key} asc, name asc")["results"]]

    assert sorted_by("version") == ["first", "second"]  # field names now cached
    _other_process().add([{**doc, "shelf_mark": mark}
                          for doc, mark in zip(_indexed_docs(), ["b", "a"])])
    assert sorted_by("shelf_mark") == ["second", "first"]


@pytest.mark.usefixtures("clean_db")
def test_a_search_matching_most_of_its_slice_reads_no_term_it_knows() -> None:
    """Counts of a query that matches most of its slice come from the slice's maintained
    counts minus the rest: exact, and once this process knows the terms, with no statement
    on the term table (the slice's total is no term to look up)."""
    from ckanext.govcat.search import bridge

    org = factories.Organization()
    for k in range(4):
        factories.Dataset(name=f"river-{k}", title=f"river {k}", owner_org=org["id"],
                          tags=[{"name": "fish" if k % 2 else "boat"}])
    factories.Dataset(name="lake-0", title="lake", owner_org=org["id"], tags=[{"name": "fish"}])

    def tags() -> dict[str, int]:
        return helpers.call_action("package_search", q="river", rows=0,
                                   **{"facet.field": ["tags"]})["facets"]["tags"]

    assert tags() == {"fish": 2, "boat": 2}
    statements: list[str] = []

    def record(_conn, _cursor, _statement, _parameters, context, _many) -> None:
        statements.append(context.statement)  # as written, before it is prepared

    engine = bridge.make_connection().read_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert tags() == {"fish": 2, "boat": 2}
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert any("govcat_search_facet_count" in s for s in statements)  # the complement path
    assert not [s for s in statements if "FROM govcat_search_term" in s]
