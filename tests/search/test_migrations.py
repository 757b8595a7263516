"""The govcat_search tables that migrations create match the tables the code declares."""
from __future__ import annotations

import pytest
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
