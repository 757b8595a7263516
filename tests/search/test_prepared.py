"""Search statements are prepared on the server once per session and then only executed."""
from __future__ import annotations

from typing import Iterator

import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.govcat.search import bridge, prepared


def _search() -> dict:
    return helpers.call_action("package_search", q="河流", fq='tags:"fish"',
                               **{"facet.field": ["tags", "organization"]})


@pytest.fixture
def sent() -> Iterator[list[str]]:
    """The statement texts the read engine sends (after preparing rewrote them), from a pool
    with one fresh connection."""
    engine = bridge.make_connection().read_engine
    engine.dispose()
    texts: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        texts.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    yield texts
    sa.event.remove(engine, "before_cursor_execute", record)


def _datasets() -> None:
    """Two of six datasets match ``_search``: few enough for its one-statement path."""
    org = factories.Organization()
    for k in range(6):
        factories.Dataset(title=f"河流 {k}" if k < 3 else f"湖泊 {k}", owner_org=org["id"],
                          tags=[{"name": "fish" if k else "boat"}])


@pytest.mark.usefixtures("clean_db")
def test_a_search_is_prepared_once_then_executed_with_a_generic_plan(sent: list[str]) -> None:
    _datasets()
    del sent[:]
    first = _search()
    assert first["count"] == 2
    assert [r["title"] for r in _search()["results"]] == [r["title"] for r in first["results"]]
    assert _search()["facets"] == first["facets"] == {
        "tags": {"fish": 2}, "organization": {first["results"][0]["organization"]["name"]: 2}}
    executes = [s for s in sent if s.startswith("EXECUTE govcat_search_")]
    assert len(executes) == 3 and len(set(executes)) == 1
    assert not any(s.lstrip().startswith("WITH m AS") for s in sent)  # never sent as text
    name = executes[0].split()[1].split("(")[0]
    with bridge.make_connection().read_engine.connect() as conn:  # the pool's one connection
        generic, custom = conn.execute(sa.text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = :n"),
            {"n": name}).one()
    assert generic == 3 and custom == 0


@pytest.mark.usefixtures("clean_db")
def test_searches_are_not_prepared_when_the_option_is_off(sent: list[str], ckan_config,
                                                          monkeypatch) -> None:
    _datasets()
    prepared_result = _search()
    monkeypatch.setitem(ckan_config, "ckanext.govcat.search.prepare_statements", False)
    del sent[:]
    engine = bridge.make_connection().read_engine  # a new engine: the key changed
    texts: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _cu, s, *_a: texts.append(s))
    assert _search() == prepared_result
    assert texts and not [s for s in texts if s.startswith(("EXECUTE", "PREPARE", "SAVEPOINT"))]


@pytest.mark.usefixtures("clean_db")
def test_a_statement_the_server_cannot_prepare_runs_as_it_is() -> None:
    """``$1 + $2`` has no operator PostgreSQL could choose without the values: the PREPARE
    fails, is rolled back to its savepoint, and the statement runs unprepared in the same
    transaction, which goes on."""
    statement = sa.text("SELECT :a + :b AS total")
    engine = bridge.make_connection().read_engine
    with engine.connect() as conn, conn.begin():
        total = conn.execute(statement, {"a": 2, "b": 3},
                             execution_options={prepared.PREPARE_OPTION: True}).scalar()
        assert total == 5
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    with engine.connect() as conn, conn.begin():
        assert conn.execute(statement, {"a": 4, "b": 5},
                            execution_options={prepared.PREPARE_OPTION: True}).scalar() == 9


@pytest.mark.usefixtures("clean_db")
def test_a_session_keeps_at_most_max_prepared_statements(monkeypatch) -> None:
    monkeypatch.setattr(prepared, "MAX_PREPARED", 2)
    engine = bridge.make_connection().read_engine
    engine.dispose()
    with engine.connect() as conn, conn.begin():
        for k in range(3):  # three texts: the first one is deallocated
            assert conn.execute(sa.text(f"SELECT CAST(:v AS integer) + {k}"), {"v": 1},
                                execution_options={prepared.PREPARE_OPTION: True}
                                ).scalar() == 1 + k
        names = conn.execute(sa.text(
            "SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")).scalars().all()
    assert len(names) == 2 and "+ 1" in names[0] and "+ 2" in names[1]
