"""The alembic history of govcat_access matches the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ckan import model

from ckanext.govcat.access.model import metadata

from .conftest import ckan_marks

pytestmark = ckan_marks


def test_models_match_migrations():
    def ours(name, type_, parent_names):  # type: ignore[no-untyped-def]
        return type_ != "table" or ((name or "").startswith("govcat_access_")
                                    and not name.endswith("_alembic_version"))

    with model.meta.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours})
        diff = compare_metadata(context, metadata)
    assert diff == []
