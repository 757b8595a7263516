"""The alembic history of govcat_access matches the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ckan import model

from ckanext.govcat.access.model import metadata

from .conftest import ckan_marks

pytestmark = ckan_marks


def test_models_match_migrations():
    with model.meta.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
