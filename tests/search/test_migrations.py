"""The govcat_search tables that migrations create match the tables the code declares."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from ckan import model

from ckanext.govcat.search.model import metadata

from .helpers import search_alembic


@pytest.mark.usefixtures("clean_db")
def test_models_and_migrations_agree() -> None:
    with model.meta.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, parent: type_ != "table" or name in metadata.tables,
        })
        diff = compare_metadata(context, metadata)
    assert diff == []


@pytest.mark.usefixtures("clean_db")
def test_ranking_texts_are_stored_uncompressed_and_huge_datasets_still_fit() -> None:
    """Ranking reads rank_a/b/d of every match: they must be PLAIN (never decompressed), and
    capped so that a dataset with very long texts still fits in a row."""
    from ckan.tests import factories

    with model.meta.engine.connect() as conn:
        storage = dict(conn.execute(sa.text(
            "SELECT attname, attstorage FROM pg_attribute "
            "WHERE attrelid = 'govcat_search_doc'::regclass AND attname LIKE 'rank_%'")).all())
    assert storage == {"rank_a": "p", "rank_b": "p", "rank_d": "p"}
    factories.Dataset(name="huge", title="法人登记" * 900, owner_org=factories.Organization()["id"],
                      tags=[{"name": f"标签{k}" * 5} for k in range(200)],
                      resources=[{"url": "http://x/y.csv", "name": "资源名称" * 300}
                                 for _ in range(20)])
    with model.meta.engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT pg_column_compression(rank_a), pg_column_compression(rank_d), "
            "length(rank_a) FROM govcat_search_doc WHERE name = 'huge'")).one()
    assert row[0] is None and row[1] is None and 0 < row[2] <= 300


@pytest.mark.usefixtures("clean_db")
def test_facet_lexemes_reach_documents_indexed_before_they_existed() -> None:
    """0004 puts a ``#<term id>`` lexeme per facet term into every indexed tsvector, so a search
    with words and a facet filter finds documents indexed before it without a rebuild; the
    downgrade takes them out again."""
    from ckan.tests import factories, helpers

    org = factories.Organization()
    factories.Dataset(title="危险化学品经营许可", owner_org=org["id"], tags=[{"name": "安全生产"}])

    def found() -> int:
        return helpers.call_action("package_search", q="危险化学品",
                                   fq='tags:"安全生产"')["count"]

    def lexemes() -> list[str]:
        with model.meta.engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT lexeme FROM govcat_search_doc, unnest(tsv) "
                "WHERE lexeme LIKE '#%' ORDER BY 1")).scalars().all()

    marked = lexemes()
    assert found() == 1 and marked
    cfg = search_alembic(model.meta.engine.url.render_as_string(hide_password=False))
    command.downgrade(cfg, "0003_document_writer_txid")
    try:
        assert lexemes() == []
        assert found() == 0  # without the lexemes the filter finds nothing: 0004 must add them
    finally:
        command.upgrade(cfg, "head")
    assert lexemes() == marked
    assert found() == 1
