"""The govcat_search tables that migrations create match the tables the code declares."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from ckan import model

from ckanext.govcat.search.model import metadata


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
